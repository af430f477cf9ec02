"""`compare` and `gfrnn compare`: cached runs, the table, bad names."""
import json, os, subprocess, sys
import numpy as np, pytest
from gfrnn_nb.compare import compare, run_one, parse_system, results_table, METHODS, add_compare_parser
from gfrnn_nb.rnn import SampledRNN

pytest.importorskip('reservoirpy')

KW = dict(n_train=1500, n_starts=3, n_free=1500, horizon_lt=5, progress=False)

@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('GFRNN_CACHE', str(tmp_path))
    return tmp_path

def test_second_run_computes_nothing(cache):
    calls = []
    def sampled(seed, budget):
        calls.append(seed)
        return SampledRNN(width=30, seed=seed, backend='numpy')
    first = compare('lorenz63', {'s': sampled}, seeds=(0, 1), out=cache / 'out', **KW)
    assert calls == [0, 1] and not any(r['cached'] for r in first)
    again = compare('lorenz63', {'s': sampled}, seeds=(0, 1), **KW)
    assert calls == [0, 1, 0, 1]                             # factories build the key; no fit happens
    assert all(r['cached'] for r in again)
    assert [r['vpt_median'] for r in again] == [r['vpt_median'] for r in first]
    assert len(list((cache / 'compare').glob('*.json'))) == 2
    assert {p.name for p in (cache / 'out').iterdir()} == {'results.md', 'results.json', 'vpt.png', 'time_vs_vpt.png'}

def test_changing_a_setting_recomputes(cache):
    f = lambda w: (lambda seed, b: SampledRNN(width=w, seed=seed, backend='numpy'))
    compare('lorenz63', {'s': f(20)}, **KW)
    r = compare('lorenz63', {'s': f(21)}, **KW)
    assert not r[0]['cached'] and len(list((cache / 'compare').glob('*.json'))) == 2

def test_table_has_every_column_and_the_settings(cache):
    res = compare('lorenz63', {'s': lambda seed, b: SampledRNN(width=25, seed=seed, backend='numpy')}, **KW)
    md = results_table(res)
    for col in ('fit s', 'VPT median', 'q25', 'D_stsp', 'D_H', 'ceiling'): assert col in md
    assert 'SampledRNN(width=25' in md

def test_extra_results_are_cached_and_computed_when_missing(cache):
    f = lambda seed, b: SampledRNN(width=20, seed=seed, backend='numpy')
    bkw = {k: KW[k] for k in ('n_train', 'n_starts', 'n_free', 'horizon_lt')}
    plain = run_one('s', f, 'lorenz63', bench_kw=bkw)
    assert 'extra' not in plain
    seen = []
    def extra(model, bench):
        seen.append(model.width_)
        return dict(width=model.width_, rows=int(bench.train.shape[-2]))
    r = run_one('s', f, 'lorenz63', bench_kw=bkw, extra=extra)      # cached without extra: fitted again
    assert not r['cached'] and seen == [20] and r['extra']['width'] == 20 and r['extra']['rows'] >= 1500
    again = run_one('s', f, 'lorenz63', bench_kw=bkw, extra=extra)  # now cached with it
    assert again['cached'] and seen == [20] and again['extra'] == r['extra']
    assert run_one('s', f, 'lorenz63', bench_kw=bkw)['cached']      # a cached result with extra serves a call without

def test_settings_names():
    assert parse_system('lorenz63-noise5-dt0.05') == dict(system='lorenz63', noise=0.05, dt=0.05)
    assert parse_system('lorenz96') == dict(system='lorenz96')
    for bad in ('lorenz', 'lorenz63-noise', 'rossler-dtfast'):
        with pytest.raises(ValueError, match='system='): parse_system(bad)

def test_unknown_method_is_named(cache):
    with pytest.raises(ValueError, match=r"\['cnn'\] are not known"): compare('lorenz63', 'sampled,cnn', **KW)

def test_default_methods_build_unfitted_models():
    for name, f in METHODS.items():
        m = f(0, 10.0)
        assert not hasattr(m, 'fit_seconds_') and hasattr(m, 'fit') and hasattr(m, 'forecast'), name

def test_cli_parser_and_run(cache, capsys):
    import argparse
    ap = argparse.ArgumentParser(prog='gfrnn'); sub = ap.add_subparsers(dest='command')
    add_compare_parser(sub)
    args = ap.parse_args(['compare', '--systems', 'lorenz63', '--methods', 'sampled,nvar', '--n-train', '1500', '--n-starts', '3',
                          '--n-free', '1500', '--out', str(cache / 'cli')])
    assert args.budget_seconds == 180.0 and args.threads == 1
    args.n_free = 1500
    import gfrnn_nb.compare as C
    orig = C.METHODS['sampled']
    C.METHODS['sampled'] = lambda seed, b: SampledRNN(width=40, seed=seed, backend='numpy')
    try: res = args.func(args)
    finally: C.METHODS['sampled'] = orig
    assert len(res) == 2 and '| lorenz63 | nvar |' in capsys.readouterr().out
    assert (cache / 'cli' / 'results.md').exists()
