"""Every public entry point against every kind of bad input: a ValueError or TypeError that names the argument,
never a silent acceptance, and a failed fit leaves the object as it was."""
import warnings
import numpy as np
import pytest
from gfrnn_nb.checks import InputTypeError
from gfrnn_nb.systems import lorenz63, trajectories, van_der_pol, random_inputs
from gfrnn_nb.sampling import sample_layer
from gfrnn_nb.edmd import EDMD, edmd, LstsqAccumulator, koopman_spectrum, as_trajectories
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.delay import DelayRNN
from gfrnn_nb.local import LocalRNN
from gfrnn_nb.control import MPC, DMDc, closed_loop, bounded_lstsq, periodic_reference, ClosedLoop
from gfrnn_nb.nets import MLP, ElmanRNN
from gfrnn_nb.optimizer import RandomSearch
from gfrnn_nb.eki import EKI
from gfrnn_nb.enkf import SubspaceEnKF
from gfrnn_nb.search import CoordinateSearch
from gfrnn_nb.hybrid import Hybrid
from gfrnn_nb.baselines import ESN, NVAR
from gfrnn_nb.weather import vega_data_file

V, T = ValueError, TypeError
X = trajectories(lorenz63(), 1, 300, seed=0)[0]                 # (300, 3): 300 steps of Lorenz-63
RING = np.random.default_rng(0).normal(size=(300, 8))           # a ring of 8 sites
Y1 = np.sin(np.arange(300) * 0.1)                               # a scalar series
FAST = dict(width=20, solver='qr')
VDP = van_der_pol()
UC = random_inputs(4, 60, hold=5, seed=0)
XC = trajectories(VDP, 4, 60, u=UC, seed=0)
XO, YO = np.random.default_rng(1).normal(size=(60, 3)), np.random.default_rng(2).normal(size=(60, 1))
NET = MLP([3, 4, 1])

def _fitted(cls, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return cls(**kw).fit(data)

RNN = _fitted(SampledRNN, X, **FAST)
DELAY = _fitted(DelayRNN, Y1, delays=3, stride=2, width=20)
LOCAL = _fitted(LocalRNN, RING, radius=1, width=10, ridge=0.0)
CMODEL = SampledRNN(width=20, sampler='random', solver='qr', koopman=True, ridge=1e-8, seed=0).fit(XC, UC)
MPC0 = MPC(CMODEL, horizon=5, outputs=[0])
REF = periodic_reference('sine', 1.0, 5.0, 0.05, 30)
RUN = closed_loop(MPC0, VDP, np.array([0.5, 0.0]), REF[:10])
LAYER = sample_layer(X, 10, 'uswim', seed=0)

# --- kinds of bad input -------------------------------------------------------------------------------------------
def data_bad(A):
    "Bad versions of a data array A (T, d), with the exception each must raise."
    nan, inf = A.copy(), A.copy(); nan[3, 0] = np.nan; inf[5, -1] = np.inf
    return [('complex', A + 1j, T), ('bool', A > 0, T), ('str', A.astype(str), T), ('object', A.astype(object), T),
            ('nan', nan, V), ('inf', inf, V), ('huge', A * 1e300 + 1e300, V), ('empty_list', [], V), ('empty', A[:0], V),
            ('ndim4', A[None, None], V), ('scalar', 3.0, V), ('ragged', [[1.0, 2.0], [3.0]], V), ('none', None, T),
            ('text', 'data.csv', T), ('dict', {'x': [1.0, 2.0]}, T), ('too_short', A[:1], V)]

def states_bad(d):
    return [('nan', np.full(d, np.nan), V), ('inf', np.full(d, np.inf), V), ('complex', np.ones(d) + 1j, T),
            ('str', np.array(['a'] * d), T), ('bool', np.ones(d, bool), T), ('wrong_d', np.ones(d + 1), V),
            ('empty', np.ones((0, d)), V), ('ndim3', np.ones((2, 2, d)), V), ('none', None, T), ('huge', np.full(d, 1e300), V)]

def history_bad(d):
    return [('nan', np.full((10, d), np.nan), V), ('complex', np.ones((10, d)) + 1j, T), ('str', np.full((10, d), 'a'), T),
            ('bool', np.ones((10, d), bool), T), ('wrong_d', np.ones((10, d + 1)), V), ('empty', np.ones((0, d)), V),
            ('ndim4', np.ones((1, 1, 10, d)), V), ('none', None, T), ('huge', np.full((10, d), 1e300), V)]

INT = [('bool', True, T), ('float', 2.5, T), ('zero', 0, V), ('negative', -1, V), ('str', '3', T), ('nan', float('nan'), T)]
POS = [('nan', float('nan'), V), ('inf', float('inf'), V), ('negative', -1.0, V), ('zero', 0.0, V), ('bool', True, T), ('str', '1', T)]
NONNEG = [('nan', float('nan'), V), ('inf', float('inf'), V), ('negative', -1e-3, V), ('bool', True, T), ('str', '0', T)]
OPTION = [('unknown', 'nope', V), ('int', 3, T), ('none', None, T)]
BOOL = [('str', 'yes', T), ('int', 1, T), ('float', 0.0, T)]
SEED = [('negative', -1, V), ('float', 1.5, T), ('str', 'x', T), ('bool', True, T)]
STEPS = INT   # n_steps

CASES = []
def add(entry, arg, kinds, make, name=None):
    "Cases for `entry` × bad values of `arg`: make(value) -> (object or None, call)."
    for kind, value, exc in kinds:
        CASES.append(pytest.param(make, value, exc, name or arg, id=f"{entry}-{arg}-{kind}"))

def params(entry, cls, base, data, spec, call=lambda m, d: m.fit(d)):
    for arg, kinds in spec.items():
        add(entry, arg, kinds, lambda v, arg=arg: (lambda m: (m, lambda: call(m, data)))(cls(**{**base, arg: v})))

# --- SampledRNN -------------------------------------------------------------------------------------------------------
params('SampledRNN', SampledRNN, FAST, X, dict(
    width=INT, max_width=INT, sampler=OPTION, activation=OPTION, mode=OPTION, solver=OPTION, backend=[('unknown', 'tpu', V)],
    ridge=NONNEG, denoise=NONNEG[:-1] + [('str', 'smooth', V), ('str', '0', V), ('savgol even window', 'savgol-30-7', V), ('savgol order too high', 'savgol-7-7', V)], bound=NONNEG, random_scale=POS,
    block_rows=INT[:-1], seed=SEED, koopman=BOOL, include_state=BOOL + [('none', None, T)], include_const=BOOL, input_in_layer=BOOL,
    progress=BOOL, ring=[("str", "yes", V), ("int", 1, T), ("none", None, T)], memory=[("str", "yes", V), ("int", 1, T), ("none", None, T)]))
add('SampledRNN.fit', 'ring', [('true on 3 coordinates', True, V)], lambda v: (lambda m: (m, lambda: m.fit(X)))(SampledRNN(**{**FAST, 'width': 'auto', 'solver': 'auto', 'ring': v})))
add('SampledRNN.fit', 'X', data_bad(X), lambda v: (lambda m: (m, lambda: m.fit(v)))(SampledRNN(**FAST)))
add('SampledRNN.fit', 'U', [c for c in data_bad(UC[0]) if c[0] != 'none'], lambda v: (lambda m: (m, lambda: m.fit(XC[0], v)))(SampledRNN(**FAST)))
add('SampledRNN.refit', 'X', data_bad(X)[:8], lambda v: (RNN, lambda: RNN.fit(v)))
add('SampledRNN.forecast', 'x0', states_bad(3), lambda v: (None, lambda: RNN.forecast(v, 5)))
add('SampledRNN.forecast', 'n_steps', STEPS, lambda v: (None, lambda: RNN.forecast(X[0], v)))
add('SampledRNN.forecast_from', 'history', history_bad(3), lambda v: (None, lambda: RNN.forecast_from(v, 5)))
add('SampledRNN.forecast_from', 'n_steps', STEPS, lambda v: (None, lambda: RNN.forecast_from(X[:10], v)))
add('SampledRNN.spectrum', 'dt', POS, lambda v: (None, lambda: CMODEL.spectrum(v)))
add('SampledRNN.forecast', 'u', [('complex', np.ones((5, 1)) + 1j, T), ('nan', np.full((5, 1), np.nan), V), ('shape', np.ones((4, 1)), V),
                                 ('str', np.full((5, 1), 'a'), T)], lambda v: (None, lambda: CMODEL.forecast(XC[0, 0], 5, u=v)))

# --- DelayRNN ---------------------------------------------------------------------------------------------------------
DBASE = dict(delays=3, stride=2, width=20)
params('DelayRNN', DelayRNN, DBASE, Y1, dict(
    delays=INT, stride=INT, width=INT, sampler=OPTION, activation=OPTION, solver=OPTION, ridge=NONNEG, random_scale=POS,
    input_in_layer=BOOL, seed=SEED, progress=BOOL))
add('DelayRNN.fit', 'X', [c for c in data_bad(Y1[:, None]) if c[0] not in ('scalar',)],
    lambda v: (lambda m: (m, lambda: m.fit(v)))(DelayRNN(**DBASE)))
add('DelayRNN.refit', 'X', data_bad(Y1[:, None])[:7], lambda v: (DELAY, lambda: DELAY.fit(v)))
add('DelayRNN.forecast_from', 'history', [c for c in history_bad(1) if c[0] != 'empty'], lambda v: (None, lambda: DELAY.forecast_from(v, 5)))
add('DelayRNN.forecast_from', 'n_steps', STEPS, lambda v: (None, lambda: DELAY.forecast_from(Y1[:20], v)))

# --- LocalRNN ---------------------------------------------------------------------------------------------------------
LBASE = dict(radius=1, width=10, ridge=0.0)
params('LocalRNN', LocalRNN, LBASE, RING, dict(
    radius=[('bool', True, T), ('float', 1.5, T), ('negative', -1, V), ('str', '1', T), ('too_wide', 4, V)],
    width=INT, ridge=NONNEG, sampler=OPTION + [('aswim', 'aswim', V)], activation=OPTION,
    validation_starts=INT, validation_steps=INT, seed=SEED, progress=BOOL, bound=NONNEG))
add('LocalRNN.fit', 'X', data_bad(RING), lambda v: (lambda m: (m, lambda: m.fit(v)))(LocalRNN(**LBASE)))
add('LocalRNN.forecast', 'x0', states_bad(8), lambda v: (None, lambda: LOCAL.forecast(v, 5)))
add('LocalRNN.forecast', 'n_steps', STEPS, lambda v: (None, lambda: LOCAL.forecast(RING[0], v)))
add('LocalRNN.forecast_from', 'history', history_bad(8), lambda v: (None, lambda: LOCAL.forecast_from(v, 5)))

# --- EDMD, sampling ---------------------------------------------------------------------------------------------------
add('edmd', 'X', data_bad(X), lambda v: (None, lambda: edmd(v, LAYER)))
for arg, kinds in dict(ridge=NONNEG, rcond=NONNEG, solver=OPTION, targets=OPTION, include_state=BOOL, include_const=BOOL,
                       block_rows=INT[:-1]).items():
    add('edmd', arg, kinds, lambda v, arg=arg: (None, lambda: edmd(X, LAYER, **{arg: v})))
add('edmd', 'U', [c for c in data_bad(X[:-1, :1]) if c[0] != 'none'], lambda v: (None, lambda: edmd(X, LAYER, U=v)))
for arg, kinds in dict(d=INT, n_inputs=INT[:2] + [('negative', -1, V)], solver=OPTION, block_rows=INT[:-1], include_state=BOOL).items():
    add('EDMD', arg, kinds, lambda v, arg=arg: (None, lambda: EDMD(LAYER, **{'d': 3, arg: v})))
add('EDMD', 'layer', [('array', np.ones((3, 3)), T), ('none', None, T)], lambda v: (None, lambda: EDMD(v, 3)))
add('EDMD.add', 'X', data_bad(X), lambda v: (lambda e: (e, lambda: e.add(v)))(EDMD(LAYER, 3)))
for arg, kinds in dict(n_features=INT, n_targets=INT, method=OPTION, block_rows=INT[:-1]).items():
    add('LstsqAccumulator', arg, kinds, lambda v, arg=arg: (None, lambda: LstsqAccumulator(**{**dict(n_features=3, n_targets=1), arg: v})))
ACC = LstsqAccumulator(3, 1).update(XO, YO)
add('LstsqAccumulator.solve', 'ridge', NONNEG, lambda v: (None, lambda: ACC.solve(ridge=v)))
add('LstsqAccumulator.solve', 'rank', OPTION, lambda v: (None, lambda: ACC.solve(rank=v)))
add('koopman_spectrum', 'dt', POS, lambda v: (None, lambda: koopman_spectrum(np.eye(3), v)))
add('koopman_spectrum', 'K', [('nan', np.full((3, 3), np.nan), V), ('complex', np.eye(3) + 1j, T), ('not_square', np.ones((3, 2)), V),
                              ('str', np.full((2, 2), 'a'), T), ('empty', np.ones((0, 0)), V)], lambda v: (None, lambda: koopman_spectrum(v)))
add('sample_layer', 'X', [c for c in data_bad(X) if c[0] not in ('empty_list',)], lambda v: (None, lambda: sample_layer(v, 10, 'uswim')))
for arg, kinds in dict(width=INT, sampler=OPTION, activation=OPTION, random_scale=POS, eps=POS, repetitions=INT, seed=SEED).items():
    add('sample_layer', arg, kinds, lambda v, arg=arg: (None, lambda: sample_layer(X, **{**dict(width=10, sampler='random'), arg: v})))
add('sample_layer', 'fX', [('nan', np.full((300, 3), np.nan), V), ('complex', X + 1j, T), ('rows', X[:10], V)],
    lambda v: (None, lambda: sample_layer(X, 10, 'swim', fX=v)))
add('as_trajectories', 'X', data_bad(X), lambda v: (None, lambda: as_trajectories(v)))

# --- control ----------------------------------------------------------------------------------------------------------
for arg, kinds in dict(horizon=INT, integral_gain=NONNEG[:-1] + [('above_one', 2.0, V)],
                       Q=[('nan', np.nan, V), ('negative', -1.0, V), ('complex', 1j, T), ('str', 'a', T), ('shape', [1.0, 2.0, 3.0], V)],
                       R=[('nan', np.nan, V), ('negative', -1.0, V), ('str', 'a', T)],
                       u_min=[('nan', np.nan, V), ('above_max', 2.0, V), ('str', 'a', T)],
                       outputs=[('float', [0.7], T), ('out_of_range', [5], V), ('negative', [-1], V), ('empty', [], V),
                                ('duplicate', [0, 0], V), ('bool', True, T), ('str', ['x'], T)]).items():
    add('MPC', arg, kinds, lambda v, arg=arg: (None, lambda: MPC(CMODEL, **{'horizon': 5, arg: v})))
add('MPC', 'model', [('unfitted', SampledRNN(), V), ('str', 'model', V)], lambda v: (None, lambda: MPC(v)))
add('MPC.control', 'x', states_bad(2)[:6], lambda v: (None, lambda: MPC0.control(v, REF)))
add('MPC.control', 'reference', history_bad(1)[:4] + [('short', REF[:2], V)], lambda v: (None, lambda: MPC0.control(XC[0, 0], v)))
for arg, kinds in dict(substeps=INT, dt=POS, n_steps=STEPS, name=[('int', 3, T)]).items():
    add('closed_loop', arg, kinds, lambda v, arg=arg: (None, lambda: closed_loop(MPC0, VDP, np.array([0.5, 0.0]), REF, **{arg: v})))
add('closed_loop', 'x0', states_bad(2)[:6], lambda v: (None, lambda: closed_loop(MPC0, VDP, v, REF)))
add('closed_loop', 'reference', history_bad(1)[:4], lambda v: (None, lambda: closed_loop(MPC0, VDP, np.array([0.5, 0.0]), v)))
add('closed_loop', 'controller', [('none', None, T), ('str', 'mpc', T)], lambda v: (None, lambda: closed_loop(v, VDP, np.zeros(2), REF)))
add('ClosedLoop.rms', 'last', INT + [('too_many', 10_000, V)], lambda v: (None, lambda: RUN.rms(v)))
add('bounded_lstsq', 'A', [('nan', np.full((3, 2), np.nan), V), ('complex', np.ones((3, 2)) + 1j, T), ('str', np.full((3, 2), 'a'), T),
                           ('ndim1', np.ones(3), V)], lambda v: (None, lambda: bounded_lstsq(v, np.ones(3), np.zeros(2), np.ones(2))))
add('bounded_lstsq', 'b', [('nan', np.full(3, np.nan), V), ('rows', np.ones(4), V), ('complex', np.ones(3) + 1j, T)],
    lambda v: (None, lambda: bounded_lstsq(np.ones((3, 2)), v, np.zeros(2), np.ones(2))))
add('bounded_lstsq', 'lb', [('above_ub', np.full(2, 2.0), V), ('nan', np.full(2, np.nan), V), ('shape', np.zeros(3), V), ('str', ['a', 'b'], T)],
    lambda v: (None, lambda: bounded_lstsq(np.ones((3, 2)), np.ones(3), v, np.ones(2))))
add('DMDc', 'ridge', NONNEG, lambda v: (lambda m: (m, lambda: m.fit(XC, UC)))(DMDc(ridge=v)))
add('DMDc.fit', 'X', data_bad(XC[0])[:8], lambda v: (lambda m: (m, lambda: m.fit(v, UC[0])))(DMDc()))
add('DMDc.fit', 'U', data_bad(UC[0])[:8], lambda v: (lambda m: (m, lambda: m.fit(XC[0], v)))(DMDc()))
for arg, kinds in dict(kind=OPTION, period=POS, dt=POS, n_steps=STEPS, amplitude=[('nan', np.nan, V), ('str', 'a', T)]).items():
    add('periodic_reference', arg, kinds, lambda v, arg=arg: (None, lambda: periodic_reference(**{arg: v})))

# --- networks and optimisers ------------------------------------------------------------------------------------------
add('MLP', 'sizes', [('float', [3, 2.5], T), ('bool', [3, True], T), ('zero', [3, 0], V), ('one_layer', [3], V), ('int', 3, T),
                     ('str', [3, '2'], T)], lambda v: (None, lambda: MLP(v)))
add('MLP', 'gain', POS, lambda v: (None, lambda: MLP([3, 2], gain=v)))
add('MLP', 'activation', [('unknown', 'gelu', V), ('int', 3, T)], lambda v: (None, lambda: MLP([3, 2], v)))
for arg in ('n_in', 'n_hidden', 'n_out'):
    add('ElmanRNN', arg, INT, lambda v, arg=arg: (None, lambda: ElmanRNN(**{**dict(n_in=1, n_hidden=4, n_out=1), arg: v})))
OPTIMISERS = dict(RandomSearch=(RandomSearch, dict(n_candidates=INT, sigma=POS)),
                  EKI=(EKI, dict(ensemble_size=INT + [('one', 1, V)], step=OPTION, dt=POS, gamma=POS, noise=NONNEG,
                                 inflation=[('below_one', 0.5, V), ('nan', np.nan, V), ('inf', np.inf, V)], momentum=NONNEG[:3],
                                 perturb=BOOL)),
                  SubspaceEnKF=(SubspaceEnKF, dict(n_directions=INT, sigma=POS, damping=NONNEG, step_sizes=[('empty', (), T), ('nan', (np.nan,), V)])),
                  CoordinateSearch=(CoordinateSearch, dict(n_candidates=INT + [('one', 1, V)], init_step=POS, shrink=POS, evaluation=OPTION)))
COMMON = dict(batch_size=INT, seed=SEED, n_logs=INT, eval_size=INT, nan_policy=OPTION, clock=OPTION, loss=OPTION[:2],
              callbacks=[('not_callable', [3], T)], blas_threads=INT[:3])
fit_opt = lambda m, d: m.fit(NET, XO, YO, budget=40)
for name, (cls, spec) in OPTIMISERS.items():
    params(name, cls, {}, None, {**spec, **COMMON}, call=fit_opt)
    add(f'{name}.fit', 'X', data_bad(XO)[:7] + [('ndim1', XO[:, 0], V), ('rows', XO[:30], V)],
        lambda v, cls=cls: (lambda m: (m, lambda: m.fit(NET, v, YO, budget=40)))(cls()))
    add(f'{name}.fit', 'y', data_bad(YO)[:7], lambda v, cls=cls: (lambda m: (m, lambda: m.fit(NET, XO, v, budget=40)))(cls()))
    add(f'{name}.fit', 'budget', [('nan', np.nan, V), ('zero', 0, V), ('inf', np.inf, V), ('str', '10', T), ('bool', True, T)],
        lambda v, cls=cls: (lambda m: (m, lambda: m.fit(NET, XO, YO, budget=v)))(cls()))
    add(f'{name}.fit', 'init', [('nan', np.full(NET.n_params, np.nan), V), ('shape', np.ones(3), V), ('complex', np.ones(NET.n_params) + 1j, T)],
        lambda v, cls=cls: (lambda m: (m, lambda: m.fit(NET, XO, YO, budget=40)))(cls(init=v)))
add('Hybrid', 'switch', [('zero', 0.0, V), ('one', 1.0, V), ('nan', np.nan, V), ('str', 'half', T)],
    lambda v: (lambda m: (m, lambda: m.fit(NET, XO, YO, budget=40)))(Hybrid(EKI(ensemble_size=5), then=RandomSearch(), switch=v)))
add('Hybrid', 'first', [('none', None, T), ('str', 'eki', T)], lambda v: (lambda m: (m, lambda: m.fit(NET, XO, YO, budget=40)))(Hybrid(v)))

# --- baselines and data files -----------------------------------------------------------------------------------------
try: import reservoirpy; HAVE_RESERVOIRPY = True
except ImportError: HAVE_RESERVOIRPY = False
if HAVE_RESERVOIRPY:
  params('ESN', ESN, dict(units=20, warmup=10), X, dict(
      units=INT, spectral_radius=POS, leak=POS + [('above_one', 2.0, V)], alpha=NONNEG, ridge=NONNEG, readout=OPTION, washout=INT[:2] + [('negative', -1, V)],
      rc_connectivity=POS, seed=SEED, val_fraction=[('one', 1.0, V), ('nan', np.nan, V)], grid=[('list', [1], T)]))
  params('NVAR', NVAR, dict(warmup=10), X, dict(delay=INT, strides=INT, order=INT, alpha=NONNEG, ridge=NONNEG, seed=SEED))
  add('ESN.fit', 'X', data_bad(X), lambda v: (lambda m: (m, lambda: m.fit(v)))(ESN(units=20)))
  add('NVAR.fit', 'X', data_bad(X), lambda v: (lambda m: (m, lambda: m.fit(v)))(NVAR()))
add('vega_data_file', 'name', [('parent', '../__init__.py', V), ('absolute', '/etc/passwd', V), ('folder', 'a/b.csv', V), ('empty', '', V),
                               ('dotdot', '..', V), ('int', 3, T), ('none', None, T), ('missing', 'no-such-file.csv', FileNotFoundError)],
    lambda v: (None, lambda: vega_data_file(v)))

def _snapshot(obj): return None if obj is None else (dict(vars(obj)), {k: id(v) for k, v in vars(obj).items()})

@pytest.mark.parametrize('make, value, exc, name', CASES)
def test_bad_input(make, value, exc, name):
    obj, call = make(value)
    before = _snapshot(obj)
    with warnings.catch_warnings():
        warnings.simplefilter('error', np.exceptions.ComplexWarning if hasattr(np, 'exceptions') else np.ComplexWarning)
        with pytest.raises((ValueError, TypeError, FileNotFoundError)) as info: call()
    assert isinstance(info.value, exc), f"{type(info.value).__name__}: {info.value}"
    assert name in str(info.value), str(info.value)
    if obj is not None:   # a failed call leaves the object as it was
        state, ids = before
        assert set(vars(obj)) == set(state) and all(id(v) == ids[k] for k, v in vars(obj).items())

def test_matrix_size(): assert len(CASES) >= 500

# --- what users hold: the same model from arrays, tables and lists ------------------------------------------------------
try: import pandas as pd
except ImportError: pd = None
needs_pandas = pytest.mark.skipif(pd is None, reason='pandas is not installed')

def _same(make, data, alt):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a, b = make().fit(data), make().fit(alt)
    return a, b

@needs_pandas
@pytest.mark.parametrize('kind', ['DataFrame', 'fortran', 'float32', 'list', 'bigendian'])
def test_rnn_from_what_users_hold(kind):
    alt = dict(DataFrame=pd.DataFrame(X, columns=list('xyz')), fortran=np.asfortranarray(X), float32=X.astype(np.float32),
               list=X.tolist(), bigendian=X.astype('>f8'))[kind]
    a, b = _same(lambda: SampledRNN(**FAST), X.astype(np.float32) if kind == 'float32' else X, alt)
    np.testing.assert_array_equal(a.A_, b.A_)

@needs_pandas
def test_dataframe_same_model_everywhere():
    frame = pd.DataFrame(X, columns=list('xyz'))
    for make in (lambda: SampledRNN(**FAST), lambda: SampledRNN(width=20, solver='qr', mode='koopman'), lambda: LocalRNN(radius=1, width=10, ridge=0.0)):
        data = RING if 'Local' in type(make()).__name__ else X
        a, b = _same(make, data, pd.DataFrame(data))
        np.testing.assert_array_equal(a.A_, b.A_)
    a, b = _same(lambda: DelayRNN(**DBASE), Y1, pd.Series(Y1))
    np.testing.assert_array_equal(a.rnn_.A_, b.rnn_.A_)
    np.testing.assert_array_equal(edmd(X, LAYER)['A'], edmd(frame, LAYER)['A'])
    for make in ((lambda: ESN(units=20, warmup=10), lambda: NVAR(warmup=10)) if HAVE_RESERVOIRPY else ()):
        a, b = _same(make, X, frame)
        np.testing.assert_array_equal(a.forecast(X[0], 5), b.forecast(X[0], 5))
    a, b = DMDc().fit(XC[0], UC[0]), DMDc().fit(pd.DataFrame(XC[0]), pd.DataFrame(UC[0]))
    np.testing.assert_array_equal(a.K_, b.K_)
    np.testing.assert_array_equal(RNN.forecast(frame.iloc[0], 5), RNN.forecast(X[0], 5))

@needs_pandas
def test_dataarray_same_model():
    xr = pytest.importorskip('xarray')
    da = xr.DataArray(X, dims=('time', 'variable'))
    a, b = _same(lambda: SampledRNN(**FAST), X, da)
    np.testing.assert_array_equal(a.A_, b.A_)
    if HAVE_RESERVOIRPY:
        a, b = _same(lambda: NVAR(warmup=10), X, da)
        np.testing.assert_array_equal(a.forecast(X[0], 5), b.forecast(X[0], 5))

@needs_pandas
def test_trajectories_of_different_lengths_as_tables():
    parts = [pd.DataFrame(X[:120]), X[120:300].tolist()]
    a, b = _same(lambda: SampledRNN(**FAST), [X[:120], X[120:]], parts)
    np.testing.assert_array_equal(a.A_, b.A_)
