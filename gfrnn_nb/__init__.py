"""gfrnn: neural networks trained without backpropagation — sampled recurrent networks fitted by extended dynamic mode
decomposition, and gradient-free optimisers for any network. The main names are importable from here
(`from gfrnn_nb import SampledRNN`); each is loaded from its module on first use, so `import gfrnn_nb` stays light."""
__version__ = "0.1.0"

_MAIN = {
    'SampledRNN': 'rnn', 'DelayRNN': 'delay', 'LocalRNN': 'local', 'EDMD': 'edmd', 'KoopmanSpectrum': 'edmd',
    'DMDc': 'control', 'MPC': 'control', 'ShootingMPC': 'control', 'closed_loop': 'control',
    'MLP': 'nets', 'ElmanRNN': 'nets', 'EKI': 'eki', 'SubspaceEnKF': 'enkf', 'CoordinateSearch': 'search',
    'Hybrid': 'hybrid', 'Adam': 'hybrid', 'RandomSearch': 'optimizer',
    'ESN': 'baselines', 'NVAR': 'baselines', 'TorchRNN': 'baselines',
    'lorenz63': 'systems', 'rossler': 'systems', 'lorenz96': 'systems', 'mackey_glass': 'systems', 'trajectories': 'systems',
    'valid_prediction_time': 'metrics', 'd_stsp': 'metrics', 'd_h': 'metrics',
    'refine_multistep': 'multistep', 'fit_distributed': 'scale', 'cluster': 'scale', 'finite_stretches': 'edmd',
}
__all__ = sorted(_MAIN)

def __getattr__(name):
    if name not in _MAIN: raise AttributeError(f"module 'gfrnn_nb' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f'gfrnn_nb.{_MAIN[name]}'), name)
    globals()[name] = value
    return value

def __dir__(): return sorted(set(globals()) | set(_MAIN))
