"""Baselines (ESN, NVAR, LSTM/GRU, EKI Elman RNN): one interface, warm starts, tuning on validation only, bad input."""
import numpy as np, pytest
from gfrnn_nb.systems import lorenz63, trajectories
from gfrnn_nb.baselines import ESN, NVAR, TorchRNN, EKIElman, WarmStart, validation_split, tune

pytest.importorskip('reservoirpy')

@pytest.fixture(scope='module')
def data(): return trajectories(lorenz63(), 2, 1500, seed=0)

def _models():
    return [ESN(units=60, seed=1), ESN(units=60, readout='precise', ridge=0.0, seed=1), NVAR(delay=2, strides=2),
            TorchRNN(cell='lstm', hidden=8, budget_seconds=0.5, eval_every=5, seed=1),
            TorchRNN(cell='gru', hidden=8, budget_seconds=0.5, eval_every=5, seed=1),
            EKIElman(hidden=4, ensemble_size=10, budget_seconds=0.5, seed=1)]

@pytest.mark.parametrize('model', _models(), ids=lambda m: type(m).__name__ + '-' + str(m.get_params().get('readout', m.get_params().get('cell', ''))))
def test_interface(model, data):
    if isinstance(model, TorchRNN): pytest.importorskip('torch')
    params = model.get_params()
    assert model.fit(data) is model
    assert model.get_params() == params                    # fit never changes hyperparameters
    assert model.fit_seconds_ > 0 and model.n_features_in_ == 3
    assert model.forecast(data[0, 10], 6).shape == (6, 3)
    out = model.forecast(data[:, 10], 6)
    assert out.shape == (2, 6, 3) and np.all(np.isfinite(out))
    assert model.forecast_from(data[:, :50], 4).shape == (2, 4, 3)
    assert model.forecast_from(data[0, :50], 4).shape == (4, 3)

def test_deterministic_given_a_seed(data):
    a = ESN(units=50, seed=3).fit(data).forecast_from(data[:, :40], 30)
    b = ESN(units=50, seed=3).fit(list(data)).forecast_from(data[:, :40], 30)
    np.testing.assert_array_equal(a, b)

def test_warm_start_uses_each_starts_history(data):
    m = ESN(units=50, seed=0).fit(data)
    starts, hist = data[:, 99], data[:, :100]
    w = WarmStart(m, starts, hist)
    np.testing.assert_array_equal(w.forecast(starts[::-1], 5), m.forecast_from(hist[::-1], 5))
    with pytest.raises(ValueError, match='not one of the stored starts'): w.forecast(starts + 1, 5)

def test_tuning_never_sees_the_tail_it_scores_on_as_training_data(data):
    Z = [z for z in data]
    heads, H, truth = validation_split(Z, 0.25, warmup=20, n_val=4)
    assert all(len(h) == 1125 for h in heads)
    tail = data[0, 1125:]                                   # the longest tail (equal lengths: the first)
    assert any(np.array_equal(H[0], tail[p - 20:p]) for p in range(20, len(tail)))
    head_rows = {r.tobytes() for h in heads for r in h}
    assert not any(r.tobytes() in head_rows for r in np.concatenate([H.reshape(-1, 3), truth.reshape(-1, 3)]))
    res = tune(ESN(units=40, seed=0), Z, dict(spectral_radius=(0.5, 1.1), alpha=(1e-8, 1e-2)))
    assert len(res['scores']) == 4 and set(res['best']) == {'spectral_radius', 'alpha'}

def test_tuned_model_records_the_best_and_refits(data):
    m = ESN(units=40, seed=0, grid=dict(leak=(0.5, 1.0))).fit(data)
    assert m.best_params_['leak'] in (0.5, 1.0) and m.config_['leak'] == m.best_params_['leak']
    assert m.leak == 1.0 and m.tune_seconds_ > 0

def test_diverging_forecasts_stay_finite(data):
    m = NVAR(alpha=0.0).fit(data[:, :30])                   # an ill-posed fit on 30 steps
    assert np.all(np.isfinite(m.forecast(data[:, 40], 2000)))

def test_lstm_respects_its_budget(data):
    pytest.importorskip('torch')
    m = TorchRNN(cell='lstm', hidden=16, budget_seconds=1.5, eval_every=5, patience=1000, seed=0).fit(data)
    assert m.state_['stopped'] == 'budget' and m.state_['steps'] >= 5
    assert m.state_['history'][-1, 1] < 1.5 + 20           # the last check happens within one interval of the budget

@pytest.mark.parametrize('bad, match', [
    (lambda d: ESN(readout='lsq').fit(d), "readout='lsq'"),
    (lambda d: ESN(units=0).fit(d), 'units=0'),
    (lambda d: NVAR(delay=0).fit(d), 'delay=0'),
    (lambda d: TorchRNN(cell='rnn').fit(d), "cell='rnn'"),
    (lambda d: TorchRNN(budget_seconds=0).fit(d), 'budget_seconds=0'),
    (lambda d: ESN(units=20).fit(np.full((1, 50, 3), np.nan)), 'NaN'),
    (lambda d: ESN(units=20).fit(d[:, :, :, None]), 'expected (n_traj, T, d)'),
    (lambda d: ESN(units=20).forecast(d[0, 0], 3), 'not fitted'),
    (lambda d: ESN(units=20, grid=dict(depth=(1, 2))).fit(d), "grid has ['depth']"),
    (lambda d: ESN(units=20, val_fraction=1.5, grid=dict(leak=(1.0,))).fit(d), 'val_fraction=1.5'),
])
def test_bad_input(bad, match, data):
    with pytest.raises(ValueError, match=match.replace('(', r'\(').replace(')', r'\)').replace('[', r'\[').replace(']', r'\]')):
        bad(data)

def test_bad_forecast_arguments(data):
    m = NVAR().fit(data)
    with pytest.raises(ValueError, match=r'x0 has shape \(4,\): expected \(3,\) or \(B, 3\)'): m.forecast(np.zeros(4), 3)
    with pytest.raises(ValueError, match='n_steps=0'): m.forecast(data[0, 0], 0)
    with pytest.raises(ValueError, match='NaN'): m.forecast_from(np.full((5, 3), np.nan), 3)
