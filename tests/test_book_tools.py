"""The book's own tools (.ci/): what they do to executed notebooks before they are stored or rendered."""
import sys
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / '.ci'))
from docs import drop_progress_bars, WIDGET_VIEW, WIDGET_STATE
from book import tidy_paths, ROOT

def _view(mid, text): return nbformat.v4.new_output('display_data', data={WIDGET_VIEW: {'model_id': mid, 'version_major': 2, 'version_minor': 0}, 'text/plain': text})
def _model(name, **state): return {'model_name': name, 'state': state}

def test_progress_bars_go_and_the_widgets_shown_stay():
    cell = nbformat.v4.new_code_cell('fit()')
    cell.outputs = [_view('bar', 'selecting:  33%|###3      | 2/6 [00:02<00:04,  1.22s/it]'), _view('box', 'VBox(children=(Dropdown(…'),
                    nbformat.v4.new_output('stream', name='stdout', text='done\n')]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata['widgets'] = {WIDGET_STATE: {'state': {
        'bar': _model('HBoxModel', children=['IPY_MODEL_prog'], layout='IPY_MODEL_barlayout'), 'prog': _model('FloatProgressModel'),
        'barlayout': _model('LayoutModel'), 'closed': _model('HBoxModel', children=['IPY_MODEL_closedprog']),   # a bar closed during the run
        'closedprog': _model('FloatProgressModel'),
        'box': _model('VBoxModel', children=['IPY_MODEL_drop'], layout='IPY_MODEL_boxlayout'), 'drop': _model('DropdownModel'),
        'boxlayout': _model('LayoutModel'), 'link': _model('LinkModel', source=['IPY_MODEL_drop', 'value'])}}}   # refers to a shown model
    drop_progress_bars(nb)
    assert [o.get('data', {}).get(WIDGET_VIEW, {}).get('model_id') for o in cell.outputs] == ['box', None]
    assert set(nb.metadata['widgets'][WIDGET_STATE]['state']) == {'box', 'drop', 'boxlayout', 'link'}

def test_a_notebook_left_with_bars_only_keeps_no_widget_state():
    cell = nbformat.v4.new_code_cell('fit()')
    cell.outputs = [_view('bar', 'memory: 100%|##########| 4/4 [00:02<00:00,  1.88it/s]')]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata['widgets'] = {WIDGET_STATE: {'state': {'bar': _model('HBoxModel')}}}
    drop_progress_bars(nb)
    assert cell.outputs == [] and 'widgets' not in nb.metadata

def test_warning_paths_read_the_same_on_every_run():
    text = (f"/tmp/ipykernel_2181/1007198408.py:2: RuntimeWarning: left the range\n  kpred = m.forecast(x0, 10)\n"
            f"{ROOT}/gfrnn_nb/bench.py:98: RuntimeWarning: held\n")
    assert tidy_paths(text) == "<cell>:2: RuntimeWarning: left the range\n  kpred = m.forecast(x0, 10)\ngfrnn_nb/bench.py:98: RuntimeWarning: held\n"
