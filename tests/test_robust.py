"""`gfrnn bench robust`: a measured-data row end to end, its cache, the jobs and the table."""
import json, time
import numpy as np, pytest
from gfrnn_nb.robust import robust_row, robust_jobs, robust_table, bench_robust, observed_series

pytest.importorskip('reservoirpy')

def test_measured_row_is_scored_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv('GFRNN_CACHE', str(tmp_path))
    row = robust_row('sf-temps', 'nvar')
    assert row['unit'] == 'hours' and row['finite'] and row['vpt_median'] > 0
    assert set(row['floor']) == {'dstsp', 'dh', 'finite'} and 0 <= row['floor']['dh'] < 1
    t0 = time.perf_counter()
    again = robust_row('sf-temps', 'nvar')                 # from the cache: same row, no refit
    assert time.perf_counter() - t0 < 0.5 and json.dumps(again) == json.dumps(row)
    assert len(list((tmp_path / 'robust').glob('*.json'))) == 1

def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match=r"settings=\['henon'\]"): bench_robust('henon', progress=False)
    with pytest.raises(ValueError, match=r"methods=\['gru'\]"): robust_jobs(['rossler'], ['gru'])
    with pytest.raises(ValueError, match="method='local' has no model for a scalar series"):
        from gfrnn_nb.robust import _series_model
        _series_model('local', 0)

def test_table_formats_every_row():
    rows = [dict(setting='rossler', method=m, fit_seconds=1.0, tune_seconds=0.0, vpt_median=v, vpt_q25=v, vpt_q75=v,
                 unit='Lyapunov times', dstsp=d, dh=0.1, finite=np.isfinite(d), floor=dict(dstsp=0.02, dh=0.01)) for m, v, d in
            (('sampled', 11.0, 0.03), ('nvar', 6.0, 9.5e8), ('esn', 0.0, float('inf')))]
    t = robust_table(rows).splitlines()
    assert len(t) == 5 and '9.5e+08' in t[3] and '| no |' in t[4] and '| yes |' in t[2]

def test_series_split_keeps_the_held_out_part_apart():
    d = observed_series('seattle-temps')
    assert len(d['other']) == len(d['test']) and np.array_equal(d['other'], d['train'][-len(d['test']):])

def test_the_noisy_scalar_setting_fits_and_forecasts_noisy_data_and_scores_against_the_clean_truth():
    clean, noisy = observed_series('lorenz63-x', n_train=2_000, n_free=3_000), observed_series('lorenz63-x-noise5', n_train=2_000, n_free=3_000)
    assert np.array_equal(noisy['truth'], clean['test']) and np.array_equal(noisy['other'], clean['other'])
    for part in ('train', 'test'):
        r = (noisy[part] - clean[part]) / clean['train'].std()
        assert abs(r.std() - 0.05) < 0.005 and abs(r.mean()) < 0.005       # 5% observation noise, one fixed draw
    assert np.array_equal(observed_series('lorenz63-x-noise5', n_train=2_000, n_free=3_000)['train'], noisy['train'])
    assert np.array_equal(clean['truth'], clean['test'])

def test_plain_refit_of_a_local_choice_fixes_it():
    from gfrnn_nb.local import LocalRNN
    from gfrnn_nb.robust import plain_refit
    from gfrnn_nb.systems import lorenz96, trajectories
    data = trajectories(lorenz96(dim=8), 2, 1201, seed=0)
    chose = LocalRNN(radius=(1, 2), width=(20, 40), ridge=(1e-8,), seed=0, progress=False).fit(data)
    p = plain_refit(chose, data)
    assert p['plain'] == [dict(kind='LocalRNN', radius=chose.radius_, width=chose.width_, ridge=chose.ridge_)]
    assert 0 < p['plain_seconds'] < chose.fit_seconds_
    assert plain_refit(LocalRNN(radius=1, width=20, ridge=0.0, seed=0).fit(data), data) is None   # nothing chosen
