"""Systems: parity across backends, integrator accuracy, input validation, standardizer round trips."""
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.backend import to_host, to_device
from gfrnn_nb.systems import (lorenz63, rossler, van_der_pol, lorenz96, mackey_glass, pendulum, trajectories,
                              integrate, random_inputs, Standardizer)

SYSTEMS = [lorenz63(), rossler(), van_der_pol(), lorenz96(dim=8), mackey_glass(), pendulum()]

@pytest.mark.parametrize('system', SYSTEMS, ids=lambda s: s.name)
def test_shapes_and_backend_parity(system):
    a = trajectories(system, 3, 50, seed=1, transient=5.0)
    b = trajectories(system, 3, 50, seed=1, transient=5.0, backend='strict')
    assert a.shape == (3, 50, system.dim) and np.all(np.isfinite(a))
    np.testing.assert_array_equal(to_host(b), a)

def test_rk4_converges_to_solve_ivp():
    x0 = np.array([[1.0, 2.0, 20.0]])
    ref = integrate(lorenz63(), x0, 51, method='solve_ivp', rtol=1e-12, atol=1e-12)
    e = [np.abs(integrate(lorenz63(), x0, 51, substeps=k) - ref).max() for k in (1, 2, 4)]
    assert e[0] / e[1] > 10 and e[1] / e[2] > 10   # fourth order: ~16x per halving

def test_solve_ivp_with_inputs_matches_rk4_substeps():
    u = random_inputs(2, 30, hold=5, seed=3)
    x0 = np.array([[0.5, 0.0], [-1.0, 1.0]])
    a = integrate(van_der_pol(), x0, 30, u=u, method='solve_ivp')
    b = integrate(van_der_pol(), x0, 30, u=u, substeps=20)
    np.testing.assert_allclose(a, b, atol=1e-7)

def test_single_initial_condition():
    x = integrate(lorenz63(), np.array([1.0, 1.0, 20.0]), 10)
    assert x.shape == (10, 3)

@pytest.mark.parametrize('kwargs, match', [
    (dict(n_traj=0, n_steps=5), 'n_traj=0'), (dict(n_traj=1, n_steps=0), 'n_steps=0'),
    (dict(n_traj=1, n_steps=5, dt=-1.0), 'dt=-1.0'), (dict(n_traj=1, n_steps=5, transient=-1), 'transient=-1'),
    (dict(n_traj=1, n_steps=5, method='euler'), "method='euler'"), (dict(n_traj=1, n_steps=5, backend='tpu'), "backend='tpu'")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match): trajectories(lorenz63(), **kwargs)

def test_mackey_glass_dt_must_fit_internal_step():
    with pytest.raises(ValueError, match='dt=0.05'): trajectories(mackey_glass(), 1, 5, dt=0.05)

@given(st.integers(1, 4), st.integers(2, 30), st.floats(0.1, 100), st.floats(-50, 50))
@settings(max_examples=30, deadline=None)
def test_standardizer_round_trip(n, T, scale, shift):
    X = np.random.default_rng(0).normal(size=(n, T, 3)) * scale + shift
    st_ = Standardizer().fit(X)
    np.testing.assert_allclose(st_.inverse_transform(st_.transform(X)), X, rtol=1e-9, atol=1e-9 * scale)
    Z = st_.transform(X).reshape(-1, 3)
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-9)

def test_standardizer_lists_and_nan():
    xs = [np.arange(10.0)[:, None], np.arange(5.0)[:, None]]
    st_ = Standardizer().fit(xs)
    assert st_.mean_[0] == pytest.approx(np.concatenate([np.arange(10.0), np.arange(5.0)]).mean())
    assert [z.shape for z in st_.transform(xs)] == [(10, 1), (5, 1)]
    with pytest.raises(ValueError, match='NaN'): Standardizer().fit(np.array([[np.nan, 1.0]]))

def test_one_state_trajectories_are_the_starts():
    "n_steps=1 returns the starts alone, with either integrator (solve_ivp once failed on it)."
    from gfrnn_nb.systems import trajectories, lorenz63
    import numpy as np
    one = trajectories(lorenz63(), 2, 1, method='solve_ivp', seed=0)
    assert one.shape == (2, 1, 3)
    np.testing.assert_array_equal(one, trajectories(lorenz63(), 2, 4, method='solve_ivp', seed=0)[:, :1])
