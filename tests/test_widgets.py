"""Widgets, driven headlessly: set control values, click buttons, assert on the plain data the callbacks return."""
import numpy as np, pytest
import ipywidgets as W
from gfrnn_nb.widgets import (SampledRNNExplorer, OptimiserDashboard, EXPLORER_SYSTEMS, DASHBOARD_PROBLEMS, CURVES,
                              explorer_data, explore, dashboard_problem, train_live)
from gfrnn_nb.sampling import SAMPLERS
from gfrnn_nb.edmd import SOLVERS
from gfrnn_nb.optim import RandomSearch, CoordinateSearch, Hybrid, Adam
import gfrnn_nb.widgets as widgets

PNG = b'\x89PNG\r\n\x1a\n'

@pytest.fixture(scope='module')
def explorer():
    ex = SampledRNNExplorer(n_train=1000, width=100)
    ex.update()
    return ex

def test_explorer_first_fit(explorer):
    r = explorer.result
    assert r['system'] == 'lorenz63' and r['width'] == 100
    assert r['forecast'].shape == r['truth'].shape == (len(r['time']), 3)
    assert r['vpt'] > 1 and r['vpt_unit'] == 'Lyapunov times'
    assert np.abs(r['eigenvalues']).max() < 1.05
    assert explorer.plot.value[:8] == PNG
    assert 'VPT' in explorer.status.value

@pytest.mark.parametrize('system', list(EXPLORER_SYSTEMS))
def test_every_system_fits_through_the_menu(system):
    ex = SampledRNNExplorer(n_train=500, width=60, auto=False)
    ex.system.value = system
    ex.fit_button.click()
    r = ex.result
    sys_ = explorer_data(system, 500, 0)['system']
    assert r is not None and r['system'] == sys_.name
    d = sys_.dim
    assert r['forecast'].shape[1] == d and np.isfinite(r['vpt'])
    assert r['vpt_unit'] == ('Lyapunov times' if EXPLORER_SYSTEMS[system]().lyapunov else 'time')

@pytest.mark.parametrize('sampler', SAMPLERS)
def test_each_sampler_refits_on_change(sampler):
    ex = SampledRNNExplorer(n_train=500, width=60, sampler='uswim' if sampler == 'swim' else 'swim')
    ex.update()
    before = ex.result['model']
    ex.sampler.value = sampler                     # auto: the change itself refits
    assert ex.result['sampler'] == sampler and ex.result['model'] is not before

@pytest.mark.parametrize('solver', SOLVERS + ('auto',))
def test_each_solver(solver):
    ex = SampledRNNExplorer(n_train=500, width=60, auto=False)
    ex.solver.value = solver
    assert ex.fit_button.click() is None and ex.result['solver'] == solver
    assert ex.result['solve'].split(',')[0] == (ex.result['model'].solver_ if solver == 'auto' else solver)

def test_horizon_reuses_the_model(explorer):
    model = explorer.result['model']
    explorer.horizon.value = 3.0
    r = explorer.result
    assert r['model'] is model and r['fit_seconds'] == 0.0
    sys_ = explorer_data('lorenz63', 1000, 0)['system']
    assert len(r['time']) == int(np.ceil(3.0 / (sys_.lyapunov * sys_.dt)))
    explorer.width.value = 120                    # a fit setting: refit
    assert explorer.result['model'] is not model and explorer.result['width'] == 120

def test_no_auto_waits_for_the_button():
    ex = SampledRNNExplorer(n_train=500, width=40, auto=False)
    ex.width.value = 80; ex.horizon.value = 4.0
    assert ex.result is None and ex.plot.value == b''
    ex.fit_button.click()
    assert (ex.result['width'], ex.result['horizon']) == (80, 4.0)

def test_bad_value_is_shown_not_raised(explorer):
    ex = SampledRNNExplorer(n_train=500, width=40, auto=False)
    ex.fit_button.click()
    good = ex.result
    ex.seed.value = -3
    out = ex.update()
    assert 'error' in out and 'ValueError' in ex.status.value and ex.result is good

def test_explore_is_device_safe():
    "The explorer's computations run on the strict CuPy stand-in and agree with numpy."
    data = explorer_data('lorenz63', 500, 0)
    a = explore(data, width=50, horizon=2.0, backend='numpy')
    b = explore(data, width=50, horizon=2.0, backend='strict')
    np.testing.assert_allclose(b['forecast'], a['forecast'], rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(np.sort_complex(b['eigenvalues']), np.sort_complex(a['eigenvalues']), atol=1e-6)

def test_saved_widget_state_holds_the_picture(explorer):
    "What a static docs page embeds: the Image model's state carries the PNG."
    from ipywidgets.embed import embed_data
    state = embed_data(views=[explorer.ui])['manager_state']['state']
    images = [s for s in state.values() if s['model_name'] == 'ImageModel']
    assert images and any(s.get('buffers') or s['state'].get('value') for s in images)

def test_explorer_validates_names():
    with pytest.raises(ValueError, match="system='pluto'"): explorer_data('pluto')
    with pytest.raises(ValueError, match='horizon=99'): explore(explorer_data('lorenz63', 500, 0), horizon=99)

# ------------------------------------------------------------------ the optimiser dashboard
@pytest.fixture(scope='module')
def diabetes(): return dashboard_problem('diabetes · MLP 10-5-4-1')

def test_train_live_reports_every_log_point(diabetes):
    seen = []
    hist = train_live(diabetes, {'random search': RandomSearch(sigma=0.05, seed=0)}, budget=600,
                      on_record=lambda name, rec: seen.append((name, rec['passes'])))
    h = hist['random search']
    assert [p for _, p in seen] == h['passes'] and h['passes'] == sorted(h['passes'])
    assert h['seconds'] == sorted(h['seconds']) and h['passes'][-1] >= 600

def test_hybrid_phases_share_one_axis(diabetes):
    hist = train_live(diabetes, {'cs → adam': Hybrid(CoordinateSearch(seed=0), then=Adam(lr=1e-3), switch=0.5)}, budget=300)
    h = hist['cs → adam']
    assert h['passes'] == sorted(h['passes']) and h['seconds'] == sorted(h['seconds'])
    assert 300 <= h['passes'][-1] < 400

def test_dashboard_run_button_draws_while_training():
    d = OptimiserDashboard(redraw_every=0.0)
    d.methods.value = ('EKI',)                    # J = 50: ten steps, a redraw after each log point
    d.budget.value = 500
    d.run_button.click()
    assert set(d.histories) == {'EKI'} and d.histories['EKI']['passes'][-1] >= 500
    assert d.draws > 2 and d.plot.value[:8] == PNG and 'done' in d.status.value
    assert not d.run_button.disabled

def test_dashboard_curve_redraws_without_training():
    d = OptimiserDashboard()
    d.methods.value = ('coordinate search',); d.budget.value = 500
    hist = d.run()
    n, h0 = d.draws, {k: list(v) for k, v in hist['coordinate search'].items()}
    d.curve.value = 'train loss'
    assert d.draws == n + 1 and d.histories['coordinate search']['passes'] == h0['passes']

def test_dashboard_problems_offer_their_own_methods():
    d = OptimiserDashboard()
    for name in DASHBOARD_PROBLEMS:
        d.problem.value = name
        assert set(d.methods.value) == set(d.methods.options) == set(dashboard_problem(name)['methods']())
    d.methods.value = ()
    assert d.run() == {} and 'choose' in d.status.value

def test_dashboard_without_torch_drops_adam(monkeypatch):
    dashboard_problem.cache_clear()
    monkeypatch.setattr(widgets, '_has_torch', lambda: False)
    try:
        names = list(dashboard_problem('diabetes · MLP 10-5-4-1')['methods']())
        assert names and not any('Adam' in n for n in names)
    finally: dashboard_problem.cache_clear()

def test_curves_cover_the_history_columns(diabetes):
    hist = train_live(diabetes, {'rs': RandomSearch(seed=0)}, budget=200)
    assert {CURVES['test loss'], CURVES['train loss']} <= set(hist['rs'])

def test_only_shared_ipywidgets_api():
    "The controls exist under the same names in ipywidgets 7.7 and 8.x."
    for name in ('Dropdown', 'IntSlider', 'FloatSlider', 'IntText', 'SelectMultiple', 'Button', 'HTML', 'Image',
                 'VBox', 'HBox', 'Layout'):
        assert hasattr(W, name)
    assert hasattr(W.Button(), 'click')
