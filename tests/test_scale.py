"Fits in chunks and on a dask.distributed cluster: the same model as in memory, chunk errors by name, cluster failures."
import os, signal, threading, time
import numpy as np
import pytest
from gfrnn_nb.systems import lorenz63, trajectories
from gfrnn_nb.rnn import SampledRNN

da = pytest.importorskip('dask.array')
pytest.importorskip('distributed')
from gfrnn_nb.scale import cluster, fit_distributed

FIXED = dict(width=120, solver='qr', seed=0)

@pytest.fixture(scope='module')
def runs(): return trajectories(lorenz63(), 3, 3_000, seed=7)

def _agree(a, b, X):
    pa, pb = a.forecast(X[:, 40], 60), b.forecast(X[:, 40], 60)
    np.testing.assert_allclose(pa, pb, rtol=1e-8, atol=1e-8 * np.abs(pb).max())

def test_distributed_fit_equals_in_memory_fit(runs):
    Xd = da.from_array(runs, chunks=(2, 1_111, 3))          # blocks end inside trajectories and hold parts of two
    with cluster(n_workers=2) as client:
        assert len(client.scheduler_info()['workers']) == 2
        dist = SampledRNN(**FIXED).fit(Xd)
    mem = SampledRNN(**FIXED).fit(runs)
    assert dist.n_samples_ == mem.n_samples_ == 3 * 2_999
    np.testing.assert_array_equal(dist.layer_.W, mem.layer_.W)
    _agree(dist, mem, runs)

def test_partial_fit_equals_fit_on_the_concatenation(runs):
    m = SampledRNN(**FIXED)
    for k, x in enumerate(runs):
        cuts = [0, 700, 701, 2_000, 3_000]
        for a, b in zip(cuts[:-1], cuts[1:]): m.partial_fit(x[a:b], new_trajectory=a == 0)
    mem = SampledRNN(**FIXED).fit(runs)
    assert m.n_samples_ == mem.n_samples_ and m.n_trajectories_ == 3
    np.testing.assert_array_equal(m.layer_.W, mem.layer_.W)
    _agree(m, mem, runs)

def test_past_the_reservoir_the_layer_stays_and_pairs_are_all_used(runs):
    m = SampledRNN(**FIXED, reservoir=1_000)
    for x in runs:
        for a in range(0, 3_000, 450): m.partial_fit(x[a:a + 450], new_trajectory=a == 0)
    first = SampledRNN(**FIXED).fit(runs[0, :1_000])
    np.testing.assert_array_equal(m.layer_.W, first.layer_.W)
    np.testing.assert_array_equal(m.mean_, first.mean_)
    from gfrnn_nb.edmd import edmd, lift
    Z = [(x - m.mean_) / m.scale_ for x in runs]
    P = lift(Z[2][:400], m.layer_)
    np.testing.assert_allclose(P @ m.A_, P @ edmd(Z, m.layer_)['A'], rtol=1e-8, atol=1e-9)
    assert m.n_samples_ == 3 * 2_999

@pytest.mark.parametrize('bad', [np.nan, np.inf])
def test_bad_chunk_is_named_and_leaves_nothing_half_fitted(runs, bad):
    chunks = [runs[0, :1_000], runs[0, 1_000:2_000].copy(), runs[0, 2_000:]]
    chunks[1][5, 0] = bad
    m = SampledRNN(**FIXED)
    with pytest.raises(ValueError, match='X chunk 1 contains NaN or inf'): m.fit(iter(chunks))
    assert not hasattr(m, 'A_') and getattr(m, '_stream', None) is None
    m.partial_fit(chunks[0])
    before = (m.A_.copy(), m.n_samples_, m._stream.n_chunks, m._stream.n_states)
    with pytest.raises(ValueError, match='X chunk 1 contains NaN or inf'): m.partial_fit(chunks[1])
    assert (m.n_samples_, m._stream.n_chunks, m._stream.n_states) == before[1:]
    np.testing.assert_array_equal(m.A_, before[0])
    m.partial_fit(chunks[2])                                # the stream goes on without the refused chunk
    Xd = da.from_array(np.concatenate(chunks), chunks=(1_000, 3))
    with pytest.raises(ValueError, match=r'X chunk 1 \(states 1000:2000\) contains NaN or inf'): SampledRNN(**FIXED, reservoir=500).fit(Xd)

def test_unreachable_scheduler_fails_within_the_timeout():
    t0 = time.perf_counter()
    with pytest.raises(ConnectionError, match=r"no Dask scheduler answered at address='tcp://127.0.0.1:9' within timeout=3 s"):
        with cluster(address='tcp://127.0.0.1:9', timeout=3): pass
    assert time.perf_counter() - t0 < 15

def test_automatic_choice_on_the_distributed_path(runs):
    "solver='auto' on a cluster: the end of the last run is held out, the rest reduced on the workers, the choice made on the client; the in-process chunked fit holds out the same states and chooses the same."
    auto = dict(seed=0, reservoir=2_500, max_width=200, progress=False)
    with cluster(n_workers=2):
        dist = SampledRNN(**auto).fit(da.from_array(runs, chunks=(1, 1_000, 3)))
    chunks = [dict(X=x[s:s + 500], new_trajectory=s == 0) for x in runs for s in range(0, 3_000, 500)]
    streamed = SampledRNN(**auto).fit(iter(chunks))
    assert dist.n_samples_ == streamed.n_samples_ == 3 * 2_999
    assert dist.selection_['chosen'] == streamed.selection_['chosen']
    _agree(dist, streamed, runs)

def test_automatic_choice_needs_a_held_out_end():
    with pytest.raises(ValueError, match='holds out the end of the last trajectory'):
        SampledRNN(progress=False).fit(da.from_array(trajectories(lorenz63(), 40, 60, seed=1), chunks=(10, 60, 3)))
    with pytest.raises(ValueError, match="partial_fit needs fixed settings"):
        SampledRNN().partial_fit(np.zeros((10, 3)))

def test_a_killed_worker_is_replaced_and_the_fit_completes(runs):
    "Dask recomputes what a dead worker held: the fit completes with the in-memory model."
    big = trajectories(lorenz63(), 4, 6_000, seed=8)
    Xd = da.from_array(big, chunks=(1, 300, 3))              # 80 blocks: long enough to kill a worker mid-fit
    out, killed = {}, []
    with cluster(n_workers=2) as client:
        pids = client.run(os.getpid)
        def run(): out['m'] = SampledRNN(width=300, solver='qr', seed=0).fit(Xd)
        t = threading.Thread(target=run); t.start()
        deadline = time.time() + 20
        while time.time() < deadline and not killed and t.is_alive():
            if any(k.startswith('_block_factor') for k in map(str, client.who_has())):
                os.kill(next(iter(pids.values())), signal.SIGKILL); killed.append(True)
            time.sleep(0.05)
        t.join(120)
    assert killed, "the fit ended before a worker could be killed"
    mem = SampledRNN(width=300, solver='qr', seed=0).fit(big)
    _agree(out['m'], mem, big)
