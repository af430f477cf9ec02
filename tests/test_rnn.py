"""SampledRNN: round trips, parameter protocol, backend parity, trajectory boundaries, memory that does not grow with N."""
import json, tracemalloc, warnings
import numpy as np, pytest
from hypothesis import given, settings, strategies as st
from gfrnn_nb.systems import lorenz63, trajectories, van_der_pol
from gfrnn_nb.rnn import SampledRNN

@pytest.fixture(scope='module')
def data(): return trajectories(lorenz63(), 3, 800, seed=0)

@given(st.sampled_from(['swim', 'uswim', 'aswim', 'random']), st.sampled_from(['tanh', 'relu']),
       st.sampled_from(['recurrent', 'koopman']), st.sampled_from(['qr', 'svd', 'normal', 'auto']), st.integers(1, 60), st.integers(0, 99))
@settings(max_examples=25, deadline=None)
def test_save_load_is_bit_exact(tmp_path_factory, sampler, activation, mode, solver, width, seed):
    X = trajectories(lorenz63(), 2, 300, seed=seed)
    m = SampledRNN(width=width, sampler=sampler, activation=activation, mode=mode, solver=solver,
                   ridge=1e-8 if solver == 'normal' else 0.0, seed=seed, backend='numpy').fit(X)
    path = m.save(tmp_path_factory.mktemp('m') / 'model.npz')
    again = SampledRNN.load(path)
    np.testing.assert_array_equal(again.forecast(X[:, 0], 30), m.forecast(X[:, 0], 30))
    assert again.get_params() == m.get_params()
    assert (again.solver_, again.ridge_, again.width_, again.denoise_) == (m.solver_, m.ridge_, m.width_, m.denoise_)
    assert json.dumps(again.selection_) == json.dumps(m.selection_)        # NaN scores included

def test_sklearn_clone_and_params(data):
    base = pytest.importorskip('sklearn.base')
    m = SampledRNN(width=40, sampler='uswim', seed=4)
    c = base.clone(m)
    assert c.get_params() == m.get_params() and c is not m
    assert m.set_params(width=41).width == 41

def test_strict_backend_gives_the_numpy_model(data):
    a = SampledRNN(width=80, seed=2, backend='numpy', koopman=True).fit(data)
    b = SampledRNN(width=80, seed=2, backend='strict', koopman=True).fit(data)
    np.testing.assert_allclose(b.forecast(data[:, 5], 40), a.forecast(data[:, 5], 40), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(b.spectrum().eigenvalues, a.spectrum().eigenvalues, rtol=1e-6, atol=1e-8)

def test_auto_solver_same_choice_on_every_backend_with_inputs():
    from gfrnn_nb.systems import van_der_pol, random_inputs
    U = random_inputs(4, 601, hold=5, seed=1)
    X = trajectories(van_der_pol(), 4, 601, u=U, seed=1)
    a = SampledRNN(width=60, seed=0, backend='numpy', solver='auto').fit(X, U)
    b = SampledRNN(width=60, seed=0, backend='strict', solver='auto').fit(X, U)
    assert (a.solver_, a.ridge_, a.width_) == (b.solver_, b.ridge_, b.width_) and a.selection_['chosen'] == b.selection_['chosen']
    assert [c['screen_steps'] for c in a.selection_['candidates']] == [c['screen_steps'] for c in b.selection_['candidates']]
    assert a.n_samples_ == 4 * 600                  # every snapshot pair, held-out ones included
    np.testing.assert_allclose(b.forecast(X[:2, 0], 20, u=U[:2, :20]), a.forecast(X[:2, 0], 20, u=U[:2, :20]), rtol=1e-6, atol=1e-6)

def test_list_of_trajectories_equals_array(data):
    a = SampledRNN(width=50, seed=1, backend='numpy').fit(data)
    b = SampledRNN(width=50, seed=1, backend='numpy').fit(list(data))
    np.testing.assert_array_equal(a.A_, b.A_)
    assert a.n_samples_ == 3 * 799

def test_pairs_never_cross_trajectory_boundaries():
    # two trajectories whose concatenation jumps: a model that used the jump would not be exact
    t = np.arange(200.0)
    X = [np.c_[np.cos(0.1 * t), np.sin(0.1 * t)], 5 * np.c_[np.cos(0.1 * t + 2), np.sin(0.1 * t + 2)]]  # one rotation
    m = SampledRNN(width=10, seed=0, backend='numpy').fit(X)
    np.testing.assert_allclose(m.forecast(X[1][0], 10), X[1][1:11], atol=1e-6)

@pytest.mark.parametrize('x0, match', [(np.zeros(2), r'x0 has shape \(2,\)'), (np.zeros((2, 2, 3)), 'x0 has shape'),
                                       (np.array([np.nan, 0, 0]), 'x0 contains NaN')])
def test_forecast_rejects_bad_starts(data, x0, match):
    m = SampledRNN(width=10, backend='numpy').fit(data)
    with pytest.raises(ValueError, match=match): m.forecast(x0, 3)

@pytest.mark.parametrize('kwargs, match', [(dict(width=-1), 'width=-1'), (dict(width=2.5), 'width=2.5'),
    (dict(activation='gelu'), "activation='gelu'"), (dict(mode='ode'), "mode='ode'"), (dict(solver='lu'), "solver='lu'"),
    (dict(ridge=-1.0), 'ridge=-1.0'), (dict(mode='koopman', koopman=False), 'koopman=False')])
def test_bad_hyperparameters_leave_the_model_unfitted(data, kwargs, match):
    m = SampledRNN(**kwargs)
    with pytest.raises(ValueError, match=match): m.fit(data)
    assert not hasattr(m, 'A_')

def test_refit_failure_keeps_previous_fit(data):
    m = SampledRNN(width=10, backend='numpy').fit(data)
    A = m.A_.copy()
    with pytest.raises(ValueError): m.fit(np.full((1, 10, 3), np.inf))
    np.testing.assert_array_equal(m.A_, A)

def peak_bytes(n):
    X = trajectories(lorenz63(), 1, n + 1, seed=0)
    tracemalloc.start()
    SampledRNN(width=200, backend='numpy', block_rows=2048).fit(X)
    peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
    return peak - X.nbytes * 3     # the data and its standardised copies grow with N by design

def test_fit_memory_does_not_grow_with_samples():
    small, large = peak_bytes(10_000), peak_bytes(40_000)
    assert large < 1.5 * small, (small, large)

def test_inputs_round_trip_and_modes(tmp_path):
    from gfrnn_nb.systems import van_der_pol, random_inputs
    U = random_inputs(20, 80, hold=5, seed=1)
    X = trajectories(van_der_pol(), 20, 80, u=U, seed=1)
    for kw in (dict(koopman=True), dict(mode='koopman'), dict(input_in_layer=True)):
        m = SampledRNN(width=30, seed=0, backend='numpy', **kw).fit(X, U)
        p = m.forecast(X[:3, 0], 10, u=U[:3, :10])
        assert p.shape == (3, 10, 2) and np.all(np.isfinite(p))
        again = SampledRNN.load(m.save(tmp_path / 'c.npz'))
        np.testing.assert_array_equal(again.forecast(X[:3, 0], 10, u=U[:3, :10]), p)

def test_inputs_linear_system_is_exact():
    rng = np.random.default_rng(0)
    A, b = np.array([[0.9, 0.2], [-0.1, 0.8]]), np.array([0.3, -0.4])
    U = rng.uniform(-1, 1, size=(5, 60, 1)); X = np.zeros((5, 61, 2)); X[:, 0] = rng.normal(size=(5, 2))
    for t in range(60): X[:, t + 1] = X[:, t] @ A.T + U[:, t] * b
    m = SampledRNN(width=20, sampler='uswim', backend='numpy', koopman=True, solver='svd').fit(X, U)   # the exact solve
    np.testing.assert_allclose(m.forecast(X[:, 0], 60, u=U), X[:, 1:], atol=1e-8)
    np.testing.assert_allclose(m.forecast(X[:, 0], 60, u=U), SampledRNN(width=20, sampler='uswim', backend='numpy', mode='koopman', solver='svd').fit(X, U).forecast(X[:, 0], 60, u=U), atol=1e-6)
    chosen = SampledRNN(width=20, sampler='uswim', backend='numpy', progress=False).fit(X, U)   # five short trials: one is held out to choose
    assert chosen.selection_ is not None and chosen.selection_['n_starts'] > 0
    np.testing.assert_allclose(chosen.forecast(X[:, 0], 60, u=U), X[:, 1:], atol=1e-5)

def test_input_in_layer_rejects_koopman():
    with pytest.raises(ValueError, match='input_in_layer=True'): SampledRNN(input_in_layer=True, mode='koopman').fit(np.ones((1, 5, 2)) * np.arange(5)[:, None])

@pytest.mark.parametrize('solver', ['qr', 'svd', 'normal'])
def test_strict_backend_with_ridge(data, solver):
    kw = dict(width=40, seed=5, solver=solver, ridge=1e-6, koopman=True)
    a = SampledRNN(backend='numpy', **kw).fit(data)
    b = SampledRNN(backend='strict', **kw).fit(data)
    np.testing.assert_allclose(b.forecast(data[:, 3], 20), a.forecast(data[:, 3], 20), rtol=1e-7, atol=1e-7)

@pytest.mark.parametrize('denoise', [1.5, 'savgol-21-5'])
def test_a_fixed_smoothing_is_applied_recorded_and_saved(tmp_path, data, denoise):
    noisy = data + 0.1 * np.random.default_rng(0).normal(size=data.shape)
    m = SampledRNN(width=40, solver='qr', denoise=denoise, seed=0, backend='numpy').fit(noisy)
    assert m.denoise_ == denoise
    raw = SampledRNN(width=40, solver='qr', denoise=0, seed=0, backend='numpy').fit(noisy)
    assert not np.allclose(m.forecast(data[:, 0], 20), raw.forecast(data[:, 0], 20))   # the smoothing reached the fit
    again = SampledRNN.load(m.save(tmp_path / 'm.npz'))
    assert again.denoise_ == denoise and again.get_params()['denoise'] == denoise
    np.testing.assert_array_equal(again.forecast(data[:, 0], 20), m.forecast(data[:, 0], 20))

def test_fit_in_chunks_chooses_its_settings_with_inputs():
    "solver='auto' on a stream with inputs: chosen on the held-out end, every pair used once, forecasts as good as in memory."
    vdp = van_der_pol(mu=1.0)
    U = np.repeat(np.random.default_rng(0).uniform(-1, 1, (4, 200, 1)), 10, axis=1)
    X = trajectories(vdp, 4, 2000, u=U[:, :-1], seed=0)
    chunks = [dict(X=X[i, s:s + 500], U=U[i, s:s + 500], new_trajectory=(s == 0)) for i in range(4) for s in range(0, 2000, 500)]
    streamed = SampledRNN(seed=0, reservoir=3000, max_width=300, progress=False).fit(iter(chunks))
    memory = SampledRNN(seed=0, max_width=300, progress=False).fit(list(X), list(U[:, :-1]))
    assert streamed.n_samples_ == memory.n_samples_ == 4 * 1999
    assert streamed.selection_ is not None and streamed.selection_['sigmas'] == [0.0]
    err = lambda m: np.abs(m.forecast(X[0, 100], 50, u=U[0, 100:150]) - X[0, 101:151]).max()
    assert err(streamed) < 3 * err(memory) + 1e-3, (err(streamed), err(memory))

def test_fit_from_a_zarr_array_or_store(tmp_path):
    "A Zarr array (or the path of its store) is read one block of states at a time: the model of the in-memory fit."
    zarr = pytest.importorskip('zarr')
    runs = trajectories(lorenz63(), 2, 2_500, seed=4)
    z = zarr.open_array(str(tmp_path / 'runs.zarr'), mode='w', shape=runs.shape, chunks=(1, 1_000, 3), dtype='f8')
    z[:] = runs
    fixed = dict(width=100, solver='qr', seed=0)
    mem = SampledRNN(**fixed).fit(runs)
    for source in (z, tmp_path / 'runs.zarr', str(tmp_path / 'runs.zarr')):
        m = SampledRNN(**fixed).fit(source)
        assert m.n_samples_ == mem.n_samples_ == 2 * 2_499
        np.testing.assert_allclose(m.forecast(runs[:, 10], 40), mem.forecast(runs[:, 10], 40), rtol=1e-8, atol=1e-8 * np.abs(runs).max())
    auto = SampledRNN(seed=0, reservoir=2_000, max_width=100, progress=False).fit(z)
    assert auto.selection_ is not None and auto.n_samples_ == mem.n_samples_
    with pytest.raises(FileNotFoundError, match='no such store'): SampledRNN(**fixed).fit(tmp_path / 'missing.zarr')

def test_noisy_limit_cycle_passes_the_selection(recwarn):
    "A noisy cycle: the long runs are scored as seen through the noise, so a faithful model passes (no fallback, no warning) and stays on the cycle."
    t = np.arange(3200) * 0.05
    clean = np.c_[np.sin(t), np.cos(t)]
    X = clean + 0.1 * clean.std(0) * np.random.default_rng(2).standard_normal(clean.shape)
    m = SampledRNN(seed=0, progress=False).fit(X)
    rec = m.selection_
    assert rec.get('fallback') is False   # chosen among runs that passed
    np.testing.assert_allclose(rec['noise_sd'], 0.1 * clean.std(0) / X.std(0), rtol=0.1)   # the noise seen, in standardised units
    assert not [w for w in recwarn if 'no candidate model passed' in str(w.message)]
    r = np.hypot(*m.forecast(X[-1], 2000).T)
    assert np.all(np.abs(r - 1) < 0.1), (r.min(), r.max())   # on the cycle, 2,000 steps on

@pytest.mark.parametrize('mode', ['recurrent', 'koopman'])
def test_a_forecast_that_diverges_is_never_silent(data, mode):
    import warnings
    m = SampledRNN(width=40, solver='qr', mode=mode, seed=0, progress=False).fit(data)
    with warnings.catch_warnings(): warnings.simplefilter('error'); calm = m.forecast(data[0, 0], 50)   # a run that stays: no word
    assert np.isfinite(calm).all()
    for k in ('A_', 'K_'):
        if getattr(m, k) is not None: setattr(m, k, getattr(m, k) * 1e3)   # a model that blows up
    with pytest.warns(RuntimeWarning, match='held at its edge'): held = m.forecast(data[:2, 0], 400)
    assert np.isfinite(held).all()
    m.bound = None
    with pytest.warns(RuntimeWarning, match='2 of 2 forecast.s. diverged to inf or NaN'): free = m.forecast(data[:2, 0], 400)
    assert not np.isfinite(free).all()

@pytest.mark.parametrize('progress', [True, False])
def test_the_default_fit_shows_one_bar_through_its_phases(bars, progress):
    "Choosing, then the model with memory: one bar (drawn after 2 s), not one per phase, each with its own delay."
    rng = np.random.default_rng(0)
    X = trajectories(lorenz63(), 1, 3_001, seed=1)[0]
    X = X + 0.05 * X.std(0) * rng.standard_normal(X.shape)
    m = SampledRNN(seed=0, max_width=200, progress=progress).fit(X)
    assert m.selection_['memory']['seconds'] > 0          # the memory competed: a second phase
    shown = [b for b in bars if not b.disable]
    assert len(shown) == int(progress), [b.descs for b in bars]
    if progress: assert shown[0].descs == ['selecting', 'selecting', 'memory'] and shown[0].ticks > 0

def test_constant_data_are_fitted_with_fixed_settings_and_say_so():
    "Nothing moves, so no held-out run can score a candidate: a clear warning and a model that holds the constant (not an error from inside the scoring)."
    X = np.full((600, 2), [3.0, -1.0])
    with pytest.warns(UserWarning, match='every coordinate of the trajectories is constant'):
        m = SampledRNN(seed=0, width=20).fit(X)
    assert m.selection_ is None and m.solver_ == 'svd'
    np.testing.assert_allclose(m.forecast(X[-1], 50), np.broadcast_to(X[-1], (50, 2)), atol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # fixed settings: nothing to say
        SampledRNN(seed=0, width=20, solver='qr').fit(X)

def test_a_glitch_in_the_data_is_said_once():
    "One sample a hundred times too large: the fit says where it is, once, though the default refits parts of the data inside."
    from gfrnn_nb.delay import DelayRNN
    rng = np.random.default_rng(0)
    X = trajectories(lorenz63(), 1, 3_001, seed=1)[0]
    X = X + 0.05 * X.std(0) * rng.standard_normal(X.shape)
    X[1200] *= 100
    for model, data in ((SampledRNN(seed=0, max_width=200, progress=False), X), (SampledRNN(width=30, solver='qr', seed=0), X),
                        (DelayRNN(delays=3, stride=2, width=30, seed=0, progress=False), X[:, :1])):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            model.fit(data)
        said = [x for x in w if 'isolated value' in str(x.message)]
        assert len(said) == 1 and 'X[0] has an isolated value at step 1200, coordinate 0' in str(said[0].message), (type(model).__name__, said)
        assert said[0].filename == __file__, said[0].filename   # said where the user called fit
    from gfrnn_nb.local import LocalRNN
    from gfrnn_nb.systems import lorenz96
    ring = trajectories(lorenz96(dim=8), 1, 2000, seed=0)[0]; ring[700, 3] = 1e4
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        LocalRNN(radius=1, width=20, ridge=0.0).fit(ring)
    said = [x for x in w if 'isolated value' in str(x.message)]
    assert len(said) == 1 and 'at step 700, coordinate 3' in str(said[0].message) and said[0].filename == __file__, [(str(x.message), x.filename) for x in said]
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)
        SampledRNN(width=30, solver='qr', seed=0).fit(np.delete(X, 1200, axis=0))   # repaired: nothing to say

def test_gaps_in_a_measurement_are_named_and_fitted_across():
    "NaN in the data: the error names the remedy; fitted on `finite_stretches`, a model is the one fitted on the stretches cut by hand."
    from gfrnn_nb import finite_stretches, DelayRNN
    X = trajectories(lorenz63(), 1, 900, seed=4)[0]
    gappy = X.copy(); gappy[300] = np.nan; gappy[610, 2] = np.nan
    for model in (SampledRNN(seed=0), DelayRNN(seed=0)):
        with pytest.raises(ValueError, match=r'contains NaN or inf \((4|1) values?\).*`finite_stretches\(X\)`'):
            model.fit(gappy if isinstance(model, SampledRNN) else gappy[:, 0])
    fixed = dict(width=40, solver='qr', ridge=0.0, seed=0)
    a = SampledRNN(**fixed).fit(finite_stretches(gappy))
    b = SampledRNN(**fixed).fit([X[:300], X[301:610], X[611:]])
    np.testing.assert_array_equal(a.A_, b.A_)

def test_a_table_out_of_time_order_is_said_once():
    "A DataFrame newest first, or a Series with a missing hour: one warning from the fit, naming the remedy; the fit goes on."
    import pandas as pd
    from gfrnn_nb import DelayRNN
    X = trajectories(lorenz63(), 1, 600, seed=5)[0]
    hours = pd.date_range('2024-01-01', periods=600, freq='h')
    cases = [(SampledRNN(width=30, solver='qr', ridge=0.0, seed=0), pd.DataFrame(X, index=hours).iloc[::-1], 'X runs backwards in time', '.sort_index()'),
             (DelayRNN(delays=3, stride=2, width=30, ridge=0.0, seed=0), pd.Series(X[:, 0], index=hours).drop(hours[100]),
              'X has uneven time steps (1 of 598 differ from the usual 1 h; the longest is 2 h)', '.asfreq(')]
    for model, table, said, remedy in cases:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            model.fit(table)
        msgs = [str(x.message) for x in w if 'time' in str(x.message)]
        assert len(msgs) == 1 and msgs[0].startswith(said) and remedy in msgs[0], msgs
        assert w[0].filename == __file__, w[0].filename   # said where the user called fit

def test_a_coarse_noisy_record_is_smoothed_by_a_narrow_filter():
    "Lorenz-63 at dt = 0.04 with 5% noise: every wide filter removes signal, a narrow one does not, and the default smooths with it (and the model after it)."
    from gfrnn_nb.selection import NARROW_SMOOTHINGS, SMOOTHINGS, smoothing
    X = trajectories(lorenz63(), 1, 8000, dt=0.04, seed=11)[0]
    X = X + 0.05 * X.std(0) * np.random.default_rng(11).standard_normal(X.shape)
    model = SampledRNN(seed=0, progress=False).fit(X)
    tried = model.selection_['sigmas']
    assert not set(tried) & set(SMOOTHINGS) and set(tried) & set(NARROW_SMOOTHINGS), tried
    assert smoothing(model.denoise_)[0] == 'model' and smoothing(model.denoise_)[1] in NARROW_SMOOTHINGS, model.denoise_
