"""`gfrnn bench dysts`: the sMAPE rule on series with known answers, the protocol on three small flows, caching, bad names."""
import builtins, json, time
import numpy as np, pytest
from gfrnn_nb import flows
from gfrnn_nb.flows import smape, smape_vpt, nrmse_vpt, flow_data, flow_row, bench_dysts, dysts_summary, dysts_report, check_flows

@pytest.mark.parametrize('k', [0, 1, 37, 150, 299])
def test_smape_vpt_of_a_jump(k):
    "A forecast exact until step k, then of the opposite sign: valid while 200·(t-k+1)/(t+1) <= 30."
    true = np.linspace(1, 2, 300)[:, None] * np.ones((1, 3))
    pred = true.copy(); pred[k:] *= -1
    t = np.arange(300)
    over = t[(t >= k) & (200 * (t - k + 1) / (t + 1) > 30)]
    assert smape_vpt(pred, true) == pytest.approx((over[0] if len(over) else 300) / 30)

def test_smape_vpt_threshold_and_scale():
    true = np.ones((300, 1))
    assert smape_vpt(1.2 * true, true) == 10.0                       # sMAPE 18.2 everywhere: never over 30
    assert smape_vpt(1.5 * true, true) == 0.0                        # sMAPE 40 from the first step
    assert smape_vpt(1.5 * true, true, threshold=50) == 10.0
    assert smape_vpt(np.r_[true[:30], np.full((270, 1), np.inf)], true) == pytest.approx(35 / 30)   # inf scores 200
    with pytest.raises(ValueError, match=r'pred has shape \(300,\)'): smape(true[:, 0], true[:, 0])

def test_nrmse_vpt_standardises_by_the_context():
    ctx = np.c_[np.linspace(-1, 1, 512), 1000 * np.linspace(-1, 1, 512)]
    true = np.zeros((300, 2)) + [0.5, 500]
    pred = true + [0.0, 1.0]                                          # tiny against the second coordinate's spread
    assert nrmse_vpt(pred, true, ctx) == 10.0
    assert nrmse_vpt(pred + [5.0, 0], true, ctx) == 0.0

def test_protocol_on_three_small_flows(tmp_path, monkeypatch):
    monkeypatch.setenv('GFRNN_CACHE', str(tmp_path))
    rows = bench_dysts(['Lorenz', 'Rossler', 'SprottA'], methods=['sampled', 'persistence', 'mean'], n_ic=2, progress=False)
    assert len(rows) == 3 * 3 * 2 and all('skipped' not in r for r in rows)
    X = flow_data('Rossler', 2)
    assert X.shape == (2, 812, 3) and np.all(np.isfinite(X))
    s = {r['method']: r for r in dysts_summary(rows)}
    assert s['sampled']['flows'] == 3 and s['sampled']['not_finite'] == 0
    assert s['sampled']['vpt_median'] > 2 > s['persistence']['vpt_median'] and s['mean']['vpt_median'] == 0
    assert all(0 <= r['vpt'] <= 10 and r['finite'] for r in rows)
    assert '| sampled | 3 | 6 |' in dysts_report(rows)

def test_rows_are_cached_and_data_is_consistent(tmp_path, monkeypatch):
    monkeypatch.setenv('GFRNN_CACHE', str(tmp_path))
    row = flow_row('sampled', 'Lorenz', 1)
    t0 = time.perf_counter()
    assert flow_row('sampled', 'Lorenz', 1) == row and time.perf_counter() - t0 < 0.5
    assert len(list((tmp_path / 'dysts' / 'rows').glob('*.json'))) == 1
    two = flow_data('Lorenz', 2)                                     # the same initial conditions, whatever n_ic
    assert np.array_equal(flow_data('Lorenz', 1, cache=False), two[:1])
    assert flow_row('sampled', 'Lorenz', 1, cache=False)['vpt'] == row['vpt']    # recomputed: the same seed, the same model

def test_unknown_flows_methods_and_counts_are_refused():
    with pytest.raises(ValueError, match=r"systems=\['Lorenz64'\] are not known flows.*'Lorenz'"): check_flows('Lorenz,Lorenz64')
    with pytest.raises(ValueError, match='delay equations'): check_flows(['MackeyGlass'])
    with pytest.raises(ValueError, match="method='gru'"): bench_dysts(['Lorenz'], methods='gru', progress=False)
    with pytest.raises(ValueError, match='workers=0'): bench_dysts(['Lorenz'], methods='mean', workers=0, progress=False)
    with pytest.raises(ValueError, match='n_ic=21'): flow_data('Lorenz', 21)

def test_missing_dysts_names_the_extra(monkeypatch):
    real = builtins.__import__
    def fake(name, *a, **k):
        if name.startswith('dysts'): raise ImportError(f"No module named {name!r}")
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, '__import__', fake)
    with pytest.raises(ImportError, match=r"pip install 'gfrnn-nb\[dysts\]'"): flows.flow_names()

def test_cli_bench_dysts(tmp_path, monkeypatch, capsys):
    from gfrnn_nb.cli import main
    monkeypatch.setenv('GFRNN_CACHE', str(tmp_path))
    assert main(['bench', 'dysts', '--quick', '--out', str(tmp_path / 'out')]) in (None, 0)
    md = (tmp_path / 'out' / 'dysts.md').read_text()
    assert '| sampled | 3 | 6 |' in md and '| nvar |' in md
    assert len(json.loads((tmp_path / 'out' / 'dysts.json').read_text())) == 3 * 4 * 2
    capsys.readouterr()
    assert main(['bench', 'dysts', '--systems', 'Lorenz64']) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "systems=['Lorenz64']" in err[0]
    assert main(['bench', 'dysts', '--n-ic', '0']) == 2

def test_the_default_forecasts_a_forced_flow_with_its_memory():
    "TurchinHanski, forced seasonally: the present state does not fix the next; a nearly linear memory of 20 states competes and wins."
    from gfrnn_nb.rnn import SampledRNN
    x = flow_data('TurchinHanski', 1)[0]
    ctx, true = x[:flows.CONTEXT], x[flows.CONTEXT:]
    m = SampledRNN(seed=0, progress=False).fit(ctx)
    mem = m.selection_['memory']
    assert mem['chosen'] and (mem['delays'], mem['stride'], mem['width']) == (20, 1, 1), mem
    assert mem['valid_steps'] > 5 * mem['memoryless_steps'] + 5
    with_memory, memoryless = smape_vpt(m.forecast_from(ctx, flows.HORIZON), true), smape_vpt(m.forecast(ctx[-1], flows.HORIZON), true)
    assert with_memory > memoryless + 1, (with_memory, memoryless)
