"""Sampling: cross-check against the SWIM authors' package, and properties of every sampler."""
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.sampling import sample_layer, pair_weights, candidate_pairs

def data(n=400, d=3, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, d))
    return X, np.sin(X) + X[:, :1] ** 2

@pytest.mark.parametrize('activation', ['tanh', 'relu'])
def test_matches_swimnetworks(activation):
    swim = pytest.importorskip('swimnetworks')
    X, Y = data()
    ref = swim.Dense(layer_width=64, activation=np.tanh if activation == 'tanh' else (lambda z: np.maximum(z, 0)),
                     parameter_sampler=activation, random_seed=7).fit(X, Y)
    ours = sample_layer(X, 64, 'swim', activation, fX=Y, seed=7)
    np.testing.assert_array_equal(ours.pairs[:, 0], ref.idx_from)
    np.testing.assert_array_equal(ours.pairs[:, 1], ref.idx_to)
    np.testing.assert_allclose(ours.W, ref.weights.T, rtol=1e-12)
    np.testing.assert_allclose(ours.b, ref.biases.ravel(), rtol=1e-12, atol=1e-12)

@given(st.integers(2, 500), st.integers(1, 3), st.integers(0, 10**6))
@settings(max_examples=40, deadline=None)
def test_candidate_pairs_never_pair_a_point_with_itself(n, reps, seed):
    i, j = candidate_pairs(n, np.random.default_rng(seed), reps)
    assert i.shape == (n * reps,) and np.all(i != j) and j.min() >= 0 and j.max() < n

@given(st.sampled_from(['swim', 'uswim']), st.sampled_from(['tanh', 'relu']), st.integers(1, 300), st.integers(0, 1000))
@settings(max_examples=30, deadline=None)
def test_neurons_read_the_designed_values_at_their_pair(sampler, activation, width, seed):
    X, Y = data(50, 2, seed)
    layer = sample_layer(X, width, sampler, activation, fX=Y, seed=seed)
    i, j = layer.pairs.T
    lo, hi = (-0.5, 0.5) if activation == 'tanh' else (0.0, 1.0)
    np.testing.assert_allclose(layer(X[i])[np.arange(width), np.arange(width)], lo, atol=1e-9)
    np.testing.assert_allclose(layer(X[j])[np.arange(width), np.arange(width)], hi, atol=1e-9)

def test_swim_prefers_steep_regions():
    # f jumps at x = 0: pairs straddling the jump must dominate
    X = np.linspace(-1, 1, 400)[:, None]
    f = (X > 0).astype(float)
    layer = sample_layer(X, 500, 'swim', fX=f, seed=0)
    straddle = np.mean((X[layer.pairs[:, 0], 0] > 0) != (X[layer.pairs[:, 1], 0] > 0))
    assert straddle == 1.0

def test_constant_target_falls_back_to_uniform():
    X, _ = data(100)
    layer = sample_layer(X, 30, 'swim', fX=np.ones((100, 1)), seed=1)
    assert layer.W.shape == (30, 3) and np.all(np.isfinite(layer.W))

def test_duplicate_points_do_not_blow_up():
    X = np.zeros((10, 2))
    W, b = pair_weights(X[:5], X[5:])
    assert np.all(np.isfinite(W)) and np.all(np.isfinite(b))
