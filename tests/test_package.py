"The package's top level: the main names, loaded lazily from their modules."
import importlib, subprocess, sys
import pytest
import gfrnn_nb

@pytest.mark.parametrize('name', gfrnn_nb.__all__)
def test_main_name_is_the_module_object(name):
    module = importlib.import_module(f'gfrnn_nb.{gfrnn_nb._MAIN[name]}')
    assert getattr(gfrnn_nb, name) is getattr(module, name)

def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NoSuchModel'"): gfrnn_nb.NoSuchModel

def test_import_is_light():
    code = "import sys, gfrnn_nb; print(sorted(m for m in sys.modules if m.startswith('gfrnn_nb.') or m == 'matplotlib'))"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == '[]', out

def test_star_import_and_dir():
    ns = {}
    exec('from gfrnn_nb import *', ns)
    assert {'SampledRNN', 'EKI', 'lorenz63'} <= set(ns)
    assert 'SampledRNN' in dir(gfrnn_nb)
