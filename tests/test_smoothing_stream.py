"""Smoothing in chunks: StreamSmoother and the Dask smoothing equal the whole trajectory's smoothing wherever the chunks are cut; partial_fit refuses."""
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.selection import StreamSmoother, smooth
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.systems import lorenz63, trajectories

SPECS = [0.0, 0.7, 2.0, 5.0, 'savgol-5-2', 'savgol-21-5', 'savgol-41-7']

@settings(max_examples=60, deadline=None)
@given(spec=st.sampled_from(SPECS), lengths=st.lists(st.integers(1, 400), min_size=1, max_size=4), data=st.data())
def test_stream_smoother_equals_the_whole_smoothing(spec, lengths, data):
    rng = np.random.default_rng(len(lengths))
    runs = [rng.normal(size=(n, 3)) for n in lengths]
    sm, pieces = StreamSmoother(spec), []
    for z in runs:
        cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, len(z) - 1)), max_size=8)))) if len(z) > 1 else []
        for j, part in enumerate(np.split(z, cuts)): pieces += sm.push(part, None, new=(j == 0))
    pieces += sm.flush()
    starts = [k for k, p in enumerate(pieces) if p[3]] + [len(pieces)]
    assert len(starts) - 1 == len(runs)
    for z, a, b in zip(runs, starts[:-1], starts[1:]):
        np.testing.assert_allclose(np.concatenate([p[0] for p in pieces[a:b]]), smooth([z], spec)[0], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(np.concatenate([p[1] for p in pieces[a:b]]), z)
        assert all(p[2] is None for p in pieces[a:b])

def test_fixed_smoothing_in_chunks_is_recorded_and_forecasts():
    X = trajectories(lorenz63(), 1, 3000, seed=2)[0]
    X = X + np.random.default_rng(2).normal(size=X.shape) * 0.05 * X.std(0)
    m = SampledRNN(width=100, solver='qr', denoise='savgol-21-5', reservoir=1000, seed=0).fit(iter(np.array_split(X, 7)))
    assert m.denoise_ == 'savgol-21-5' and m.n_samples_ == len(X) - 1
    assert np.isfinite(m.forecast(X[-1], 500)).all()

def test_dask_smoothing_is_the_whole_smoothing_wherever_blocks_are_cut():
    da = pytest.importorskip('dask.array')
    from gfrnn_nb.rnn import _dask_smooth
    X = np.random.default_rng(4).normal(size=(3, 500, 2))
    for spec in SPECS:
        for chunks in ((1, 97, 2), (2, 250, 2), (3, 500, 2), (1, 7, 2)):
            np.testing.assert_allclose(_dask_smooth(da.from_array(X, chunks=chunks), spec).compute(), np.stack(smooth(list(X), spec)), rtol=0, atol=1e-12)
        np.testing.assert_allclose(_dask_smooth(da.from_array(X[0], chunks=(61, 2)), spec).compute(), smooth([X[0]], spec)[0], rtol=0, atol=1e-12)

def test_partial_fit_refuses_a_smoothing():
    X = trajectories(lorenz63(), 1, 600, seed=1)[0]
    with pytest.raises(ValueError, match=r"denoise='savgol-21-5' with partial_fit"):
        SampledRNN(width=20, solver='qr', denoise='savgol-21-5').partial_fit(X)
