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

def test_series_noise_draws_score_each_draw_once_and_cache_it(tmp_path, monkeypatch):
    import gfrnn_nb.robust as R
    monkeypatch.setenv('GFRNN_CACHE', str(tmp_path))
    calls = []
    def fake(setting, method, seed=0, n_starts=20, noise_seed=None):
        calls.append((setting, method, noise_seed))
        v = float(noise_seed) + (0.5 if method == 'sampled' else 0.0)
        return dict(vpt_median=v, vpt_q25=v - 1, vpt_q75=v + 1, dstsp=0.1 * noise_seed)
    monkeypatch.setattr(R, 'series_row', fake)
    t = R.series_noise_draws(seeds=(2, 3), settings=('lorenz63-x-noise5',), out=tmp_path)
    assert calls == [('lorenz63-x-noise5', m, s) for s in (2, 3) for m in ('sampled', 'esn')]
    assert t['rows'][1] == ['lorenz63-x-noise5', 3, [3.5, 2.5, 4.5], pytest.approx(0.3), [3.0, 2.0, 4.0], pytest.approx(0.3)]
    assert json.loads((tmp_path / 'robust_series_draws.json').read_text())['columns'][1] == 'noise seed'
    R.series_noise_draws(seeds=(2, 3), settings=('lorenz63-x-noise5',))
    assert len(calls) == 4                                                   # the second time, from the cache
    d = observed_series('lorenz63-x-noise10', n_train=2_000, n_free=3_000, noise_seed=3)
    clean = observed_series('lorenz63-x', n_train=2_000, n_free=3_000)
    assert abs((d['train'] - clean['train']).std() / clean['train'].std() - 0.10) < 0.01

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
