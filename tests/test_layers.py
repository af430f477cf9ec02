"""The architecture, checked: every module belongs to one layer and imports only from its own layer and those below.

    core      arrays, systems, metrics, input checks, data sets
    gradfree  networks as flat parameter vectors and the optimisers that train them without gradients
    sampled   sampled hidden layers, EDMD and the recurrent models built on them (they may use gradfree to refine)
    studies   baselines, benchmarks and experiments: they compare the layers below and return data
    faces     the widgets and the command line on top
"""
import ast, pathlib
import pytest

PKG = pathlib.Path(__file__).resolve().parents[1] / 'gfrnn_nb'
LAYERS = {
    'core': {'backend', 'checks', 'systems', 'metrics', 'datasets'},
    'gradfree': {'nets', 'optimizer', 'eki', 'enkf', 'search', 'hybrid', 'optim'},
    'sampled': {'sampling', 'edmd', 'selection', 'stream', 'rnn', 'delay', 'local', 'control', 'weather', 'multistep', 'scale'},
    'studies': {'baselines', 'bench', 'compare', 'ablations', 'robust', 'flows', 'studies'},
    'faces': {'widgets', 'cli'},
}
ALLOWED = {'core': {'core'}, 'gradfree': {'core', 'gradfree'}, 'sampled': {'core', 'gradfree', 'sampled'},
           'studies': {'core', 'gradfree', 'sampled', 'studies'}, 'faces': set(LAYERS)}

def layer(mod:str) -> str:
    top = mod.split('.')[0]
    found = [k for k, v in LAYERS.items() if top in v]
    assert found, f"gfrnn_nb.{mod} belongs to no layer: add it to LAYERS in tests/test_layers.py"
    return found[0]

def modules():
    for p in sorted(PKG.rglob('*.py')):
        if p.name in ('_modidx.py', '__init__.py'): continue
        yield '.'.join(p.relative_to(PKG).with_suffix('').parts), p

def imports(mod:str, path) -> set:
    "The gfrnn_nb modules that `mod` imports, anywhere in its code (lazy imports in functions too)."
    out, pkg = set(), mod.split('.')[:-1]
    for n in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(n, ast.ImportFrom):
            if n.level: out.add('.'.join(pkg[:len(pkg) - n.level + 1] + ([n.module] if n.module else [])))
            elif n.module and n.module.startswith('gfrnn_nb.'): out.add(n.module[len('gfrnn_nb.'):])
        elif isinstance(n, ast.Import):
            out |= {a.name[len('gfrnn_nb.'):] for a in n.names if a.name.startswith('gfrnn_nb.')}
    return {m for m in out if m}

@pytest.mark.parametrize('mod,path', list(modules()), ids=[m for m, _ in modules()])
def test_imports_stay_in_their_layer(mod, path):
    own = layer(mod)
    bad = sorted(f"{m} ({layer(m)})" for m in imports(mod, path) if layer(m) not in ALLOWED[own])
    assert not bad, f"gfrnn_nb.{mod} ({own}) imports from a layer above it: {', '.join(bad)}"

def test_every_layer_is_used():
    used = {layer(m) for m, _ in modules()}
    assert used == set(LAYERS), set(LAYERS) - used
