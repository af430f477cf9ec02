"""LocalRNN: shapes, translation equivariance, the prefix read-off, selection, bad input."""
import numpy as np, pytest
from gfrnn_nb.local import LocalRNN, ring_patches, _accumulate
from gfrnn_nb.edmd import LstsqAccumulator
from gfrnn_nb.sampling import sample_layer, HiddenLayer
from gfrnn_nb.systems import lorenz96, trajectories

@pytest.fixture(scope='module')
def data():
    return trajectories(lorenz96(dim=8), 2, 1201, seed=0)

@pytest.fixture(scope='module')
def model(data):
    return LocalRNN(radius=2, width=60, ridge=0.0, seed=0).fit(data)

def test_ring_patches_wrap_around():
    P = ring_patches(np.arange(5.0), 2)
    np.testing.assert_array_equal(P[0], [3, 4, 0, 1, 2])
    np.testing.assert_array_equal(P[4], [2, 3, 4, 0, 1])

def test_shapes_and_fitted_attributes(model, data):
    assert model.n_features_in_ == 8 and model.n_samples_ == 2 * 1200 * 8
    assert model.fit_seconds_ > 0 and model.selection_ is None
    assert (model.radius_, model.width_, model.ridge_) == (2, 60, 0.0)
    assert model.A_.shape == (5 + 1 + 60, 1) and model.layer_.W.shape == (60, 5)
    assert model.forecast(data[0, 0], 7).shape == (7, 8)
    assert model.forecast(data[:, 0], 7).shape == (2, 7, 8)
    assert model.forecast_from(data[0, :10], 4).shape == (4, 8)
    assert model.forecast_from(data[:, :10], 4).shape == (2, 4, 8)
    assert model.step(data[:, 0]).shape == (2, 8)
    np.testing.assert_allclose(model.forecast_from(data[:, :10], 4), model.forecast(data[:, 9], 4), atol=1e-12)

@pytest.mark.parametrize('shift', [1, 3, -2])
def test_translation_equivariance(model, data, shift):
    x0 = data[1, 500]
    np.testing.assert_allclose(model.forecast(np.roll(x0, shift), 25), np.roll(model.forecast(x0, 25), shift, axis=-1), atol=1e-9)
    X0 = data[:, 100]
    np.testing.assert_allclose(model.forecast(np.roll(X0, shift, axis=-1), 5), np.roll(model.forecast(X0, 5), shift, axis=-1), atol=1e-9)

def test_one_step_is_accurate(model, data):
    rms = lambda a: np.sqrt(np.mean(a ** 2))
    err = model.step(data[0, 600:700]) - data[0, 601:701]
    assert rms(err) < 0.2 * rms(data[0, 601:701] - data[0, 600:700])   # far better than persistence

def test_leading_block_equals_a_fresh_factorisation():
    rng = np.random.default_rng(1)
    Z = [rng.normal(size=(200, 6))]
    lay = sample_layer(ring_patches(Z[0][:-1], 1).reshape(-1, 3), 30, 'uswim', seed=0)
    acc = _accumulate(LstsqAccumulator(4 + 30, 1, block_rows=600), Z, lay, 1)
    ref = _accumulate(LstsqAccumulator(4 + 12, 1, block_rows=600), Z, HiddenLayer(lay.W[:12], lay.b[:12], 'tanh', 'uswim'), 1)
    for ridge in (0.0, 1e-6):
        np.testing.assert_allclose(acc.leading(16).solve(ridge, rank='svd'), ref.solve(ridge, rank='svd'), atol=1e-8)

def test_selection_records_every_candidate(data):
    m = LocalRNN(radius=(1, 2), width=(20, 40), ridge=(0.0, 1e-6), validation_starts=3, validation_steps=100, seed=0).fit(data)
    assert len(m.selection_['scores']) == 8
    best = max(m.selection_['scores'].values())
    assert m.selection_['valid_steps'] == best
    assert (m.radius_, m.width_, m.ridge_) == (m.selection_['radius'], m.selection_['width'], m.selection_['ridge'])
    assert m.layer_.width == m.width_ and m.A_.shape[0] == 2 * m.radius_ + 2 + m.width_

def test_bad_input(model, data):
    with pytest.raises(ValueError, match='not fitted'): LocalRNN().forecast(data[0, 0], 3)
    with pytest.raises(ValueError, match=r'2·radius \+ 1 <= d'): LocalRNN(radius=4).fit(data)
    with pytest.raises(ValueError, match='width=0'): LocalRNN(radius=2, width=0, ridge=0.0).fit(data)
    with pytest.raises(ValueError, match='radius=1.5'): LocalRNN(radius=1.5).fit(data)
    with pytest.raises(ValueError, match='ridge=-1'): LocalRNN(ridge=-1).fit(data)
    with pytest.raises(ValueError, match='width=()'): LocalRNN(width=()).fit(data)
    with pytest.raises(ValueError, match="activation='sin'"): LocalRNN(activation='sin').fit(data)
    with pytest.raises(ValueError, match='validation_steps=0'): LocalRNN(validation_steps=0).fit(data)
    with pytest.raises(ValueError, match='at least 249 states'): LocalRNN(radius=(1, 2)).fit(data[0, :100])
    with pytest.raises(ValueError, match='contains NaN'): LocalRNN(radius=1, width=5, ridge=0.0).fit(np.full((50, 8), np.nan))
    with pytest.raises(ValueError, match=r'expected \(8,\) or \(B, 8\)'): model.forecast(data[0, 0, :5], 3)
    with pytest.raises(ValueError, match='x0 contains NaN'): model.forecast(np.full(8, np.inf), 3)
    with pytest.raises(ValueError, match='n_steps=0'): model.forecast(data[0, 0], 0)
    with pytest.raises(ValueError, match='n_steps=2.5'): model.forecast(data[0, 0], 2.5)
    with pytest.raises(ValueError, match='history has shape'): model.forecast_from(data[0, 0], 3)

# --- the ring inside the default SampledRNN -------------------------------------------------------------------------
from gfrnn_nb.local import ring_like, local_as_global
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.edmd import lift
from gfrnn_nb.systems import lorenz63

def test_local_as_global_is_the_local_step(model, data):
    X = np.concatenate(list(data))
    mu, sd = X.mean(0) + np.arange(8) * 0.01, X.std(0) * np.linspace(0.9, 1.1, 8)   # any per-coordinate standardisation
    lay, G = local_as_global(model.layer_, model.A_, model.radius_, 8, model.mean_.item(), model.scale_.item(), mu, sd)
    x = data[:, 300]
    np.testing.assert_allclose(lift((x - mu) / sd, lay) @ G * sd + mu, model.step(x), atol=1e-9)

def test_ring_like_separates_rings_from_other_data(data):
    assert ring_like(list(data))
    assert not ring_like([trajectories(lorenz63(), 1, 2000, seed=0)[0]])       # 3 coordinates
    assert not ring_like([data[0] * np.linspace(1, 3, 8)])                     # sites of different spreads
    assert not ring_like([data[0][:, [0, 4, 1, 5, 2, 6, 3, 7]]])               # sites out of order

@pytest.fixture(scope='module')
def ring_default():
    X = trajectories(lorenz96(dim=8), 1, 2001, seed=0)
    return X, SampledRNN(seed=0, progress=False).fit(X)

def test_default_chooses_the_ring_and_saves_it(ring_default, tmp_path):
    X, m = ring_default
    r = m.selection_['ring']
    assert r['chosen'] and m.width_ == 8 * r['width'] and m.layer_.pairs is None
    assert m.solver_ == 'svd' and m.ridge_ == r['ridge'] and m.denoise_ == 0.0
    back = SampledRNN.load(m.save(tmp_path / 'ring'))
    np.testing.assert_array_equal(back.forecast(X[0, -1], 50), m.forecast(X[0, -1], 50))

def test_ring_false_and_fixed_settings_keep_the_dense_model(ring_default):
    X, _ = ring_default
    assert 'ring' not in SampledRNN(seed=0, progress=False, ring=False).fit(X).selection_
    assert SampledRNN(seed=0, width=200, solver='qr').fit(X).width_ == 200
    assert 'ring' not in SampledRNN(seed=0, progress=False, width=100).fit(X).selection_   # a given width: no ring

@pytest.mark.parametrize('progress', [True, False])
def test_choosing_among_candidates_shows_a_bar(bars, data, progress):
    made = bars
    LocalRNN(radius=(1, 2), width=20, ridge=(0.0, 1e-6), validation_steps=50, seed=0, progress=progress).fit(data)
    assert len(made) == 1 and made[0].disable is (not progress) and made[0].total == made[0].ticks == 2   # one tick per radius
    LocalRNN(radius=1, width=20, ridge=0.0, seed=0, progress=progress).fit(data)   # nothing to choose: no bar
    assert len(made) == 1

def test_a_forecast_that_diverges_is_never_silent(model, data):
    import copy, warnings
    with warnings.catch_warnings(): warnings.simplefilter('error'); assert np.isfinite(model.forecast(data[0, 0], 50)).all()
    bad = copy.deepcopy(model); bad.A_ = bad.A_ * 1e3
    with pytest.warns(RuntimeWarning, match='2 of 2 forecast.s. left .* held at its edge'): held = bad.forecast(data[:, 0], 400)
    lo, hi = model.data_min_, model.data_max_
    assert held.min() >= lo - 0.25 * (hi - lo) - 1e-9 and held.max() <= hi + 0.25 * (hi - lo) + 1e-9   # within the widened range
    bad.bound = None
    with pytest.warns(RuntimeWarning, match='2 of 2 forecast.s. diverged to inf or NaN'): f = bad.forecast(data[:, 0], 400)
    assert not np.isfinite(f).all()

def test_the_bound_changes_nothing_while_runs_stay_in_range(model, data):
    import copy
    free = copy.deepcopy(model); free.bound = None
    np.testing.assert_array_equal(model.forecast(data[:, 0], 300), free.forecast(data[:, 0], 300))
    assert model.data_min_ == data.min() and model.data_max_ == data.max()
