"""Model files: round trips of every kind of model, and every way a file can be wrong answered with one clear ValueError."""
import json, zipfile
import numpy as np, pytest
from gfrnn_nb.systems import lorenz63, van_der_pol, random_inputs, trajectories
from gfrnn_nb.rnn import SampledRNN, read_model_file, MODEL_VERSION
from gfrnn_nb.delay import DelayRNN, load_model

@pytest.fixture(scope='module')
def l63(): return trajectories(lorenz63(), 2, 600, seed=0)

@pytest.fixture(scope='module')
def vdp():
    U = random_inputs(12, 120, hold=5, seed=1)
    return trajectories(van_der_pol(), 12, 120, u=U, seed=1), U

@pytest.fixture(scope='module')
def files(tmp_path_factory, l63, vdp):
    "One saved model of each layout: recurrent, Koopman with inputs, a DelayRNN, and a SampledRNN with memory."
    d = tmp_path_factory.mktemp('models')
    X, U = vdp
    return dict(recurrent=SampledRNN(width=40, solver='qr', seed=0).fit(l63).save(d / 'recurrent'),
                memory=with_memory(l63).save(d / 'memory'),
                koopman=SampledRNN(width=30, solver='qr', koopman=True, seed=0).fit(X, U).save(d / 'koopman'),
                delay=DelayRNN(delays=3, stride=2, width=30, seed=0).fit(l63[0, :, 0]).save(d / 'delay'))

def with_memory(X):
    "A fixed SampledRNN given a delay model of its state as memory (what the default keeps when the memory wins)."
    m = SampledRNN(width=40, solver='qr', seed=0).fit(X)
    m.memory_ = DelayRNN(delays=3, stride=2, width=30, seed=0).fit(list(X))
    return m

# --- round trips ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('kw', [dict(), dict(mode='koopman'), dict(sampler='random'), dict(sampler='aswim', activation='relu'),
                                dict(include_state=False, include_const=False), dict(solver='auto', width=30)])
def test_sampled_round_trip_is_bit_exact(tmp_path, l63, kw):
    m = SampledRNN(**{'width': 40, 'solver': 'qr', 'seed': 3, **kw}).fit(l63)
    again = SampledRNN.load(m.save(tmp_path / 'm.npz'))
    np.testing.assert_array_equal(again.forecast(l63[:, 10], 50), m.forecast(l63[:, 10], 50))
    assert again.get_params() == m.get_params() and type(load_model(tmp_path / 'm.npz')) is SampledRNN

@pytest.mark.parametrize('kw', [dict(koopman=True), dict(mode='koopman'), dict(input_in_layer=True)])
def test_sampled_round_trip_with_inputs(tmp_path, vdp, kw):
    X, U = vdp
    m = SampledRNN(width=30, solver='qr', seed=0, **kw).fit(X, U)
    again = load_model(m.save(tmp_path / 'u'))
    np.testing.assert_array_equal(again.forecast(X[:3, 0], 20, u=U[:3, :20]), m.forecast(X[:3, 0], 20, u=U[:3, :20]))

@pytest.mark.parametrize('kw', [dict(delays=3, stride=2), dict(delays='auto', stride='auto')])
def test_delay_round_trip_is_bit_exact(tmp_path, l63, kw):
    m = DelayRNN(width=30, seed=0, **kw).fit(l63[0, :, :1])
    again = load_model(m.save(tmp_path / 'd.npz'))
    assert type(again) is DelayRNN and again.embedding_ == m.embedding_ and again.get_params() == m.get_params()
    np.testing.assert_array_equal(again.forecast_from(l63[1, :100, :1], 40), m.forecast_from(l63[1, :100, :1], 40))
    assert again.embedding_scores_ == m.embedding_scores_

def test_memory_round_trip_is_bit_exact(tmp_path, l63):
    m = with_memory(l63)
    again = load_model(m.save(tmp_path / 'mem'))
    assert type(again) is SampledRNN and type(again.memory_) is DelayRNN and again.memory_.embedding_ == dict(delays=3, stride=2)
    np.testing.assert_array_equal(again.forecast_from(l63[1, :50], 40), m.forecast_from(l63[1, :50], 40))
    np.testing.assert_array_equal(again.forecast_from(l63[1, :50], 40), m.memory_.forecast_from(l63[1, :50], 40))
    np.testing.assert_array_equal(again.forecast(l63[1, 49], 40), m.forecast(l63[1, 49], 40))
    assert SampledRNN.load(SampledRNN(width=20, solver='qr').fit(l63).save(tmp_path / 'plain')).memory_ is None

def test_delay_round_trip_with_inputs(tmp_path, vdp):
    X, U = vdp
    m = DelayRNN(delays=2, stride=1, width=30, seed=0).fit(list(X[:, :, :1]), list(U))
    again = DelayRNN.load(m.save(tmp_path / 'du.npz'))
    np.testing.assert_array_equal(again.forecast_from(X[0, :10, :1], 15, u=U[0, :15]), m.forecast_from(X[0, :10, :1], 15, u=U[0, :15]))

def test_save_returns_the_path_written(tmp_path, l63):
    m = SampledRNN(width=20, solver='qr').fit(l63)
    p = m.save(str(tmp_path / 'model'))
    assert p == tmp_path / 'model.npz' and p.exists() and not (tmp_path / 'model').exists()
    assert m.save(tmp_path / 'x.npz') == tmp_path / 'x.npz'
    assert sorted(f.name for f in tmp_path.iterdir()) == ['model.npz', 'x.npz']   # no partial files left behind
    meta, _ = read_model_file(p)
    assert (meta['format'], meta['version'], meta['kind']) == ('gfrnn-model', MODEL_VERSION, 'SampledRNN')
    with pytest.raises(FileNotFoundError, match='does not exist'): m.save(tmp_path / 'missing' / 'm.npz')
    with pytest.raises(ValueError, match='not fitted'): SampledRNN().save(tmp_path / 'u.npz')
    with pytest.raises(ValueError, match='not fitted'): DelayRNN().save(tmp_path / 'u.npz')

def test_backend_override_and_legacy_files(tmp_path, files):
    assert SampledRNN.load(files['recurrent'], backend='numpy').backend_ == 'numpy'
    meta, arrays = read_model_file(files['recurrent'])
    legacy = {k: v for k, v in meta.items() if k not in ('format', 'version', 'kind')}   # written before the format marker
    np.savez(tmp_path / 'old.npz', meta=np.array(json.dumps(legacy)), **arrays)
    x0 = np.array([1.0, 2.0, 20.0])
    np.testing.assert_array_equal(SampledRNN.load(tmp_path / 'old.npz').forecast(x0, 10), SampledRNN.load(files['recurrent']).forecast(x0, 10))

def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.npz'): load_model(tmp_path / 'nowhere.npz')

# --- bad files ---------------------------------------------------------------------------------------------------

def _rewrite(src, dst, change):
    "dst: the model file src with change(meta, arrays) applied to its record and arrays."
    meta, arrays = read_model_file(src)
    change(meta, arrays)
    np.savez(dst, meta=np.array(json.dumps(meta)), **arrays)

def _set(**kv): return lambda meta, arrays: meta.update(kv)
def _params(**kv): return lambda meta, arrays: meta['params'].update(kv)
def _array(key, f): return lambda meta, arrays: arrays.__setitem__(key, f(arrays[key].copy()))
def _drop(key): return lambda meta, arrays: arrays.pop(key)
def _poke(i, v):
    def f(a): a.flat[i] = v; return a
    return f

NOT_MODEL, DAMAGED = 'not a gfrnn model file', 'damaged gfrnn model file'
WEIGHTS = {'recurrent': ('W', 'b', 'A_', 'mean_', 'scale_', 'data_min_', 'data_max_'),
           'koopman': ('W', 'b', 'A_', 'K_', 'C_', 'B_', 'mean_', 'scale_', 'u_mean_', 'u_scale_')}

RECORD_CASES = [   # (model file, change, message)
    *[(kind, _array(k, _poke(0, bad)), f'{k} contains NaN or inf') for kind, ks in WEIGHTS.items() for k in ks for bad in (np.nan, np.inf)],
    ('recurrent', _array('scale_', _poke(1, 0.0)), 'scale_ has an entry <= 0'),
    ('recurrent', _array('scale_', _poke(1, -1.0)), 'scale_ has an entry <= 0'),
    ('koopman', _array('u_scale_', _poke(0, 0.0)), 'u_scale_ has an entry <= 0'),
    ('recurrent', _array('data_min_', lambda a: a + 1e6), 'data_min_ exceeds data_max_'),
    ('recurrent', _set(n_features_in_=4), 'W has shape (40, 3), expected (40, 4)'),
    ('recurrent', _set(width_=41), 'width=40 but width_=41'),
    ('recurrent', lambda m, a: (m['params'].update(width='auto'), m.update(width_=41)), 'W has shape (40, 3), expected (41, 3)'),
    ('koopman', _set(n_inputs_=2), 'has shape'),
    ('koopman', _set(n_inputs_=0), "does not belong to a model with mode='recurrent', koopman=True, n_inputs_=0"),
    ('recurrent', _array('A_', lambda a: a[:-1]), 'A_ has shape (43, 3), expected (44, 3)'),
    ('koopman', _array('K_', lambda a: a[:, :-1]), 'K_ has shape'),
    ('recurrent', _params(include_const=False), 'A_ has shape (44, 3), expected (43, 3)'),
    ('recurrent', _params(mode='koopman'), "array 'K_' is missing"),
    ('koopman', _params(koopman=None), "array 'K_' does not belong"),
    ('recurrent', _drop('A_'), "array 'A_' is missing"),
    ('recurrent', _drop('scale_'), "array 'scale_' is missing"),
    ('recurrent', _array('A_', lambda a: a.astype(np.int64)), 'A_ has dtype int64'),
    ('recurrent', _array('pairs', lambda a: -a), 'pairs: expected non-negative integer indices'),
    ('recurrent', lambda m, a: a.update(extra=np.ones(3)), "unexpected array 'extra'"),
    ('recurrent', _set(width_=None), 'width_=None, expected an integer >= 1'),
    ('recurrent', _set(n_features_in_=3.5), 'n_features_in_=3.5'),
    ('recurrent', _set(layer_sampler='magic'), "layer_sampler='magic'"),
    ('recurrent', _params(width=-1), 'params: width=-1'),
    ('recurrent', _params(colour='red'), "params: SampledRNN.__init__() got an unexpected keyword argument 'colour'"),
    ('recurrent', lambda m, a: m.pop('params'), "no 'params' record"),
    ('recurrent', _set(version=MODEL_VERSION + 1), 'was written by a newer gfrnn (model file version 2'),
    ('recurrent', _set(version='1'), "version '1', expected an integer"),
    ('recurrent', _set(format='other-model'), "format marker 'other-model'"),
    ('recurrent', lambda m, a: m.pop('format'), 'format marker None'),
    ('recurrent', _set(kind=7), 'kind 7'),
    ('recurrent', _set(kind='LSTM'), "kind 'LSTM', expected one of ('SampledRNN', 'DelayRNN')"),
    ('delay', _set(embedding_=dict(delays=4, stride=2)), 'the inner model sees 3 coordinates, expected n_observed_ × delays = 1 × 4'),
    ('delay', _set(embedding_=dict(delays=0, stride=2)), 'delays=0, expected an integer >= 1'),
    ('delay', lambda m, a: m.pop('embedding_'), "no 'embedding_' record"),
    ('delay', _set(n_inputs_=1), 'the inner model has 0 inputs, expected n_inputs_ = 1'),
    ('delay', lambda m, a: m.pop('rnn'), "no 'rnn' record"),
    ('delay', lambda m, a: a.update(W=np.ones((3, 3))), "unexpected array 'W'"),
    ('delay', _array('rnn.A_', _poke(5, np.nan)), 'A_ contains NaN or inf'),
    ('delay', lambda m, a: m['rnn'].update(n_features_in_=2), 'W has shape (30, 3), expected (30, 2)'),
    ('delay', _params(stride='often'), "params: stride='often'"),
    ('memory', lambda m, a: m.pop('memory_'), "the model with memory is incomplete"),
    ('memory', lambda m, a: [a.pop(k) for k in list(a) if k.startswith('memory.')], "the model with memory is incomplete"),
    ('memory', _array('memory.rnn.A_', _poke(3, np.nan)), 'A_ contains NaN or inf'),
    ('memory', lambda m, a: m['memory_'].update(n_observed_=2), 'the inner model sees 9 coordinates, expected n_observed_ × delays = 2 × 3'),
    ('memory', lambda m, a: m['memory_']['rnn'].update(n_features_in_=6), 'W has shape (30, 9), expected (30, 6)'),
    ('memory', lambda m, a: a.update({'memory.W': np.ones((3, 3))}), "unexpected array 'W'"),
]

@pytest.mark.parametrize('kind,change,message', RECORD_CASES, ids=[f'{k}-{m[:40]}' for k, _, m in RECORD_CASES])
def test_a_tampered_record_is_refused(tmp_path, files, kind, change, message):
    _rewrite(files[kind], tmp_path / 'bad.npz', change)
    with pytest.raises(ValueError) as e: load_model(tmp_path / 'bad.npz')
    assert message in str(e.value)
    assert str(e.value).startswith((NOT_MODEL, DAMAGED, str(tmp_path / 'bad.npz')))
    assert '\n' not in str(e.value)

def _zip_of_text(p):
    with zipfile.ZipFile(p, 'w') as z: z.writestr('hello.txt', 'hello')

def _npy(p):
    with open(p, 'wb') as f: np.save(f, np.ones(3))   # a bare .npy under an .npz name

def _flip_byte(p, src):
    b = bytearray(src.read_bytes()); b[len(b) // 2] ^= 0xFF; p.write_bytes(bytes(b))

FILE_CASES = [   # (make(path, good file), message)
    (lambda p, g: p.write_bytes(b''), 'not an .npz archive'),
    (lambda p, g: p.write_text('time,x,y\n0,1,2\n'), 'not an .npz archive'),
    (lambda p, g: _npy(p), 'not an .npz archive'),
    (lambda p, g: p.write_bytes(g.read_bytes()[:10]), 'unreadable archive'),
    (lambda p, g: p.write_bytes(g.read_bytes()[:1000]), 'unreadable archive'),
    (lambda p, g: p.write_bytes(g.read_bytes()[:len(g.read_bytes()) // 2]), 'unreadable archive'),
    (lambda p, g: p.write_bytes(g.read_bytes()[:-10]), 'unreadable archive'),
    (_flip_byte, 'unreadable archive'),
    (lambda p, g: _zip_of_text(p), "member 'hello.txt' is not a numpy array"),
    (lambda p, g: np.savez(p, x=np.ones(3)), "no 'meta' record"),
    (lambda p, g: np.savez(p, meta=np.array([1.0, 2.0])), "the 'meta' record is a float64 array of shape (2,)"),
    (lambda p, g: np.savez(p, meta=np.array('{"format": "gfrnn-model", ')), "the 'meta' record is not valid JSON"),
    (lambda p, g: np.savez(p, meta=np.array('[1, 2]')), "the 'meta' record is not a JSON object"),
    (lambda p, g: np.savez(p, meta=np.array('{}')), 'format marker None'),
    (lambda p, g: np.savez(p, meta=np.array('{}'), w=np.array([{'a': 1}], dtype=object)), 'unreadable archive'),
    (lambda p, g: p.mkdir(), 'a folder'),
]

@pytest.mark.parametrize('make,message', FILE_CASES, ids=[f'{i}-{m[:30]}' for i, (_, m) in enumerate(FILE_CASES)])
def test_a_foreign_or_broken_file_is_refused(tmp_path, files, make, message):
    bad = tmp_path / 'bad.npz'
    make(bad, files['recurrent'])
    for read in (load_model, SampledRNN.load, DelayRNN.load):
        with pytest.raises(ValueError) as e: read(bad)
        assert str(e.value).startswith(f'{NOT_MODEL}: {bad}') and message in str(e.value), str(e.value)

def test_a_model_of_another_kind_names_the_right_reader(files):
    with pytest.raises(ValueError, match='holds a DelayRNN, not a SampledRNN: read it with DelayRNN.load or load_model'):
        SampledRNN.load(files['delay'])
    with pytest.raises(ValueError, match='holds a SampledRNN, not a DelayRNN'): DelayRNN.load(files['koopman'])
