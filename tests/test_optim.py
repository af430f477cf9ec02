"Tests for the gradient-free optimisers: reference updates, backend parity, bad input, invariants."
import warnings
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.nets import MLP, ElmanRNN
from gfrnn_nb.optimizer import RandomSearch, check_data
from gfrnn_nb.eki import EKI, eki_update, eki_step_size


def _reg_data(n=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, np.sin(X[:, :1]) + 0.1 * X[:, 1:2]


def _cls_data(n=80, d=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 1).astype(int)


# ---------- EKI ----------

@settings(max_examples=25, deadline=None)
@given(J=st.integers(2, 7), P=st.integers(1, 6), d=st.integers(1, 6), dt=st.floats(0.01, 10),
       gamma=st.floats(0.1, 5), seed=st.integers(0, 2**31), perturbed=st.booleans())
def test_eki_update_matches_dense_reference(J, P, d, dt, gamma, seed, perturbed):
    rng = np.random.default_rng(seed)
    Th, G = rng.normal(size=(J, P)), rng.normal(size=(J, d))
    Y = rng.normal(size=(J, d) if perturbed else d)
    Tc, Gc = Th - Th.mean(0), G - G.mean(0)
    Ctg, Cgg = Tc.T @ Gc / J, Gc.T @ Gc / J              # P x d and d x d: the dense textbook form
    ref = np.stack([dt * Ctg @ np.linalg.solve(dt * Cgg + gamma * np.eye(d), (Y[j] if perturbed else Y) - G[j])
                    for j in range(J)])
    np.testing.assert_allclose(eki_update(Th, G, Y, dt, gamma), ref, atol=1e-9, rtol=1e-7)


def test_eki_adaptive_step_uses_D():
    rng = np.random.default_rng(0)
    G, Y = rng.normal(size=(5, 4)), rng.normal(size=4)
    D = np.array([[(G[k] - G.mean(0)) @ (G[j] - Y) / 2.0 for k in range(5)] for j in range(5)])
    np.testing.assert_allclose(eki_step_size(G, Y, 2.0, 'adaptive', 3.0), 3.0 / np.linalg.norm(D), rtol=1e-10)


def test_eki_strict_parity():
    X, y = _cls_data()
    net = MLP([4, 6, 3])
    kw = dict(ensemble_size=8, batch_size=20, noise=0.01, momentum='nesterov', inflation=1.01, perturb=True, seed=4)
    a = EKI(backend='numpy', **kw).fit(net, X, y, X, y, budget=200).result_
    b = EKI(backend='strict', **kw).fit(net, X, y, X, y, budget=200).result_
    np.testing.assert_allclose(a.params, b.params, atol=1e-10)
    np.testing.assert_allclose(a['val_loss'], b['val_loss'], atol=1e-10)


def test_eki_reduces_loss_on_regression():
    X, y = _reg_data(200)
    r = EKI(ensemble_size=30, step='constant', dt=0.5, seed=0).fit(MLP([3, 8, 1]), X, y, budget=3000).result_
    assert r['loss'][-1] < 0.5 * r['loss'][0]


def test_eki_trains_elman():
    t = np.arange(300) * 0.2
    w = np.lib.stride_tricks.sliding_window_view(np.sin(t), 6)
    X, y = w[:, :5, None], w[:, 5:]
    r = EKI(ensemble_size=40, step='constant', dt=0.5, seed=0).fit(ElmanRNN(1, 8, 1), X, y, budget=4000).result_
    assert r['loss'][-1] < 0.1 * r['loss'][0]


def test_eki_nan_members_resampled_or_dropped():
    class Flaky(MLP):
        def __call__(self, theta, X):
            out = super().__call__(theta, X)
            if len(out) > 3: out[1] = np.nan
            return out
    X, y = _reg_data()
    for policy, J_after in (('resample', 10), ('drop', 9)):
        opt = EKI(ensemble_size=10, seed=0, nan_policy=policy)
        with pytest.warns(RuntimeWarning, match='1 of 10 members'):
            opt.start(Flaky([3, 4, 1]), X, y)
            opt.step()
        assert opt.Theta.shape[0] == J_after and np.isfinite(opt.Theta).all()


# ---------- shared interface / bad input ----------

@pytest.mark.parametrize('make', [lambda: EKI(ensemble_size=4), lambda: RandomSearch()])
def test_bad_input(make):
    X, y = _reg_data()
    net = MLP([3, 4, 1])
    with pytest.raises(ValueError, match='X has 60 samples but y has 59'): make().fit(net, X, y[:-1], budget=10)
    Xn = X.copy(); Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match=r'X contains NaN or inf \(1 values\)'): make().fit(net, Xn, y, budget=10)
    yn = y.copy(); yn[0] = np.inf
    with pytest.raises(ValueError, match=r'y contains NaN or inf \(1 values\)'): make().fit(net, X, yn, budget=10)
    with pytest.raises(ValueError, match='budget=0'): make().fit(net, X, y, budget=0)
    with pytest.raises(ValueError, match='budget=0.5'): make().fit(net, X, y, budget=0.5)
    with pytest.raises(ValueError, match='n_in=3'): make().fit(net, X[:, :2], y, budget=10)
    with pytest.raises(ValueError, match='X_val contains'): make().fit(net, X, y, Xn, y, budget=10)


@pytest.mark.parametrize('J', [0, 1, -3])
def test_ensemble_too_small(J):
    X, y = _reg_data()
    with pytest.raises(ValueError, match=f'ensemble_size={J}'):
        EKI(ensemble_size=J).fit(MLP([3, 4, 1]), X, y, budget=10).result_


def test_budget_respected_and_history():
    X, y = _reg_data()
    r = EKI(ensemble_size=7, seed=0).fit(MLP([3, 4, 1]), X, y, budget=100).result_
    assert 100 <= r['passes'][-1] < 107
    assert list(r['passes']) == sorted(r['passes'])
    assert set(r.history) >= {'steps', 'passes', 'seconds', 'loss', 'val_loss'}


# ---------- coordinate search ----------
from gfrnn_nb.search import CoordinateSearch, time_sweep


@settings(max_examples=12, deadline=None)
@given(sizes=st.sampled_from([[3, 4, 1], [3, 5, 4, 1], [3, 3, 3, 2], [3, 2]]),
       act=st.sampled_from(['relu', 'tanh']), seed=st.integers(0, 10_000))
def test_search_never_increases_loss(sizes, act, seed):
    X, y = _reg_data(50, seed=seed)
    y = np.repeat(y, sizes[-1], axis=1)
    opt = CoordinateSearch(seed=seed, n_logs=1000).start(MLP(sizes, act), X, y)
    losses = [opt._L]
    for _ in range(3 * opt.net.n_params):
        opt.step()
        losses.append(float(((opt.net.predict(opt.theta, X) - y) ** 2).mean()))
    assert all(b <= a + 1e-12 for a, b in zip(losses, losses[1:]))


@pytest.mark.parametrize('sizes,act,task', [([3, 5, 4, 1], 'relu', 'reg'), ([3, 4, 2], 'tanh', 'reg'),
                                             ([4, 5, 3], 'tanh', 'cls'), ([3, 4, 4, 4, 1], 'relu', 'reg'),
                                             ([3, 5, 4, 1], 'tanh', 'reg'), ([3, 5, 4, 2], 'relu', 'reg')])
def test_search_routes_identical(sizes, act, task):
    X, y = _reg_data(40) if task == 'reg' else _cls_data(40)
    if task == 'reg': y = np.repeat(y, sizes[-1], axis=1)
    net = MLP(sizes, act)
    thetas = {e: time_sweep(net, X, y, e, seed=1)[1] for e in ('naive', 'batched', 'fast')}
    np.testing.assert_allclose(thetas['fast'], thetas['naive'], atol=1e-10)
    np.testing.assert_allclose(thetas['batched'], thetas['naive'], atol=1e-10)


@pytest.mark.parametrize('kwargs', [dict(closed_form=False), dict(backend='strict'), dict(batch_size=16),
                                    dict(backend='strict', closed_form=False)])
def test_search_fast_route_options(kwargs):
    "The cached route agrees with the naive loop without the closed form, on the CuPy stand-in and on minibatches."
    X, y = _reg_data(40)
    net = MLP([3, 5, 4, 1], 'relu')
    fast = time_sweep(net, X, y, 'fast', seed=3, **kwargs)[1]
    naive = time_sweep(net, X, y, 'naive', seed=3, **{k: v for k, v in kwargs.items() if k != 'backend'})[1]
    np.testing.assert_allclose(fast, naive, atol=1e-10)


def test_search_closed_form_is_exact_minimiser():
    X, y = _reg_data(30)
    net = MLP([3, 4, 1], 'tanh')
    opt = CoordinateSearch(seed=0).start(net, X, y)
    i = net.n_params - 2                       # an output-layer weight
    d = opt.candidates(i)[-1]
    f = lambda t: float(((net.predict(np.r_[opt.theta[:i], opt.theta[i] + t, opt.theta[i + 1:]], X) - y) ** 2).mean())
    assert f(d) <= min(f(d + 1e-4), f(d - 1e-4))


def test_search_strict_parity_and_elman():
    X, y = _reg_data(40)
    a = CoordinateSearch(seed=2).fit(MLP([3, 4, 1]), X, y, budget=600).result_
    b = CoordinateSearch(seed=2, backend='strict').fit(MLP([3, 4, 1]), X, y, budget=600).result_
    np.testing.assert_allclose(a.params, b.params, atol=1e-10)
    t = np.arange(200) * 0.2
    w = np.lib.stride_tricks.sliding_window_view(np.sin(t), 5)
    r = CoordinateSearch(seed=0).fit(ElmanRNN(1, 4, 1), w[:, :4, None], w[:, 4:], budget=3000).result_
    assert r['loss'][-1] < r['loss'][0] and (np.diff(r['loss']) <= 1e-12).all()


def test_search_bad_settings():
    X, y = _reg_data()
    with pytest.raises(ValueError, match='n_candidates=1'): CoordinateSearch(n_candidates=1).fit(MLP([3, 1]), X, y, budget=5)
    with pytest.raises(ValueError, match="evaluation='x'"): CoordinateSearch(evaluation='x').fit(MLP([3, 1]), X, y, budget=5)


# ---------- subspace EnKF ----------
from gfrnn_nb.enkf import SubspaceEnKF, subspace_step


def test_enkf_strict_parity_and_learning():
    X, y = _cls_data(120)
    net = MLP([4, 6, 3])
    kw = dict(n_directions=6, batch_size=32, sigma_decay=0.99, seed=5)
    a = SubspaceEnKF(backend='numpy', **kw).fit(net, X, y, X, y, budget=2000).result_
    b = SubspaceEnKF(backend='strict', **kw).fit(net, X, y, X, y, budget=2000).result_
    np.testing.assert_allclose(a.params, b.params, atol=1e-10)
    assert a['loss'][-1] < a['loss'][0]


@settings(max_examples=15, deadline=None)
@given(K=st.integers(1, 5), B=st.integers(1, 6), out=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_subspace_step_solves_damped_gauss_newton(K, B, out, seed):
    rng = np.random.default_rng(seed)
    Q, r = rng.normal(size=(K, B, out)), rng.normal(size=(B, out))
    Qf = Q.reshape(K, -1)
    gn = Qf @ Qf.T
    z = subspace_step(Q, r, gn, damping=0.5)
    lam = 0.5 * np.trace(gn) / K + 1e-12
    np.testing.assert_allclose((gn + lam * np.eye(K)) @ z, -Qf @ r.ravel(), atol=1e-8)


def test_enkf_nan_directions_dropped():
    class Flaky(MLP):
        def __call__(self, theta, X):
            out = super().__call__(theta, X)
            if len(out) > 5: out[2] = np.nan          # one direction of each probe
            return out
    X, y = _reg_data()
    with pytest.warns(RuntimeWarning, match='1 of 6 directions'):
        r = SubspaceEnKF(n_directions=6, seed=0).fit(Flaky([3, 4, 1]), X, y, budget=100).result_
    assert np.isfinite(r.params).all()


def test_enkf_bad_settings():
    X, y = _reg_data()
    with pytest.raises(ValueError, match='n_directions=0'): SubspaceEnKF(n_directions=0).fit(MLP([3, 1]), X, y, budget=5)
    with pytest.raises(ValueError, match='sigma=0'): SubspaceEnKF(sigma=0).fit(MLP([3, 1]), X, y, budget=5)


# ---------- Adam, Hybrid, re-exports ----------

def test_reexports():
    from gfrnn_nb.optim import EKI as E, SubspaceEnKF as S, CoordinateSearch as C, Hybrid as H, Adam as A
    assert E is EKI and S is SubspaceEnKF and C is CoordinateSearch and H.__name__ == 'Hybrid' and A.__name__ == 'Adam'
    from gfrnn_nb.optim import diabetes_split as ds, digits_split as gs
    from gfrnn_nb import datasets
    assert ds is datasets.diabetes_split and gs is datasets.digits_split


def test_study_report_is_a_function_of_the_data():
    from gfrnn_nb.studies.optim import diabetes_text, optim_text, bench_optim
    rows = {'EKI': np.array([[0.5, 0.4, 0.3, 2.0], [0.7, 0.6, 0.5, 4.0]])}   # @1k, @2k, train@2k, CPU s; two seeds
    d = dict(rows=rows, baselines=dict(mean=0.9, ols=0.5), budgets=(1000, 2000), seeds=2, fits={})
    text = diabetes_text(d)
    assert 'mean ± std over 2 seeds' in text and '0.600 ± 0.100' in text and text.endswith('0.500'), text
    assert optim_text(dict(diabetes=d)) == text
    lines = []
    with pytest.raises(ValueError, match=r"unknown \['mnist'\]"): bench_optim(parts=('mnist',), out=lines.append)
    assert lines == []   # refused before anything runs or prints


def test_adam_and_hybrid():
    pytest.importorskip('torch')
    from gfrnn_nb.hybrid import Adam, Hybrid
    X, y = _reg_data(100)
    net = MLP([3, 6, 1], 'tanh')
    r = Adam(lr=1e-2, seed=0).fit(net, X, y, budget=300).result_
    assert r['loss'][-1] < 0.5 * r['loss'][0] and r['passes'][-1] == 300
    h = Hybrid(EKI(ensemble_size=10, seed=0), then=Adam(lr=1e-2), switch=0.5).fit(net, X, y, X, y, budget=400).result_
    assert 400 <= h['passes'][-1] < 420 and list(h['passes']) == sorted(h['passes'])
    assert list(h['seconds']) == sorted(h['seconds']) and h.history['phase'][-1] == 1
    with pytest.raises(ValueError, match='switch=0'): Hybrid(EKI(), switch=0).fit(net, X, y, budget=10)
    with pytest.raises(ValueError, match='budget=0'): Adam().fit(net, X, y, budget=0)
