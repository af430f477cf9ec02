"""Backend: the strict stand-in behaves like CuPy where it matters, and host draws are backend-independent."""
import numpy as np, pytest
from hypothesis import given, settings, strategies as st, HealthCheck
from hypothesis.extra.numpy import arrays
from gfrnn_nb.backend import get_xp, strict, StrictArray, to_device, to_host, xp_of, normal, uniform, backend_name

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)

@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=finite))
@settings(max_examples=40, deadline=None)
def test_strict_matches_numpy(a):
    s = to_device(a, 'strict')
    for f in (lambda x, m: m.tanh(x) * 2 - x, lambda x, m: (x @ x.T).sum(axis=0), lambda x, m: m.concatenate([x, -x], axis=1)):
        np.testing.assert_allclose(to_host(f(s, strict)), f(a, np))

def test_strict_refuses_implicit_conversion():
    s = strict.ones(3)
    with pytest.raises(TypeError): np.asarray(s)
    with pytest.raises(TypeError): s + np.ones(3)
    with pytest.raises(TypeError): np.array(s)
    assert isinstance(s.sum(), StrictArray) and float(s.sum()) == 3.0

def test_strict_linalg_and_indexing():
    a = to_device(np.array([[4., 1.], [1., 3.]]), 'strict')
    q, r = strict.linalg.qr(a)
    np.testing.assert_allclose(to_host(q @ r), to_host(a))
    a[0, :] = strict.zeros(2)
    assert to_host(a)[0].tolist() == [0.0, 0.0]
    assert to_host(a[a > 0]).tolist() == [1.0, 3.0]

@given(st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_same_seed_same_draws_on_every_backend(seed):
    np.testing.assert_array_equal(to_host(normal((3, 2), 'strict', seed=seed)), normal((3, 2), np, seed=seed))
    np.testing.assert_array_equal(to_host(uniform(5, 'strict', seed=seed)), uniform(5, 'numpy', seed=seed))

def test_get_xp():
    assert get_xp('numpy') is np and backend_name(get_xp('strict')) == 'strict'
    assert xp_of(strict.zeros(1)) is strict and xp_of(np.zeros(1)) is np
    with pytest.raises(ValueError, match="backend='jax'"): get_xp('jax')
