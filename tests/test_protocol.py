"""The forecaster protocol (nbs/03_checks.ipynb), one parametrised test over every forecasting model:
`fit(X, U=None) -> self`, `fit_seconds_`, `n_features_in_`, `forecast` for one start and a batch (row k is the
forecast from start k), `forecast_from` a history and a batch of them, keyword-only hyperparameters, `backend=`."""
import importlib.util, inspect, warnings
import numpy as np, pytest
from gfrnn_nb.checks import Forecaster, check_forecaster
from gfrnn_nb.systems import lorenz63, van_der_pol, trajectories, random_inputs
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.delay import DelayRNN
from gfrnn_nb.local import LocalRNN
from gfrnn_nb.control import DMDc, linear_predictor
from gfrnn_nb.baselines import ESN, NVAR, TorchRNN, EKIElman
from gfrnn_nb.weather import LinearDelayRidge, Climatology

needs = lambda mod: pytest.mark.skipif(importlib.util.find_spec(mod) is None, reason=f'{mod} is not installed')

# (model, whether it is fitted with inputs); every case is tiny: the whole file runs in seconds
CASES = {
    'SampledRNN':           (lambda: SampledRNN(width=30, solver='qr', seed=0, backend='numpy', progress=False), False),
    'SampledRNN-inputs':    (lambda: SampledRNN(width=30, sampler='random', solver='qr', ridge=1e-8, seed=0, backend='numpy'), True),
    'DelayRNN':             (lambda: DelayRNN(delays=3, stride=2, width=30, seed=0, backend='numpy'), False),
    'DelayRNN-inputs':      (lambda: DelayRNN(delays=2, stride=1, width=30, sampler='random', ridge=1e-8, seed=0, backend='numpy'), True),
    'LocalRNN':             (lambda: LocalRNN(radius=1, width=20, ridge=0.0, seed=0), False),
    'DMDc':                 (lambda: DMDc(ridge=1e-8), True),
    'LinearDelayRidge':     (lambda: LinearDelayRidge(delays=3, stride=2), False),
    'LinearDelayRidge-inputs': (lambda: LinearDelayRidge(delays=2), True),
    'ESN':                  (lambda: ESN(units=30, washout=10, seed=0), False),
    'NVAR':                 (lambda: NVAR(delay=2, strides=2), False),
    'TorchRNN':             (lambda: TorchRNN(cell='gru', hidden=4, window=10, budget_seconds=0.2, eval_every=5, seed=0), False),
    'EKIElman':             (lambda: EKIElman(hidden=4, window=3, ensemble_size=8, batch_size=64, budget_seconds=0.2, seed=0), False),
}
MARKS = {'ESN': needs('reservoirpy'), 'NVAR': needs('reservoirpy'), 'TorchRNN': needs('torch')}
PARAMS = [pytest.param(k, id=k, marks=MARKS.get(k, ())) for k in CASES]

@pytest.fixture(scope='module')
def lorenz(): return trajectories(lorenz63(), 2, 400, seed=0), None

@pytest.fixture(scope='module')
def forced():
    U = random_inputs(6, 200, hold=10, seed=0)
    return trajectories(van_der_pol(), 6, 200, u=U, seed=0), U

@pytest.fixture(scope='module')
def fitted(lorenz, forced):
    "Every model fitted once (a dict name -> (model, X, U, what fit returned, its parameters before the fit))."
    cache = {}
    def get(name):
        if name not in cache:
            make, inputs = CASES[name]
            X, U = forced if inputs else lorenz
            m = make()
            params = m.get_params()
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', RuntimeWarning)     # a tiny model may leave the data's range
                cache[name] = m, X, U, m.fit(X, U), params
        return cache[name]
    return get

def _start(m, x, t):
    "The state at step t of trajectory x: one observation, or for a delay model (a `window` property) the window that ends at t."
    w = m.window if isinstance(getattr(type(m), 'window', None), property) else None
    return x[t - w:t + 1] if w else x[t]

def _inputs(U, i, t, n): return None if U is None else U[i, t:t + n]

@pytest.mark.parametrize('name', PARAMS)
def test_signatures_follow_the_protocol(name):
    cls = type(CASES[name][0]())
    assert check_forecaster(cls) == []
    init = inspect.signature(cls.__init__).parameters
    first = next(iter(p for p in init if p != 'self'))
    with pytest.raises(TypeError): cls(1)          # hyperparameters are keyword-only
    with pytest.raises(TypeError): cls(**{first: init[first].default}, xp=np)
    if 'backend' in init: assert init['backend'].default == 'auto'

@pytest.mark.parametrize('name', PARAMS)
def test_fit_returns_self_and_sets_the_fitted_attributes(name, fitted):
    m, X, U, returned, params = fitted(name)
    assert returned is m
    assert m.get_params() == params                # fit never changes hyperparameters
    assert isinstance(m.fit_seconds_, float) and m.fit_seconds_ > 0
    assert m.n_features_in_ == X.shape[-1]
    assert isinstance(m, Forecaster)

@pytest.mark.parametrize('name', PARAMS)
def test_forecast_from_one_start_and_a_batch(name, fitted):
    m, X, U, _, _ = fitted(name)
    n, d, ts = 5, X.shape[-1], (20, 60, 110)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        singles = [m.forecast(_start(m, X[0], t), n, u=_inputs(U, 0, t, n)) for t in ts]
        batch = m.forecast(np.stack([_start(m, X[0], t) for t in ts]), n,
                           u=None if U is None else np.stack([U[0, t:t + n] for t in ts]))
    assert singles[0].shape == (n, d)
    assert batch.shape == (len(ts), n, d)
    assert np.isfinite(batch).all()                  # a fitted model forecasts finite states on its own data
    for k, s in enumerate(singles): np.testing.assert_allclose(batch[k], s, rtol=1e-5, atol=1e-6 * np.abs(X).max())
    assert not np.allclose(singles[0], singles[1])  # the forecast depends on its start
    for s, t in zip(singles, ts): assert not np.allclose(s[0], X[0, t])   # the start is not repeated as the first row

@pytest.mark.parametrize('name', [p for p in PARAMS if p.values[0] in ('SampledRNN', 'SampledRNN-inputs', 'LocalRNN', 'DMDc')])
def test_a_markov_forecast_continues_from_its_own_last_row(name, fitted):
    "Row k is the state k+1 steps after the start: two steps are one step from the first step's result."
    m, X, U, _, _ = fitted(name)
    x0, u = X[0, 40], _inputs(U, 0, 40, 2)
    two = m.forecast(x0, 2, u=u)
    np.testing.assert_allclose(two[0], m.forecast(x0, 1, u=None if u is None else u[:1])[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(two[1], m.forecast(two[0], 1, u=None if u is None else u[1:])[0], rtol=1e-8, atol=1e-10)

@pytest.mark.parametrize('name', PARAMS)
def test_forecast_from_a_history_and_a_batch_of_them(name, fitted):
    m, X, U, _, _ = fitted(name)
    n, d, T = 4, X.shape[-1], 80
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        one = m.forecast_from(X[0, :T], n, u=_inputs(U, 0, T - 1, n))
        both = m.forecast_from(X[:2, :T], n, u=None if U is None else U[:2, T - 1:T - 1 + n])
    assert one.shape == (n, d) and both.shape == (2, n, d)
    np.testing.assert_allclose(both[0], one, rtol=1e-5, atol=1e-6 * np.abs(X).max())

@pytest.mark.parametrize('name', PARAMS)
def test_inputs_are_checked_by_name(name, fitted):
    m, X, U, _, _ = fitted(name)
    x0 = _start(m, X[0], 50)
    if U is None:
        with pytest.raises(ValueError, match=r'\bu\b'): m.forecast(x0, 3, u=np.zeros((3, 1)))
        with pytest.raises(ValueError, match=r'\bu\b'): m.forecast_from(X[0, :60], 3, u=np.zeros((3, 1)))
    else:
        with pytest.raises(ValueError, match=r'\bu\b'): m.forecast(x0, 3)

@pytest.mark.parametrize('name', [p for p in PARAMS if p.values[0] in ('LocalRNN', 'ESN', 'NVAR', 'TorchRNN', 'EKIElman')])
def test_a_model_without_inputs_refuses_U(name, lorenz):
    X, _ = lorenz
    with pytest.raises(ValueError, match=r'\bU\b'): CASES[name][0]().fit(X, np.zeros((2, 399, 1)))

def test_a_model_with_inputs_asks_for_U(lorenz):
    X, _ = lorenz
    with pytest.raises(ValueError, match=r'\bU\b'): DMDc().fit(X)

@pytest.mark.parametrize('name', [p for p in PARAMS if p.values[0] in ('SampledRNN', 'DelayRNN', 'LocalRNN', 'DMDc', 'LinearDelayRidge', 'NVAR')])
def test_fit_takes_a_list_of_trajectories(name, fitted):
    "A list of (T_k, d) arrays is the same data as one (n_traj, T, d) array: the same model (deterministic fits only)."
    m, X, U, _, _ = fitted(name)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        again = CASES[name][0]().fit(list(X), None if U is None else list(U))
        x0, u = _start(m, X[1], 60), _inputs(U, 1, 60, 4)
        np.testing.assert_allclose(again.forecast(x0, 4, u=u), m.forecast(x0, 4, u=u), rtol=1e-10, atol=1e-10)

def test_a_linear_predictor_forecasts_like_its_model(fitted):
    "The lifted linear model of a fitted DMDc: built, not fitted, it answers forecast and forecast_from the same way."
    m, X, U, _, _ = fitted('DMDc')
    lp, ts, n = linear_predictor(m), (20, 60), 5
    batch = lp.forecast(np.stack([X[0, t] for t in ts]), n, u=np.stack([U[0, t:t + n] for t in ts]))
    assert batch.shape == (2, n, X.shape[-1]) and lp.n_features_in_ == X.shape[-1]
    for k, t in enumerate(ts): np.testing.assert_allclose(batch[k], m.forecast(X[0, t], n, u=U[0, t:t + n]), rtol=1e-12)
    np.testing.assert_allclose(lp.forecast_from(X[0, :61], n, u=U[0, 60:60 + n]), batch[1], rtol=1e-12)
    with pytest.raises(ValueError, match=r'\bu\b'): lp.forecast(X[0, 20], n)

@pytest.mark.parametrize('what', ['EDMD', 'LstsqAccumulator', 'NestedLstsq'])
def test_the_old_backend_name_xp_still_works_with_a_deprecation_warning(what, lorenz):
    from gfrnn_nb.sampling import sample_layer
    from gfrnn_nb.edmd import EDMD, LstsqAccumulator
    from gfrnn_nb.selection import NestedLstsq
    X, _ = lorenz
    make = dict(EDMD=lambda **kw: EDMD(sample_layer(X[0], 10, sampler='uswim', seed=0), 3, **kw),
                LstsqAccumulator=lambda **kw: LstsqAccumulator(5, 2, **kw),
                NestedLstsq=lambda **kw: NestedLstsq(sample_layer(X[0], 10, sampler='uswim', seed=0), 3, **kw))[what]
    with pytest.warns(DeprecationWarning, match=f'{what}\\(xp=...\\) is deprecated: pass backend='): old = make(xp=np)
    new = make(backend='numpy')
    acc = lambda o: getattr(o, 'acc', o)
    assert acc(old).xp is acc(new).xp is np

def test_climatology_fits_X_first_and_keeps_the_old_order_with_a_warning():
    time = np.arange('2012-01-01', '2014-01-01', dtype='datetime64[D]')
    X = np.stack([np.sin(2 * np.pi * np.arange(len(time)) / 365.25), np.ones(len(time))], axis=1)
    with pytest.raises(TypeError): Climatology(3)
    c = Climatology(yearly=1)
    assert c.fit(X, time=time) is c and c.n_features_in_ == 2 and c.fit_seconds_ >= 0
    np.testing.assert_allclose(c.predict(time), X, atol=1e-2)
    with pytest.warns(DeprecationWarning, match='fit\\(X, time=time\\)'): old = Climatology(yearly=1).fit(time, X)
    np.testing.assert_array_equal(old.coef_, c.coef_)
    with pytest.raises(ValueError, match=r'\bU\b'): Climatology().fit(X, np.zeros((len(X) - 1, 1)), time=time)

@needs('reservoirpy')
def test_old_penalty_names_still_work_with_a_deprecation_warning(lorenz):
    X, _ = lorenz
    with pytest.warns(DeprecationWarning, match='alpha'): old = NVAR(ridge=1e-3).fit(X)
    np.testing.assert_allclose(old.forecast(X[0, 50], 4), NVAR(alpha=1e-3).fit(X).forecast(X[0, 50], 4))
    with pytest.warns(DeprecationWarning, match='alpha'): old = ESN(units=20, washout=5, ridge=1e-3, seed=0).fit(X)
    np.testing.assert_allclose(old.forecast(X[0, 50], 4), ESN(units=20, washout=5, alpha=1e-3, seed=0).fit(X).forecast(X[0, 50], 4))

@pytest.mark.parametrize('name', ['RandomSearch', 'EKI', 'SubspaceEnKF', 'CoordinateSearch', 'Adam', 'Hybrid'])
def test_optimisers_fit_returns_self_with_the_run_on_result_(name):
    from gfrnn_nb.nets import MLP
    from gfrnn_nb.optimizer import RandomSearch, FitResult
    from gfrnn_nb.eki import EKI
    from gfrnn_nb.enkf import SubspaceEnKF
    from gfrnn_nb.search import CoordinateSearch
    from gfrnn_nb.hybrid import Adam, Hybrid
    if name in ('Adam', 'Hybrid') and importlib.util.find_spec('torch') is None: pytest.skip('torch is not installed')
    cls = dict(RandomSearch=RandomSearch, EKI=EKI, SubspaceEnKF=SubspaceEnKF, CoordinateSearch=CoordinateSearch, Adam=Adam, Hybrid=Hybrid)[name]
    X = np.random.default_rng(0).normal(size=(60, 3)); y = X @ np.array([[1.0], [-2.0], [0.5]])
    opt = cls(EKI(ensemble_size=5, seed=0), then=RandomSearch(seed=0)) if name == 'Hybrid' else cls(seed=0)
    assert opt.fit(MLP([3, 4, 1]), X, y, budget=40) is opt
    assert isinstance(opt.result_, FitResult) and opt.result_.params.shape == (MLP([3, 4, 1]).n_params,)
    init = inspect.signature(cls.__init__).parameters
    assert all(p.kind == p.KEYWORD_ONLY for k, p in init.items() if k not in ('self', 'first', 'kwargs'))
    assert opt.backend == 'auto'                   # the one default every backend keyword has
