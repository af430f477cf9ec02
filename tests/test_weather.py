"""Weather: offline loader, missing extra, calendar features, baselines, forecasts issued without peeking, the study's data and table."""
import numpy as np, pytest
from unittest import mock
from gfrnn_nb.weather import (seattle_weather, seattle_hourly_temperatures, calendar_features, Climatology, LinearDelayRidge,
                              issue_forecasts, mse_table, vega_data_file)
from gfrnn_nb.delay import DelayRNN

def test_loaders_work_offline_and_are_regular():
    d = seattle_weather()
    assert d.values.shape == (1461, 4) and np.all(np.isfinite(d.values)) and len(d.labels) == 1461
    h = seattle_hourly_temperatures()
    assert len(h) == 8760 and np.all(np.diff(h.time).astype(int) == 1)

def test_missing_package_names_the_extra():
    with mock.patch('importlib.util.find_spec', return_value=None):
        with pytest.raises(ModuleNotFoundError, match=r"gfrnn-nb\[data\]"): seattle_weather()
        with pytest.raises(ModuleNotFoundError, match='vega_datasets'): seattle_hourly_temperatures()
    with pytest.raises(FileNotFoundError, match='nothing.csv'): vega_data_file('nothing.csv')

def test_calendar_features_are_periodic():
    t = np.array(['2013-01-01', '2014-01-01', '2013-07-02'], dtype='datetime64[D]')
    F = calendar_features(t)
    np.testing.assert_allclose(F[0], F[1], atol=0.02)       # one year later, the same features
    np.testing.assert_allclose(F[2], [np.sin(2 * np.pi * 182 / 365.25), np.cos(2 * np.pi * 182 / 365.25)])
    assert calendar_features(t, yearly=2, daily=1).shape == (3, 6)

def test_linear_ridge_recovers_an_autoregression():
    rng = np.random.default_rng(0)
    u = rng.normal(size=(2000, 1)); y = np.zeros((2001, 1))
    for t in range(1, 2000): y[t + 1] = 0.5 * y[t] - 0.3 * y[t - 1] + u[t] + 0.01 * rng.normal()
    m = LinearDelayRidge(delays=2, ridge=1e-10).fit(y, u)
    pred = issue_forecasts(m, y, u, np.arange(100, 200), 1)
    assert np.sqrt(np.mean((pred - y[100:200]) ** 2)) < 0.02

def test_forecasts_do_not_see_the_target():
    d = seattle_weather()
    X, U = d.values, calendar_features(d.time)[1:]
    m = DelayRNN(delays=3, stride=1, width=20, seed=0, backend='numpy').fit(X[:700], U[:699])
    idx = np.arange(800, 830)
    a = issue_forecasts(m, X, U, idx, 2)
    X2 = X.copy(); X2[idx] += 100.0; X2[idx - 1] += 100.0         # change the targets and the day before them
    np.testing.assert_allclose(issue_forecasts(m, X2, U, idx[:1], 2), a[:1])   # issued 2 days before: unchanged
    b = issue_forecasts(m, X, U, idx[::3], 2)
    np.testing.assert_allclose(b, a[::3])

def test_climatology_and_tables():
    d = seattle_weather()
    c = Climatology(yearly=2).fit(d.values, time=d.time)
    p = c.predict(d.time)
    assert p.shape == d.values.shape and mse_table({'c': p}, d.values, d.columns)['c']['overall'] < 1
    with pytest.raises(ValueError, match='expected >= window \\+ horizon = 4'):
        issue_forecasts(LinearDelayRidge(delays=3).fit(d.values[:200], calendar_features(d.time)[1:200]), d.values,
                        calendar_features(d.time)[1:], np.array([2]), 2)

def test_weather_study_returns_data_and_bench_prints_its_table():
    from gfrnn_nb.studies.weather import bench_weather, weather_table
    lines = []
    data = bench_weather(widths=(100,), ridges=(1e-2,), out=lines.append)
    assert lines == weather_table(data).splitlines()
    d, h = data['daily'], data['hourly']
    assert (d['width'], d['ridge']) == (100, 1e-2) and set(d['mse']) == {1, 7} and set(h['mse']) == {1, 24}
    assert d['forecasts'][1]['sampled RNN'].shape == d['truth'].shape == (365, 4)
    assert d['mse'][1]['sampled RNN']['temperatures'] < d['mse'][1]['persistence']['temperatures']
    assert h['mse'][1]['sampled RNN'] < h['mse'][1]['persistence']
