"Property tests for gfrnn_nb.metrics: NRMSE, VPT, D_stsp (grid and mixture) and D_H."
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck
from hypothesis.extra.numpy import arrays

from gfrnn_nb.backend import to_device
from gfrnn_nb.metrics import (mse, nrmse, valid_prediction_time, forecast_report, dstsp_binning, dstsp_gmm,
                              state_space_divergence, d_stsp, power_spectrum, power_spectrum_distance, d_h)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# values on a 1e-6 grid: differences never underflow, so "equal" and "zero error" coincide exactly
values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 6))

@st.composite
def pairs(draw, batched=False):
    "Two arrays (T, d) (or (B, T, d)) of one shape; `true` is not identically zero in any trajectory."
    shape = ((draw(st.integers(1, 3)),) if batched else ()) + (draw(st.integers(1, 30)), draw(st.integers(1, 4)))
    true = draw(arrays(np.float64, shape, elements=values))
    true.reshape(-1, shape[-2] * shape[-1])[:, 0] += 1.0 + abs(true.reshape(-1)).max()  # a non-zero entry in each
    pred = draw(arrays(np.float64, shape, elements=values))
    if draw(st.booleans()): pred = true.copy()
    return pred, true

def colored(seed, n=512, d=2):
    "A random AR(1) series (n, d): a spectrum with shape, not white noise."
    rng = np.random.default_rng(seed)
    x = np.zeros((n, d)); e = rng.standard_normal((n, d)); phi = rng.uniform(0.5, 0.98, d)
    for t in range(1, n): x[t] = phi * x[t - 1] + e[t]
    return x

# --- NRMSE and MSE ---------------------------------------------------------------------------------

@FAST
@given(pairs())
def test_nrmse_nonnegative_and_zero_iff_equal(pt):
    pred, true = pt
    e = nrmse(pred, true)
    assert e.shape == true.shape[:-1]
    assert np.all(e >= 0)
    assert np.array_equal(e == 0, np.all(pred == true, axis=-1))

@FAST
@given(pairs(batched=True))
def test_nrmse_batched_is_per_trajectory(pt):
    pred, true = pt
    e = nrmse(pred, true)
    assert e.shape == true.shape[:2]
    for b in range(len(true)): np.testing.assert_allclose(e[b], nrmse(pred[b], true[b]), rtol=1e-12)

@FAST
@given(pairs())
def test_mse_matches_definition(pt):
    pred, true = pt
    assert mse(pred, true) == pytest.approx(np.mean((pred - true) ** 2), rel=1e-12, abs=1e-300)
    assert mse(true, true) == 0.0

def test_strict_backend_gives_the_same_numbers():
    pred, true = colored(0), colored(1)
    dev = lambda a: to_device(a, 'strict')
    np.testing.assert_array_equal(nrmse(dev(pred), dev(true)), nrmse(pred, true))
    assert valid_prediction_time(dev(pred), dev(true), 0.01, 0.9) == valid_prediction_time(pred, true, 0.01, 0.9)
    assert dstsp_binning(dev(true), dev(pred)) == dstsp_binning(true, pred)
    assert power_spectrum_distance(dev(true), dev(pred)) == power_spectrum_distance(true, pred)
    a, b = np.random.default_rng(0).standard_normal((2, 300, 7))
    assert state_space_divergence(dev(a), dev(b)) == dstsp_gmm(a, b)

# --- valid prediction time -------------------------------------------------------------------------

@FAST
@given(pairs(batched=True), st.floats(0, 3), st.floats(0, 3))
def test_vpt_monotone_in_threshold_and_bounded(pt, t1, t2):
    pred, true = pt
    lo, hi = sorted((t1, t2))
    v_lo, v_hi = (valid_prediction_time(pred, true, 0.01, 0.9, threshold=t) for t in (lo, hi))
    assert np.all(v_lo <= v_hi)
    assert np.all((0 <= v_lo) & (v_hi <= true.shape[-2] * 0.01 * 0.9 + 1e-12))

@FAST
@given(st.integers(1, 200), st.data())
def test_vpt_counts_leading_valid_steps(T, data):
    true = colored(T, n=T, d=3) + 1.0
    k = data.draw(st.integers(0, T))
    pred = true.copy(); pred[k:] += 10.0  # far above the threshold from step k on
    assert valid_prediction_time(pred, true, dt=0.02, lyapunov=0.5) == k * 0.02 * 0.5

def test_forecast_report():
    true = np.stack([colored(s, 100, 3) + 1 for s in range(4)])
    pred = true.copy()
    for b, k in enumerate([10, 20, 30, 40]): pred[b, k:] += 10
    r = forecast_report(pred, true, dt=0.1, lyapunov=1.0)
    assert r['n'] == 4 and r['vpt_median'] == pytest.approx(2.5) and r['vpt_min'] == pytest.approx(1.0)
    assert r['horizon'] == pytest.approx(10.0)

# --- D_stsp ----------------------------------------------------------------------------------------

def dense_dstsp(true, gen, n_bins, alpha):
    "The dense textbook formula over every bin."
    sd = true.std(0); lo, hi = true.min(0) - 0.1 * sd, true.max(0) + 0.1 * sd
    def hist(x):
        idx = [np.clip(np.digitize(x[:, k], np.linspace(lo[k], hi[k], n_bins + 1)) - 1, 0, n_bins - 1)
               for k in range(x.shape[1])]
        h = np.zeros((n_bins,) * x.shape[1]); np.add.at(h, tuple(idx), 1)
        return (h + alpha) / (h.sum() + alpha * h.size)
    p, q = hist(true), hist(gen)
    return np.sum(p * np.log(p / q))

@FAST
@given(st.integers(0, 10_000), st.integers(1, 3), st.integers(2, 12), st.sampled_from([1e-5, 1e-2, 1.0]),
       st.integers(20, 400), st.floats(0.2, 3.0))
def test_dstsp_binning_sparse_equals_dense_and_is_nonnegative(seed, d, n_bins, alpha, n_gen, spread):
    rng = np.random.default_rng(seed)
    true, gen = rng.standard_normal((300, d)), spread * rng.standard_normal((n_gen, d)) + 0.3
    D = dstsp_binning(true, gen, n_bins=n_bins, alpha=alpha)
    assert D >= 0
    assert D == pytest.approx(max(dense_dstsp(true, gen, n_bins, alpha), 0), rel=1e-9, abs=1e-12)

@FAST
@given(st.integers(0, 10_000), st.integers(1, 5))
def test_dstsp_of_identical_data_is_zero(seed, d):
    x = np.random.default_rng(seed).standard_normal((200, d))
    assert dstsp_binning(x, x) == 0.0
    assert dstsp_binning(x, x[::-1]) == 0.0          # order does not matter to a histogram
    assert dstsp_gmm(x, x, n_samples=50, seed=seed) == 0.0
    assert state_space_divergence(x, x) == 0.0

def test_dispatch_by_dimension():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((500, 3)), rng.standard_normal((400, 3))
    assert d_stsp(a, b) == dstsp_binning(a, b)
    a, b = rng.standard_normal((500, 6)), rng.standard_normal((400, 6)) + 1
    assert d_stsp(a, b, seed=3) == dstsp_gmm(a, b, seed=3)

def test_gmm_tracks_analytic_kl():
    "N(0, I) vs N(mu, I) smoothed by N(0, s^2 I): KL = |mu|^2 / (2 (1 + s^2))."
    rng = np.random.default_rng(5)
    mu = np.r_[2.0, np.zeros(5)]
    a, b = rng.standard_normal((4000, 6)), rng.standard_normal((4000, 6)) + mu
    assert dstsp_gmm(a, b, sigma=1.0, n_samples=2000) == pytest.approx(1.0, abs=0.15)

def test_generated_points_off_the_grid_are_clipped_not_dropped():
    true = np.random.default_rng(0).standard_normal((1000, 2))
    gen = np.vstack([true, np.full((1000, 2), 1e6)])   # half the points far off the grid
    far_off = dstsp_binning(true, gen)
    assert far_off > 0.5          # dropping them would have returned ~0
    assert far_off == pytest.approx(dense_dstsp(true, gen, 30, 1e-5), rel=1e-9)

# --- D_H -------------------------------------------------------------------------------------------

@FAST
@given(st.integers(0, 10_000), st.floats(0.01, 100), st.booleans(), st.floats(-1e3, 1e3))
def test_dh_invariant_to_scale_and_shift(seed, scale, flip, shift):
    true, gen = colored(seed), colored(seed + 1)
    a = -scale if flip else scale
    ref = power_spectrum_distance(true, gen)
    assert power_spectrum_distance(true, a * gen + shift) == pytest.approx(ref, abs=1e-8)
    assert power_spectrum_distance(a * true + shift, gen) == pytest.approx(ref, abs=1e-8)

@FAST
@given(st.integers(0, 10_000), st.floats(0, 40))
def test_dh_bounds_identity_and_symmetry(seed, smoothing):
    true, gen = colored(seed), colored(seed + 1)
    D = power_spectrum_distance(true, gen, smoothing=smoothing)
    assert 0 <= D <= 1
    assert power_spectrum_distance(true, true, smoothing=smoothing) == 0.0
    assert power_spectrum_distance(gen, true, smoothing=smoothing) == pytest.approx(D, abs=1e-12)
    p = power_spectrum(true, smoothing)
    np.testing.assert_allclose(p.sum(0), 1.0)

def test_dh_constant_and_truncation():
    true = colored(0, n=400)
    assert power_spectrum_distance(true, np.full((400, 2), 3.0)) == 1.0
    assert power_spectrum_distance(true, colored(1, n=300)) == power_spectrum_distance(true[:300], colored(1, n=300))

# --- errors name the argument, the value and what was expected -------------------------------------

@pytest.mark.parametrize('call, message', [
    (lambda: nrmse(np.zeros((5, 3)), np.ones((3, 5))), 'expected the same shape'),
    (lambda: nrmse(np.zeros(5), np.ones(5)), 'pred has shape (5,); expected (T, d) or (B, T, d)'),
    (lambda: nrmse(np.ones((4, 2)), np.r_[np.ones((3, 2)), [[np.nan, 1]]]), 'true contains nan at index (3, 0)'),
    (lambda: nrmse(np.ones((4, 2)), np.zeros((4, 2))), 'true is identically zero'),
    (lambda: mse(np.ones(3), np.ones(4)), 'expected the same shape'),
    (lambda: mse(np.ones(3), [1, np.inf, 2]), 'true contains inf at index (1,)'),
    (lambda: valid_prediction_time(np.ones((3, 2)), np.ones((3, 2)), dt=-0.1, lyapunov=1), 'dt=-0.1 is not valid'),
    (lambda: valid_prediction_time(np.ones((3, 2)), np.ones((3, 2)), dt=0.1, lyapunov=np.nan), 'lyapunov=nan'),
    (lambda: valid_prediction_time(np.ones((3, 2)), np.ones((3, 2)), 0.1, 1, threshold=-1), 'threshold=-1'),
    (lambda: dstsp_binning(np.ones((10, 2)) * np.arange(10)[:, None], np.ones((10, 3))), 'gen has 3 dimensions'),
    (lambda: dstsp_binning(np.ones((10, 2)), np.ones((10, 2))), 'true is constant in dimension(s) [0, 1]'),
    (lambda: dstsp_binning(np.arange(20.).reshape(10, 2), np.ones((10, 2)), n_bins=0), 'n_bins=0 is not valid'),
    (lambda: dstsp_binning(np.arange(20.).reshape(10, 2), np.ones((10, 2)), alpha=0), 'alpha=0 is not valid'),
    (lambda: dstsp_binning(np.ones((4, 3, 2)), np.ones((4, 3, 2))), 'true has shape (4, 3, 2); expected (T, d)'),
    (lambda: dstsp_gmm(np.ones((10, 6)), np.ones((10, 6)), sigma=0), 'sigma=0 is not valid'),
    (lambda: dstsp_gmm(np.ones((10, 6)), np.ones((10, 6)), n_samples=0), 'n_samples=0 is not valid'),
    (lambda: d_h(np.ones((10, 2)), np.arange(20.).reshape(10, 2)), 'true is constant in dimension(s) [0, 1]'),
    (lambda: d_h(np.arange(20.).reshape(10, 2), np.ones((10, 2)), smoothing=-1), 'smoothing=-1 is not valid'),
    (lambda: d_h(np.arange(20.).reshape(10, 2), 'abc'), 'gen must be a real numeric array'),
    (lambda: valid_prediction_time(np.ones((3, 2)), np.ones((3, 2)), dt='x', lyapunov=1), "dt='x' is not valid"),
])
def test_errors(call, message):
    with pytest.raises(ValueError) as e: call()
    assert message in str(e.value)
