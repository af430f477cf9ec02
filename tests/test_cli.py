"""The console script, run as users run it: demo, bench, fit and forecast on files, and one line and status 2 for every mistake."""
import os, subprocess, sys
from pathlib import Path
import numpy as np, pytest
from gfrnn_nb.cli import main, read_series
from gfrnn_nb.delay import load_model, DelayRNN
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.systems import lorenz63, trajectories
from gfrnn_nb.selection import smoothing_label
from gfrnn_nb.backend import cupy_available

def gfrnn(*args, cwd=None, env=None):
    "Run `gfrnn ARGS` as `python -m gfrnn_nb.cli` (the console script calls the same `main`)."
    return subprocess.run([sys.executable, '-m', 'gfrnn_nb.cli', *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})})

def test_help_lists_subcommands():
    r = gfrnn('--help')
    assert r.returncode == 0 and 'demo' in r.stdout

def test_demo_fits_scores_and_writes_png(tmp_path):
    r = gfrnn('demo', '--width', '150', '--n-train', '2000', '--n-starts', '3', '--n-free', '2000', '--backend', 'numpy',
              '--out', str(tmp_path / 'd.png'), env={'GFRNN_CACHE': str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'd.png').stat().st_size > 10_000
    for key in ('fit_seconds', 'vpt_median', 'ceiling_median', 'dstsp', 'dh'): assert key in r.stdout

def test_bench_needs_a_table_name():
    r = gfrnn('bench')
    assert r.returncode == 2 and 'sampled' in r.stderr and r.stderr.count('\n') == 1

def test_unknown_subcommand_fails():
    r = gfrnn('frobnicate')
    assert r.returncode == 2 and 'invalid choice' in r.stderr and r.stderr.count('\n') == 1

def test_bench_fit_prints_the_ratio(tmp_path):
    r = gfrnn('bench', 'fit', '--quick', env={'GFRNN_CACHE': str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert 'ratio sampled / ESN' in r.stdout and 'esn' in r.stdout


# --- gfrnn fit / gfrnn forecast on the user's files ------------------------------------------------------------------

@pytest.fixture(scope='module')
def lorenz_csv(tmp_path_factory):
    "3,000 rows of Lorenz-63 as CSV with a timestamp column, and the array."
    d = tmp_path_factory.mktemp('data')
    X = trajectories(lorenz63(), 1, 3_000, seed=0)[0]
    stamps = np.datetime64('2024-01-01T00:00') + np.arange(len(X)) * np.timedelta64(1, 'm')
    (d / 'lorenz.csv').write_text('time,x,y,z\n' + ''.join(f'{s},{x:.17g},{y:.17g},{z:.17g}\n' for s, (x, y, z) in zip(stamps, X)))
    return d / 'lorenz.csv', X

def test_fit_and_forecast_round_trip_a_csv(tmp_path, lorenz_csv):
    csv_path, X = lorenz_csv
    r = gfrnn('fit', str(csv_path), '--width', '120', '--seed', '1', '--out', str(tmp_path / 'l63'))
    assert r.returncode == 0, r.stderr
    for part in ('3000 rows × 3 variables', "dropped the first column ('time')", 'width 120', 'wrote ' + str(tmp_path / 'l63.npz')): assert part in r.stdout
    r = gfrnn('forecast', str(tmp_path / 'l63.npz'), '--from', str(csv_path), '--steps', '200', '--out', str(tmp_path / 'pred.csv'))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'pred.csv').read_text().splitlines()[0] == 'x,y,z'
    pred, names, _ = read_series(tmp_path / 'pred.csv')
    model = load_model(tmp_path / 'l63.npz')
    assert type(model) is SampledRNN and model.width_ == 120 and model.seed == 1
    np.testing.assert_array_equal(pred, model.forecast_from(X, 200))        # exact through the CSV
    assert np.abs(pred[:20] - trajectories(lorenz63(), 1, 3_020, seed=0)[0, 3_000:]).max() < 0.1   # and it forecasts

def test_fit_and_forecast_across_missing_values(tmp_path, lorenz_csv):
    "Empty and NA cells: the fit is the one on the stretches between them, said with their lines; the forecast reads the rows after the last."
    from gfrnn_nb import finite_stretches
    csv_path, X = lorenz_csv
    lines = csv_path.read_text().splitlines()
    for row, cell in ((700, ',,'), (701, 'NA,NA,NA'), (2400, f'{X[2400, 0]:.17g},,{X[2400, 2]:.17g}')):
        lines[row + 1] = lines[row + 1].split(',')[0] + ',' + cell   # (line 1 is the header; the timestamp stays)
    (tmp_path / 'gaps.csv').write_text('\n'.join(lines) + '\n')
    r = gfrnn('fit', str(tmp_path / 'gaps.csv'), '--width', '90', '--out', str(tmp_path / 'm'))
    assert r.returncode == 0, r.stderr
    assert 'misses values on lines 702, 703, 2402: fitted on the 3 stretches between them (2997 rows)' in r.stdout, r.stdout
    gappy = X.copy(); gappy[[700, 701, 2400]] = np.nan
    model = load_model(tmp_path / 'm.npz')
    np.testing.assert_array_equal(model.A_, SampledRNN(width=90, seed=0).fit(finite_stretches(gappy)).A_)
    r = gfrnn('forecast', str(tmp_path / 'm.npz'), '--from', str(tmp_path / 'gaps.csv'), '--steps', '20', '--out', str(tmp_path / 'p.npy'))
    assert r.returncode == 0 and 'the forecast reads the 599 rows after the last of them' in r.stdout, (r.stdout, r.stderr)
    np.testing.assert_array_equal(np.load(tmp_path / 'p.npy'), model.forecast_from(X[2401:], 20))

def test_fill_bridges_short_gaps_and_cuts_at_longer_ones(tmp_path, lorenz_csv):
    "--fill N: gaps of at most N rows are interpolated (as `finite_stretches(fill=N)`), longer ones still cut; the forecast's history likewise."
    from gfrnn_nb import finite_stretches
    csv_path, X = lorenz_csv
    lines = csv_path.read_text().splitlines()
    for row in (700, 1500, 1501, 1502, 2950):
        lines[row + 1] = lines[row + 1].split(',')[0] + ',,,'
    (tmp_path / 'gaps.csv').write_text('\n'.join(lines) + '\n')
    r = gfrnn('fit', str(tmp_path / 'gaps.csv'), '--width', '90', '--fill', '2', '--out', str(tmp_path / 'm'))
    assert r.returncode == 0, r.stderr
    assert ('misses values on lines 702, 1502, 1503, 1504, 2952: filled 2 of them by linear interpolation (gaps of at most 2 rows); '
            'fitted on the 2 stretches between the others (2997 rows)') in r.stdout, r.stdout
    gappy = X.copy(); gappy[[700, 1500, 1501, 1502, 2950]] = np.nan
    model = load_model(tmp_path / 'm.npz')
    np.testing.assert_array_equal(model.A_, SampledRNN(width=90, seed=0).fit(finite_stretches(gappy, fill=2)).A_)
    r = gfrnn('forecast', str(tmp_path / 'm.npz'), '--from', str(tmp_path / 'gaps.csv'), '--steps', '20', '--fill', '1', '--out', str(tmp_path / 'p.npy'))
    assert r.returncode == 0 and 'filled 2 of them by linear interpolation (gaps of at most 1 row)' in r.stdout, (r.stdout, r.stderr)
    assert 'the forecast reads the 1497 rows after the last of them' in r.stdout, r.stdout   # the gap of 3 rows still cuts
    np.testing.assert_array_equal(np.load(tmp_path / 'p.npy'), model.forecast_from(finite_stretches(gappy, fill=1)[-1], 20))
    r = gfrnn('fit', str(tmp_path / 'gaps.csv'), '--fill', '3', '--width', '90', '--out', str(tmp_path / 'm3'))
    assert r.returncode == 0 and 'filled 5 of them by linear interpolation (gaps of at most 3 rows)\n' in r.stdout, r.stdout

def test_fit_says_when_it_chose_a_ring(tmp_path):
    from gfrnn_nb.systems import lorenz96
    X = trajectories(lorenz96(dim=8), 1, 2001, seed=0)[0]
    np.savetxt(tmp_path / 'ring.csv', X, delimiter=',', header=','.join(f'x{i}' for i in range(8)), comments='')
    r = gfrnn('fit', str(tmp_path / 'ring.csv'), '--out', str(tmp_path / 'ring'))
    assert r.returncode == 0, r.stderr
    model = load_model(tmp_path / 'ring.npz')
    assert model.selection_['ring']['chosen'] and 'a layer shared by the sites of a ring' in r.stdout, r.stdout

def test_fit_says_when_it_chose_memory(tmp_path):
    X = trajectories(lorenz63(), 1, 8001, seed=4)[0]
    X = X + np.random.default_rng(4).normal(size=X.shape) * 0.05 * X.std(0)      # noisy measurements
    np.savetxt(tmp_path / 'noisy.csv', X, delimiter=',', header='x,y,z', comments='')
    r = gfrnn('fit', str(tmp_path / 'noisy.csv'), '--out', str(tmp_path / 'noisy'))
    assert r.returncode == 0, r.stderr
    model = load_model(tmp_path / 'noisy.npz')
    assert model.selection_['memory']['chosen'] and f'with memory: {model.memory_.embedding_["delays"]} delays' in r.stdout, r.stdout
    assert 'it reads them through itself' in r.stdout and model.memory_.noise_sd_ is not None   # fitted on the smoothed series, saved with its reading

def test_fit_a_delay_model_on_a_scalar_series(tmp_path, lorenz_csv):
    _, X = lorenz_csv
    np.save(tmp_path / 'x.npy', X[:, 0])
    assert main(['fit', str(tmp_path / 'x.npy'), '--delays', '4', '--stride', '5', '--width', '80', '--out', str(tmp_path / 'd.npz')]) == 0
    assert main(['forecast', str(tmp_path / 'd.npz'), '--from', str(tmp_path / 'x.npy'), '--steps', '30', '--out', str(tmp_path / 'p.npy')]) == 0
    model = load_model(tmp_path / 'd.npz')
    assert type(model) is DelayRNN and model.embedding_ == dict(delays=4, stride=5)
    np.testing.assert_array_equal(np.load(tmp_path / 'p.npy'), model.forecast_from(X[:, :1], 30))

def test_a_noisy_scalar_series_is_smoothed_and_its_history_read_through_the_model(tmp_path, capsys):
    x = trajectories(lorenz63(), 1, 4_000, seed=1)[0][:, :1]
    x = x + 0.05 * x.std() * np.random.default_rng(0).normal(size=x.shape)   # 5% observation noise
    np.save(tmp_path / 'x.npy', x)
    assert main(['fit', str(tmp_path / 'x.npy'), '--delays', 'auto', '--out', str(tmp_path / 'd.npz')]) == 0
    model = load_model(tmp_path / 'd.npz')
    assert model.denoise_ and f"smoothing: {smoothing_label(model.denoise_)} (forecasts read their history" in capsys.readouterr().out
    assert main(['forecast', str(tmp_path / 'd.npz'), '--from', str(tmp_path / 'x.npy'), '--steps', '30', '--out', str(tmp_path / 'p.npy')]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / 'p.npy'), model.forecast_from(x, 30))
    assert not np.array_equal(model.read_history(x[-600:]), x[-600:])

def test_fit_several_files_and_parquet(tmp_path, lorenz_csv):
    pytest.importorskip('pyarrow'); pd = pytest.importorskip('pandas')
    _, X = lorenz_csv
    pd.DataFrame(X[:1500], columns=['x', 'y', 'z']).to_parquet(tmp_path / 'a.parquet')
    np.save(tmp_path / 'b.npy', X[1500:])
    assert main(['fit', str(tmp_path / 'a.parquet'), str(tmp_path / 'b.npy'), '--width', '60', '--out', str(tmp_path / 'm.npz')]) == 0
    assert load_model(tmp_path / 'm.npz').n_trajectories_ == 2
    assert main(['forecast', str(tmp_path / 'm.npz'), '--from', str(tmp_path / 'a.parquet'), '--steps', '5', '--out', str(tmp_path / 'p.parquet')]) == 0
    assert list(pd.read_parquet(tmp_path / 'p.parquet').columns) == ['x', 'y', 'z']

def test_parquet_without_pandas_names_the_extra(tmp_path, capsys, monkeypatch):
    (tmp_path / 'a.parquet').write_bytes(b'PAR1')
    monkeypatch.setitem(sys.modules, 'pandas', None)       # as if pandas were not installed
    assert main(['fit', str(tmp_path / 'a.parquet'), '--out', str(tmp_path / 'm.npz')]) == 2
    assert "pip install 'gfrnn-nb[parquet]'" in capsys.readouterr().err

@pytest.mark.parametrize('cmd', ['demo', 'bench', 'compare', 'fit', 'forecast'])
def test_every_command_shows_an_example(cmd):
    r = gfrnn(cmd, '--help')
    assert r.returncode == 0 and 'example' in r.stdout and f'gfrnn {cmd}' in r.stdout.split('example')[1]

def _bad_files(d, lorenz_csv):
    "A few broken inputs, written once."
    (d / 'letters.csv').write_text('x,y\n1,2\n3,abc\n')
    (d / 'ragged.csv').write_text('1,2,3\n4,5\n')
    (d / 'gap.csv').write_text('x,y\n1,2\n3,nan\n')
    (d / 'inf.csv').write_text('x,y\n1,2\n3,-inf\n')
    (d / 'gapx.csv').write_text('x\n1\n2\nNA\n')
    (d / 'one.csv').write_text('x,y\n1,2\n')
    (d / 'empty.csv').write_text('\n# nothing\n')
    (d / 'binary.csv').write_bytes(bytes(range(256)))
    np.save(d / 'cube.npy', np.ones((2, 3, 4)))
    (d / 'notes.npz').write_text('not a model')
    (d / 'data.xlsx').write_text('')
    (d / 'short.csv').write_text('\n'.join(f'{np.sin(t)}' for t in range(30)) + '\n')
    np.savetxt(d / 'two.csv', np.ones((50, 2)), delimiter=',')
    SampledRNN(width=20, solver='qr').fit(lorenz_csv[1][:500]).save(d / 'l63.npz')
    DelayRNN(delays=3, stride=5, width=20).fit(lorenz_csv[1][:500, 0]).save(d / 'delay.npz')
    return d

ERRORS = [   # (argv with {d} for the folder of bad files, text in the one line)
    (['demo', '--width', '0'], "argument --width: invalid value '0': expected an integer >= 1"),
    (['demo', '--width', 'wide'], "argument --width: invalid value 'wide'"),
    (['demo', '--seed', 'a'], "argument --seed: invalid int value: 'a'"),
    (['demo', '--n-train', '1'], '--n-train 1: expected at least 249 training steps'),
    (['demo', '--n-starts', '-2'], "argument --n-starts: invalid value '-2'"),
    (['demo', '--backend', 'tpu'], "argument --backend: invalid choice: 'tpu'"),
    (['compare', '--seeds', 'a', '--methods', 'sampled', '--out', '{d}/cmp'], "seeds='a': expected comma-separated integers"),
    (['bench'], 'the following arguments are required: which (which is one of sampled, optim'),
    (['bench', 'nope'], "argument which: invalid choice: 'nope'"),
    (['frobnicate'], "invalid choice: 'frobnicate'"),
    (['demo', '--no-such-option'], 'unrecognized arguments: --no-such-option'),
    (['fit', '{d}/nowhere.csv', '--out', '{d}/m.npz'], 'no data file at'),
    (['fit', '{d}/letters.csv', '--out', '{d}/m.npz'], "letters.csv line 3, column 2 (y): 'abc' is not a number"),
    (['fit', '{d}/ragged.csv', '--out', '{d}/m.npz'], 'ragged.csv line 2 has 2 fields: expected 3'),
    (['fit', '{d}/gap.csv', '--out', '{d}/m.npz'], 'gap.csv misses values on line 3: no two whole rows in a row to fit on'),
    (['fit', '{d}/inf.csv', '--out', '{d}/m.npz'], 'inf.csv line 3: inf, expected finite values'),
    (['forecast', '{d}/delay.npz', '--from', '{d}/gapx.csv', '--steps', '5', '--out', '{d}/p.csv'], 'gapx.csv line 4 misses a value: the forecast starts after the last row'),
    (['fit', '{d}/one.csv', '--out', '{d}/m.npz'], 'expected a series of at least 2 rows'),
    (['fit', '{d}/empty.csv', '--out', '{d}/m.npz'], 'empty.csv holds no rows'),
    (['fit', '{d}/binary.csv', '--out', '{d}/m.npz'], 'binary.csv is not a text file'),
    (['fit', '{d}/cube.npy', '--out', '{d}/m.npz'], 'holds an array of shape (2, 3, 4)'),
    (['fit', '{d}/data.xlsx', '--out', '{d}/m.npz'], "unknown kind of data file '.xlsx'"),
    (['fit', '{d}/two.csv'], 'the following arguments are required: --out'),
    (['fit', '{d}/two.csv', '--out', '{d}/no/such/m.npz'], 'the folder'),
    (['fit', '{d}/two.csv', '--width', '0', '--out', '{d}/m.npz'], "argument --width: invalid value '0': expected 'auto' or an integer >= 1"),
    (['fit', '{d}/two.csv', '--delays', '0', '--out', '{d}/m.npz'], "argument --delays: invalid value '0'"),
    (['fit', '{d}/two.csv', '--stride', 'x', '--out', '{d}/m.npz'], "argument --stride: invalid value 'x'"),
    (['fit', '{d}/two.csv', '--seed', '1.5', '--out', '{d}/m.npz'], "argument --seed: invalid int value: '1.5'"),
    (['fit', '{d}/two.csv', '--fill', '-1', '--out', '{d}/m.npz'], "argument --fill: invalid value '-1': expected an integer >= 0"),
    (['fit', '{d}/two.csv', '{d}/short.csv', '--out', '{d}/m.npz'], 'the data files have [2, 1] columns'),
    (['forecast', '{d}/notes.npz', '--from', '{d}/two.csv', '--steps', '5', '--out', '{d}/p.csv'], 'not a gfrnn model file'),
    (['forecast', '{d}/two.csv', '--from', '{d}/two.csv', '--steps', '5', '--out', '{d}/p.csv'], 'not a gfrnn model file'),
    (['forecast', '{d}/gone.npz', '--from', '{d}/two.csv', '--steps', '5', '--out', '{d}/p.csv'], 'no model file at'),
    (['forecast', '{d}/l63.npz', '--from', '{d}/two.csv', '--steps', '0', '--out', '{d}/p.csv'], "argument --steps: invalid value '0'"),
    (['forecast', '{d}/l63.npz', '--from', '{d}/two.csv', '--steps', 'ten', '--out', '{d}/p.csv'], "argument --steps: invalid value 'ten'"),
    (['forecast', '{d}/l63.npz', '--from', '{d}/two.csv', '--steps', '5', '--out', '{d}/p.csv'], 'two.csv has 2 columns: the model'),
    (['forecast', '{d}/delay.npz', '--from', '{d}/short.csv', '--steps', '5', '--out', '{d}/p.csv', '--backend', 'gpu'], "argument --backend: invalid choice: 'gpu'"),
    (['forecast', '{d}/delay.npz', '--from', '{d}/one.csv', '--steps', '5', '--out', '{d}/p.csv'], 'expected a series of at least 2 rows'),
    (['forecast', '{d}/l63.npz', '--steps', '5', '--out', '{d}/p.csv'], 'the following arguments are required: --from'),
    (['forecast', '{d}/l63.npz', '--from', '{d}/two.csv', '--steps', '5', '--out', '{d}/none/p.csv'], 'the folder'),
]

@pytest.fixture(scope='module')
def bad_dir(tmp_path_factory, lorenz_csv): return _bad_files(tmp_path_factory.mktemp('bad'), lorenz_csv)

@pytest.mark.parametrize('argv,message', ERRORS, ids=[' '.join(a[:2]) + f' {i}' for i, (a, _) in enumerate(ERRORS)])
def test_every_error_is_one_line_and_status_2(bad_dir, capsys, argv, message):
    status = main([a.format(d=bad_dir) for a in argv])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith('gfrnn: error: ') and err.count('\n') == 1, err
    assert message in err, err

def test_a_short_delay_history_is_named(bad_dir, capsys):
    (bad_dir / 'three.csv').write_text('1\n2\n3\n')
    assert main(['forecast', str(bad_dir / 'delay.npz'), '--from', str(bad_dir / 'three.csv'), '--steps', '5', '--out', str(bad_dir / 'p.csv')]) == 2
    assert 'expected at least window + 1 = 11' in capsys.readouterr().err

@pytest.mark.skipif(cupy_available(), reason='a CUDA device is present')
def test_cupy_without_a_device_is_one_line(tmp_path):
    r = gfrnn('demo', '--backend', 'cupy', '--n-train', '300', '--n-starts', '2', '--n-free', '300', '--width', '10',
              '--out', str(tmp_path / 'd.png'), env={'GFRNN_CACHE': str(tmp_path)})
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and "backend='cupy' needs CuPy" in r.stderr, r.stderr

def test_errors_through_the_console_script_and_debug():
    r = gfrnn('demo', '--n-train', '1')
    assert r.returncode == 2 and r.stderr == 'gfrnn: error: --n-train 1: expected at least 249 training steps (the model holds out the end to choose its settings).\n'
    r = gfrnn('--debug', 'demo', '--n-train', '1')
    assert r.returncode == 2 and 'Traceback' in r.stderr and 'CLIError' in r.stderr
    r = gfrnn('demo', '--width', '0', '--debug')
    assert r.returncode == 2 and 'Traceback' in r.stderr

def test_a_drifting_scalar_series_is_modelled_by_its_differences_and_forecast_in_levels(tmp_path, capsys):
    r, e = np.random.default_rng(1), np.zeros(150)
    for t in range(1, 150): e[t] = 0.6 * e[t - 1] + r.standard_normal()
    x = np.cumsum(1.0 + e)   # a random walk with drift
    np.save(tmp_path / 'x.npy', x)
    assert main(['fit', str(tmp_path / 'x.npy'), '--delays', 'auto', '--out', str(tmp_path / 'd.npz')]) == 0
    model = load_model(tmp_path / 'd.npz')
    assert model.difference_ == 1 and 'on the first differences (the series drifts' in capsys.readouterr().out
    assert main(['forecast', str(tmp_path / 'd.npz'), '--from', str(tmp_path / 'x.npy'), '--steps', '40', '--out', str(tmp_path / 'p.npy')]) == 0
    p = np.load(tmp_path / 'p.npy')
    np.testing.assert_array_equal(p, model.forecast_from(x[:, None], 40))
    assert p[-1, 0] > x.max() + 20   # the levels go on beyond the range they were seen in
