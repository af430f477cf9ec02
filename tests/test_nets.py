"Property tests for gfrnn_nb.nets: batched forward = per-member forward, strict-backend parity, losses."
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.backend import strict, to_device, to_host
from gfrnn_nb.nets import MLP, ElmanRNN, mse, mse_grad, softmax_xent, softmax_xent_grad, accuracy, get_loss, one_hot

sizes_st = st.lists(st.integers(1, 6), min_size=2, max_size=4)
acts = st.sampled_from(['tanh', 'relu', 'heaviside', 'identity', 'sigmoid'])


@settings(max_examples=30, deadline=None)
@given(sizes=sizes_st, act=acts, J=st.integers(1, 5), B=st.integers(1, 7), seed=st.integers(0, 2**31))
def test_mlp_batched_equals_members(sizes, act, J, B, seed):
    net = MLP(sizes, act)
    Th = net.init(J, seed=seed)
    X = np.random.default_rng(seed).normal(size=(B, sizes[0]))
    out = net(Th, X)
    assert out.shape == (J, B, sizes[-1])
    for j in range(J):
        np.testing.assert_allclose(net(Th[j:j + 1], X)[0], out[j], atol=1e-12)
    np.testing.assert_array_equal(net.flatten(net.unflatten(Th)), Th)
    assert Th.shape == (J, net.n_params)


@settings(max_examples=20, deadline=None)
@given(sizes=sizes_st, act=acts, seed=st.integers(0, 2**31))
def test_mlp_strict_parity(sizes, act, seed):
    net = MLP(sizes, act)
    X = np.random.default_rng(seed).normal(size=(5, sizes[0]))
    a = net(net.init(3, seed=seed), X)
    b = net(net.init(3, seed=seed, xp='strict'), to_device(X, strict))
    np.testing.assert_allclose(to_host(b), a, atol=1e-12)


def test_mlp_manual_forward():
    net = MLP([3, 4, 2], 'relu')
    th = net.init(seed=0)
    p = net.unflatten(th[None])
    X = np.arange(6.).reshape(2, 3)
    ref = np.maximum(X @ p['W0'][0] + p['b0'][0], 0) @ p['W1'][0] + p['b1'][0]
    np.testing.assert_allclose(net.predict(th, X), ref)


def test_init_prefix_stable():
    net = MLP([4, 3, 2])
    np.testing.assert_array_equal(net.init(10, seed=5)[:3], net.init(3, seed=5))


def test_bad_sizes_and_activation():
    with pytest.raises(ValueError, match='sizes'): MLP([3])
    with pytest.raises(ValueError, match="activation='swish'"): MLP([3, 2], 'swish')


@settings(max_examples=15, deadline=None)
@given(H=st.integers(1, 6), T=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_elman_matches_loop(H, T, seed):
    rnn = ElmanRNN(2, H, 1)
    Th = rnn.init(3, seed=seed)
    X = np.random.default_rng(seed).normal(size=(4, T, 2))
    out = rnn(Th, X)
    p = rnn.unflatten(Th)
    for j in range(3):
        h = np.zeros((4, H))
        for t in range(T): h = np.tanh(X[:, t] @ p['Wx'][j] + h @ p['Wh'][j] + p['b'][j])
        np.testing.assert_allclose(out[j], h @ p['Wo'][j] + p['c'][j], atol=1e-12)
    np.testing.assert_allclose(to_host(rnn(rnn.init(3, seed=seed, xp='strict'), to_device(X, strict))), out, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(J=st.integers(1, 3), B=st.integers(1, 6), C=st.integers(2, 5), seed=st.integers(0, 2**31))
def test_loss_gradients_finite_difference(J, B, C, seed):
    rng = np.random.default_rng(seed)
    G, lab = rng.normal(size=(J, B, C)), rng.integers(0, C, size=B)
    d = 1e-6 * rng.normal(size=G.shape)
    for f, g, t in ((softmax_xent, softmax_xent_grad, lab), (mse, mse_grad, one_hot(lab, C))):
        np.testing.assert_allclose(f(G + d, t) - f(G, t), (g(G, t) * d).sum(axis=(1, 2)), atol=1e-10)
    acc = accuracy(G, lab)
    assert acc.shape == (J,) and ((0 <= acc) & (acc <= 1)).all()
    assert (softmax_xent(G, lab) >= 0).all()


def test_get_loss():
    assert get_loss('auto', np.array([0, 1, 2])).name == 'xent'
    assert get_loss('auto', np.array([0., 1.])).name == 'mse'
    with pytest.raises(ValueError, match="loss='l1'"): get_loss('l1')
