"""MPC on lifted linear models: condensed predictions, bounds, exact recovery of linear systems, backends, bad input; the control study."""
import functools
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.systems import System, van_der_pol, pendulum, trajectories, random_inputs
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.control import (DMDc, MPC, ShootingMPC, linear_predictor, linearise, condensed_matrices, closed_loop,
                              periodic_reference, pendulum_data)
from gfrnn_nb.studies.control import control_study, control_table, bench_control

@pytest.fixture(scope='module')
def vdp_data():
    U = random_inputs(40, 100, hold=10, seed=0)
    return trajectories(van_der_pol(), 40, 100, u=U, seed=0), U

@pytest.fixture(scope='module')
def rnn(vdp_data): return SampledRNN(width=40, sampler='random', koopman=True, ridge=1e-8, seed=0, backend='numpy').fit(*vdp_data)

def _linear_system(A, b):
    "x' = A x + b u as a System (continuous time)."
    return System('linear', A.shape[0], lambda x, u, xp: x @ A.T + (0 if u is None else u @ b[None]), dt=0.05,
                  lyapunov=None, x0=lambda rng, n: rng.normal(size=(n, A.shape[0])), n_inputs=1)

@given(st.integers(1, 30), st.integers(0, 1000))
@settings(max_examples=20, deadline=None)
def test_condensed_prediction_matches_rollout(rnn, horizon, seed):
    lp = linear_predictor(rnn)
    rng = np.random.default_rng(seed)
    x0, U = rng.uniform(-2, 2, 2), rng.uniform(-1, 1, (horizon, 1))
    F, G, c = condensed_matrices(lp, horizon)
    np.testing.assert_allclose(F @ lp.encode(x0) + G @ U.ravel() + c, lp.predict(x0, U).ravel(), rtol=1e-9, atol=1e-9)

@given(st.floats(-3, 0), st.floats(0, 3), st.floats(-3, 3), st.floats(-3, 3), st.integers(0, 100))
@settings(max_examples=30, deadline=None)
def test_inputs_stay_within_bounds(rnn, lo, hi, x1, x2, seed):
    mpc = MPC(rnn, horizon=10, u_min=lo, u_max=hi, outputs=[0])
    ref = np.random.default_rng(seed).uniform(-3, 3, (10, 1))
    u = mpc.control(np.array([x1, x2]), ref)
    assert lo - 1e-9 <= u[0] <= hi + 1e-9
    assert np.all(mpc.plan >= lo - 1e-9) and np.all(mpc.plan <= hi + 1e-9)

def test_dmdc_recovers_a_linear_system_and_tracks_it():
    A, b = np.array([[0.0, 1.0], [-1.0, -0.2]]), np.array([0.0, 1.0])
    sys_ = _linear_system(A, b)
    U = random_inputs(20, 80, hold=5, seed=1)
    X = trajectories(sys_, 20, 80, u=U, seed=1, transient=0.0)
    model = DMDc().fit(X, U)
    x0, u = np.array([0.3, -0.1]), np.random.default_rng(2).uniform(-1, 1, (30, 1))
    truth = trajectories(sys_, 1, 31, u=u[None], seed=1, transient=0.0)
    np.testing.assert_allclose(model.forecast(truth[0, 0], 30, u), truth[0, 1:], atol=1e-8)
    # the linearisation of a linear system is the system
    np.testing.assert_allclose(linearise(sys_, [0, 0]).predict(truth[0, 0], u), truth[0, 1:], atol=1e-8)
    # an exact model without binding bounds reaches a constant reference
    run = closed_loop(MPC(model, horizon=15, R=1e-6, u_min=-50, u_max=50, outputs=[0]), sys_, [1.0, 0.0],
                      np.full((80 + 14, 1), 0.5))
    assert abs(run.x[-1, 0] - 0.5) < 1e-3

def test_lifted_model_tracks_better_than_dmdc(vdp_data, rnn):
    ref = periodic_reference('sine', 1.0, 5.0, 0.05, 300 + 19)
    kw = dict(horizon=20, R=3e-3, outputs=[0])
    a = closed_loop(MPC(rnn, **kw), van_der_pol(), [0.5, 0.0], ref)
    b = closed_loop(MPC(DMDc().fit(*vdp_data), **kw), van_der_pol(), [0.5, 0.0], ref)
    assert a.rms() < 0.8 * b.rms()
    assert np.abs(a.u).max() <= 1 + 1e-9 and a.u.shape == (300, 1) and a.x.shape == (301, 2)

@pytest.mark.parametrize('gravity', [6.0, 8.0, 12.0])
def test_integral_action_removes_a_constant_model_error(gravity):
    pend = pendulum()
    wrong = linearise(pendulum(gravity=gravity), [np.pi, 0.0])   # a model with the wrong gravity
    ref = np.tile([np.pi + 0.1, 0.0], (150 + 19, 1))              # hold off the top: needs a steady torque
    plain = closed_loop(MPC(wrong, Q=[1, 0.1], u_min=-5, u_max=5), pend, [np.pi, 0.0], ref)
    corrected = closed_loop(MPC(wrong, Q=[1, 0.1], u_min=-5, u_max=5, integral_gain=0.1), pend, [np.pi, 0.0], ref)
    assert abs(corrected.x[-1, 0] - (np.pi + 0.1)) < 0.1 * abs(plain.x[-1, 0] - (np.pi + 0.1))

def test_strict_backend_gives_the_same_controls(vdp_data):
    kw = dict(width=30, sampler='random', koopman=True, ridge=1e-8, seed=3)
    a = MPC(SampledRNN(backend='numpy', **kw).fit(*vdp_data), horizon=8, outputs=[0])
    b = MPC(SampledRNN(backend='strict', **kw).fit(*vdp_data), horizon=8, outputs=[0])
    ref = np.ones((8, 1))
    np.testing.assert_allclose(b.control(np.array([0.2, 0.1]), ref), a.control(np.array([0.2, 0.1]), ref), atol=1e-6)

def test_shooting_mpc_respects_bounds_and_tracks():
    vdp = van_der_pol()
    run = closed_loop(ShootingMPC(vdp, horizon=10, u_min=-0.5, u_max=0.5, outputs=[0], maxiter=20), vdp, [0.5, 0.0],
                      periodic_reference('sine', 1.0, 5.0, 0.05, 40 + 9))
    assert np.abs(run.u).max() <= 0.5 + 1e-9 and np.isfinite(run.rms())

def test_pendulum_is_held_upright():
    Xp, Up = pendulum_data(0.2, 2.0, n_traj=200, seed=0)
    m = SampledRNN(width=60, sampler='random', koopman=True, ridge=1e-8, seed=0, backend='numpy').fit(Xp, Up)
    run = closed_loop(MPC(m, Q=[1, 0.1], u_min=-2, u_max=2, integral_gain=0.1), pendulum(), [np.pi + 0.2, 0.0],
                      np.tile([np.pi, 0.0], (100 + 19, 1)))
    assert np.abs(run.x[-40:, 0] - np.pi).max() < 0.2

@pytest.mark.parametrize('kwargs, match', [
    (dict(u_min=2, u_max=1), 'u_min=2 > u_max=1'), (dict(u_min=[np.nan]), 'contain NaN'), (dict(horizon=0), 'horizon=0'),
    (dict(horizon=2.5), 'horizon=2.5'), (dict(Q=[1, 2, 3]), r'Q has shape \(3,\)'), (dict(R=np.nan), 'R=nan'),
    (dict(outputs=[5]), r'outputs=\[5\]'), (dict(integral_gain=2.0), 'integral_gain=2.0')])
def test_bad_controller_settings(rnn, kwargs, match):
    with pytest.raises(ValueError, match=match): MPC(rnn, **kwargs)

def test_bad_states_and_references(rnn):
    mpc = MPC(rnn, horizon=10, outputs=[0])
    with pytest.raises(ValueError, match='reference has 3 steps: expected at least horizon=10'): mpc.control(np.zeros(2), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r'reference has shape \(10, 2\)'): mpc.control(np.zeros(2), np.zeros((10, 2)))
    with pytest.raises(ValueError, match='reference contains NaN'): mpc.control(np.zeros(2), np.full((10, 1), np.nan))
    with pytest.raises(ValueError, match='contains NaN'): mpc.control(np.array([np.nan, 0]), np.zeros((10, 1)))
    with pytest.raises(ValueError, match=r'n_steps \+ horizon - 1 = 29'): closed_loop(mpc, van_der_pol(), np.zeros(2), np.zeros((20, 1)), n_steps=20)

def test_models_without_a_linear_lift_are_refused(vdp_data):
    X, U = vdp_data
    with pytest.raises(ValueError, match='input_in_layer=True'): MPC(SampledRNN(width=10, input_in_layer=True).fit(X, U))
    with pytest.raises(ValueError, match='fitted without inputs'): MPC(SampledRNN(width=10, koopman=True).fit(X))
    with pytest.raises(ValueError, match='koopman=True'): MPC(SampledRNN(width=10).fit(X, U))
    with pytest.raises(ValueError, match='not fitted'): MPC(DMDc())
    with pytest.raises(ValueError, match='U\\[0\\] contains NaN'): DMDc().fit(X, np.full_like(U, np.nan))
    with pytest.raises(ValueError, match='input sequences for 40 trajectories'): DMDc().fit(X, U[:3])

def test_control_study_returns_data_and_bench_prints_its_table():
    lines = []
    data = bench_control(n_steps=50, R_sweep=(1e-3,), true_model=False, out=lines.append)
    assert [r['reference'] for r in data['vdp']] == ['sine A=1', 'sine A=1.5', 'square A=1', 'square A=1.5']
    assert lines == control_table(data).splitlines() and len(lines) == 2 + 4 + 1 + 1 + 1 + 2
    assert all(np.isnan(r['true']) for r in data['vdp']) and set(data['runs']['sine A=1']) == {'sampled RNN', 'DMDc'}
    assert data['runs']['sine A=1']['DMDc'].x.shape == (51, 2) and set(data['pendulum_runs']) == {0.2, 0.5}
    assert all(r['sampled RNN'] < 0.2 for r in data['pendulum'])

def test_control_study_checks_its_arguments():
    with pytest.raises(ValueError, match='n_steps=0'): control_study(n_steps=0)
    with pytest.raises(ValueError, match='R=-1'): control_study(R=-1)
