"""`make book`: execute every notebook (the index, the tutorials, the chapters) in place at the sizes their prose names, and store the outputs.

    python .ci/book.py                      # the hero figure, every book notebook, nbdev_clean, README.md
    python .ci/book.py --only weather       # a subset (substrings of the notebook paths)
    python .ci/book.py --hero-only          # just nbs/images/hero.png, from the cached results

Each notebook runs top to bottom in a fresh kernel (nbclient) from its own folder, with `IN_TEST` unset
(the full sizes) and matplotlib's inline backend (figures are stored as PNG); widget state is stored
too. Cells flagged `#| gpu` run only where a CUDA device answers; elsewhere they are skipped and the
notebook takes its numpy path, as it says in its own text. Cells flagged `#| slow` (the long runs behind
the stored result tables, run with `nbdev_test --flags slow`) and cells marked `#| eval: false` are skipped too. A notebook that fails keeps its previous
file and the run exits 1. Then `nbdev_clean` strips the metadata and README.md is made again from the
index.

The hero figure (`hero`) is drawn from the cached benchmark results in nbs/results/ only: nothing
is fitted.
"""
import argparse, json, os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
BIN = Path(sys.executable).parent
HERO = NBS / 'images' / 'hero.png'
# the notebooks the book stores with their outputs (all of them: the index, the tutorials, then the chapters);
# .ci/test.py checks that each one shows them
BOOK = (['index.ipynb'] + sorted(str(p.relative_to(NBS)) for p in (NBS / 'tutorials').glob('*.ipynb'))
        + sorted(p.name for p in NBS.glob('*.ipynb') if p.name != 'index.ipynb'))

def log(*a): print(*a, flush=True)

# ---------------------------------------------------------------- the hero figure
LABELS = {'sampled': 'sampled RNN (SWIM + EDMD)', 'esn': 'echo state network', 'nvar': 'NVAR (NG-RC)',
          'lstm': 'LSTM (BPTT)', 'persistence': 'persistence', 'mean': 'mean'}

def hero(out=HERO, results=NBS / 'results'):
    "The README's figure from the cached dysts results: VPT on every flow, and VPT against training seconds."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt, numpy as np
    sys.path.insert(0, str(ROOT))
    from gfrnn_nb.flows import per_flow, dysts_summary
    rows = json.loads((results / 'dysts.json').read_text())
    vpt, summ = per_flow(rows), {s['method']: s for s in dysts_summary(rows)}
    methods = [m for m in ('sampled', 'esn', 'lstm', 'nvar', 'persistence') if m in vpt]
    flows = sorted(set.intersection(*[set(vpt[m]) for m in methods]))
    colour = {'sampled': 'C3', 'esn': 'C0', 'lstm': 'C2', 'nvar': 'C1', 'persistence': '0.5'}
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.9), gridspec_kw=dict(width_ratios=[1.5, 1]))
    for m in methods:
        v = np.sort([vpt[m][f] for f in flows])[::-1]
        ax[0].plot(np.arange(1, len(v) + 1), v, c=colour[m], lw=2.4 if m == 'sampled' else 1.3,
                   ls=':' if m == 'persistence' else '-', label=LABELS[m])
    ax[0].set(xlabel=f'flows, best first ({len(flows)} chaotic flows of dysts)', ylabel='valid prediction time\n(Lyapunov times)',
              title='Forecast horizon on every flow, 512 points to fit on each', xlim=(0, len(flows) + 1), ylim=(0, 10.3))
    ax[0].legend(fontsize=8, frameon=False)
    for m in methods[:-1]:
        s = summ[m]
        ax[1].scatter(max(s['seconds_median'], 1e-3), s['vpt_median'], s=70, c=colour[m], zorder=3)
        ax[1].annotate(LABELS[m], (max(s['seconds_median'], 1e-3), s['vpt_median']), xytext=(7, -3),
                       textcoords='offset points', fontsize=8)
    ax[1].set(xscale='log', xlim=(0.05, 60), ylim=(0, 7.5), xlabel='median seconds to fit one trajectory (tuning included)',
              ylabel='median valid prediction time\n(Lyapunov times)', title='Accuracy against training time')
    for a in ax: a.spines[['top', 'right']].set_visible(False)
    fig.tight_layout()
    out = Path(out); out.parent.mkdir(parents=True, exist_ok=True)
    # no timestamp or version in the file, so a rerun on the same results writes the same bytes
    fig.savefig(out, dpi=110, metadata={'Software': None})
    plt.close(fig)
    return out

# ---------------------------------------------------------------- executing the notebooks
def gpu_present():
    "Whether CuPy imports and the CUDA driver reports a device."
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception: return False

def flags(src):
    "The nbdev directive names at the top of a cell."
    out = set()
    for line in src.splitlines():
        m = re.match(r'\s*#\|\s*(\S+)', line)
        if not m: break
        out.add(m.group(1))
    return out

KERNEL_CELL = re.compile(r'[^\s:]*ipykernel_\d+/\d+\.py:')   # where a warning raised by a cell's own code says it came from

def tidy_paths(text):
    "A stream's text with the project's paths relative to it and a cell's temporary file named `<cell>`: the same on every run."
    return KERNEL_CELL.sub('<cell>:', text.replace(str(ROOT) + os.sep, ''))

def execute(rel, gpu, timeout=1800):
    "Run nbs/`rel` in a fresh kernel and write it back with its outputs. -> (seconds, skipped cell indices, error or None)"
    import nbformat
    path = NBS / rel
    nb = nbformat.read(path, as_version=4)
    skipped = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == 'code' and ('gpu' in flags(cell.source) and not gpu or 'slow' in flags(cell.source)
                                         or re.search(r'^#\|\s*eval:\s*false', cell.source, flags=re.M)):
            cell.metadata.setdefault('tags', []).append('skip-execution'); skipped.append(i)
            cell.outputs, cell.execution_count = [], None
    from docs import run_notebook   # the docs check's runner: a kernel that fails to start is started afresh
    t0 = time.time()
    nb, error = run_notebook(nb, path, timeout)
    secs = time.time() - t0
    for cell in nb.cells:   # warnings name their source file: relative to the project, the same on every machine
        for o in cell.get('outputs', []):
            if o.get('output_type') == 'stream': o['text'] = tidy_paths(o['text'])
    for i in skipped:
        tags = nb.cells[i].metadata['tags']; tags.remove('skip-execution')
        if not tags: del nb.cells[i].metadata['tags']
    if error is None: nbformat.write(nb, path)
    return secs, skipped, error

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', nargs='*', default=(), help='substrings of the notebook paths to run')
    p.add_argument('--hero-only', action='store_true', help='only draw nbs/images/hero.png')
    a = p.parse_args(argv)
    log(f'hero figure: {hero().relative_to(ROOT)}')
    if a.hero_only: return 0
    # the kernels inherit this environment: full sizes, the inline backend, one BLAS thread per core used
    for k in ('IN_TEST', 'MPLBACKEND'): os.environ.pop(k, None)
    os.environ['PYTHONPATH'] = os.pathsep.join([str(ROOT)] + [q for q in os.environ.get('PYTHONPATH', '').split(os.pathsep) if q])
    gpu = gpu_present()
    rels = [r for r in BOOK if not a.only or any(o in r for o in a.only)]
    failed, times = [], {}
    for rel in rels:
        secs, skipped, error = execute(rel, gpu)
        times[rel] = secs
        note = f'; {len(skipped)} slow or GPU cells skipped' if skipped else ''
        log(f'  {rel}: {secs:.0f} s' + (f'  FAILED (previous file kept): {error}' if error else note))
        if error: failed.append(rel)
    done = [str(NBS / r) for r in rels if r not in failed]
    for f in done:
        r = subprocess.run([BIN / 'nbdev_clean', '--fname', f], cwd=ROOT)
        if r.returncode: failed.append(f'nbdev_clean {f}')
    subprocess.run([sys.executable, str(ROOT / '.ci' / 'readme.py')], cwd=ROOT, check=True)
    log(f'book: {len(rels) - len(failed)} notebooks stored with outputs, {len(failed)} failed, {sum(times.values()):.0f} s'
        + (f"; failed: {', '.join(failed)}" if failed else ''))
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main())
