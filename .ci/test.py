"""`make test`: sync checks, every notebook through nbdev_test, pytest tests/, one closing count line.

Run from the repository root with the dev virtual environment's python.
"""
import hashlib, importlib.util, json, os, re, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET
from pathlib import Path
from docs import BAR_TEXT   # a tqdm bar's text form, which the book's runs drop from executed notebooks

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKERS = os.environ.get('NB_WORKERS', str(min(os.cpu_count() or 2, 4)))

def snapshot():
    "Content hash of every file nbdev_export / nbdev_clean may write."
    files = sorted(p for d in ('nbs', 'gfrnn_nb') for p in (ROOT / d).rglob('*')
                   if p.is_file() and '__pycache__' not in p.parts and '.ipynb_checkpoints' not in p.parts)
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

def changed(before, after): return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))

def run(cmd, **kw):
    print('$', ' '.join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw)

# stored with their outputs by `make book` (.ci/book.py): each must show them
# (every notebook: the index, the tutorials and the chapters)
BOOK_NOTEBOOKS = sorted(str(p.relative_to(ROOT / 'nbs')) for p in (ROOT / 'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
PLOTS = re.compile(r'\bplt\.|\.plot\(|\bplot_\w+\(|\bax\.|Explorer\(|Dashboard\(')

def _code(nb): return [c for c in nb['cells'] if c['cell_type'] == 'code']
def _src(c): return ''.join(c['source']) if isinstance(c['source'], list) else c['source']
def _text(t): return ''.join(t) if isinstance(t, list) else t

def output_checks():
    "Stored outputs, from the notebooks' JSON (nothing is executed): the book shows its outputs, no notebook stores an error."
    problems, nbs = [], ROOT / 'nbs'
    for rel in BOOK_NOTEBOOKS:
        path = nbs / rel
        if not path.exists(): problems.append(f"{rel} is in BOOK_NOTEBOOKS but not in nbs/."); continue
        nb = json.loads(path.read_text(encoding='utf-8'))
        cells = _code(nb)
        if not any(c.get('outputs') for c in cells):
            problems.append(f"{rel} has no stored output: run `make book` and commit it.")
        # cells that run and draw (definitions, hidden, GPU-only and unevaluated cells do not)
        plots = any(PLOTS.search(_src(c)) and not re.search(r'^#\|\s*(gpu|hide|export|exporti|eval:\s*false)\b', _src(c), flags=re.M)
                    for c in cells)
        pngs = any('image/png' in o.get('data', {}) for c in cells for o in c.get('outputs', []))
        if plots and not pngs: problems.append(f"{rel} draws figures but stores none: run `make book` and commit it.")
        views = any('application/vnd.jupyter.widget-view+json' in o.get('data', {}) for c in cells for o in c.get('outputs', []))
        if views and not nb.get('metadata', {}).get('widgets'):
            problems.append(f"{rel} shows widgets without their saved state: run `make book` and commit it.")
        if any(BAR_TEXT.match(_text(o['data'].get('text/plain', ''))) for c in cells for o in c.get('outputs', [])
               if 'application/vnd.jupyter.widget-view+json' in o.get('data', {})):
            problems.append(f"{rel} stores a progress bar (a page would show it frozen): run `make book` and commit it.")
    for path in sorted(nbs.rglob('*.ipynb')):
        if '.ipynb_checkpoints' in path.parts: continue
        for i, c in enumerate(json.loads(path.read_text(encoding='utf-8'))['cells']):
            for o in c.get('outputs', []):
                bad = (o.get('output_type') == 'error' or
                       (o.get('output_type') == 'stream' and 'Traceback' in _text(o.get('text', ''))) or
                       any('Traceback (most recent call last)' in _text(v) for k, v in o.get('data', {}).items() if k.startswith('text/')))
                if bad: problems.append(f"{path.relative_to(nbs)} stores an error in cell {i}: execute it again and commit it.")
    return problems

def sync_checks():
    "Failures of the export/clean/README checks, as messages."
    problems = []
    for tool in ('nbdev_export', 'nbdev_clean'):
        before = snapshot()
        r = run([BIN / tool])
        diff = changed(before, snapshot())
        if r.returncode: problems.append(f"{tool} failed (exit {r.returncode}).")
        elif diff: problems.append(f"{tool} changed the tree: {', '.join(diff)}. Run it and commit the result.")
    r = run([sys.executable, '.ci/readme.py', '--check'])
    if r.returncode: problems.append("README.md is stale (see above).")
    # a name used by exported code but defined only in a non-exported cell works in the notebook and
    # fails for users: pyflakes finds those in the generated package
    r = run([sys.executable, '-m', 'pyflakes', 'gfrnn_nb'], capture_output=True, text=True)
    undefined = [l for l in r.stdout.splitlines() if 'undefined name' in l]
    if undefined: problems.append("exported code uses names it never defines:\n  " + "\n  ".join(undefined))
    return problems + output_checks()

def notebooks():
    "(passed, failed names) of nbdev_test over every notebook, in parallel workers."
    nbs = sorted(p.name for p in (ROOT / 'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
    # one BLAS thread per notebook worker: oversubscribed OpenBLAS threads spin and slow everything down
    threads = {k: '1' for k in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')} if int(WORKERS) > 1 else {}
    r = run([BIN / 'nbdev_test', '--n_workers', WORKERS, '--timing', '--do_print'],
            env={**os.environ, 'MPLBACKEND': 'Agg', **threads}, capture_output=True, text=True)
    sys.stdout.write(r.stdout); sys.stderr.write(r.stderr)
    if r.returncode == 0: return len(nbs), []
    m = re.search(r'Failed On The Following Notebooks:\n=+\n(.*)', r.stderr, flags=re.S)
    failed = [l.strip() for l in m.group(1).splitlines() if l.strip()] if m else ['nbdev_test (no report)']
    return len(nbs) - len(failed), failed

def pytests():
    "(passed, failed) of pytest tests/."
    with tempfile.TemporaryDirectory() as d:
        xml = Path(d) / 'junit.xml'
        spread = ['-n', WORKERS] if importlib.util.find_spec('xdist') and int(WORKERS) > 1 else []   # the tests over the notebooks' workers
        threads = {k: '1' for k in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')} if spread else {}   # as the notebooks': one BLAS thread per worker
        r = run([sys.executable, '-m', 'pytest', 'tests', '-q', *spread, f'--junitxml={xml}'], env={**os.environ, 'MPLBACKEND': 'Agg', **threads})
        if r.returncode == 5: return 0, 0           # no tests collected
        if not xml.exists(): return 0, 1
        suites = ET.parse(xml).getroot()
        suites = [suites] if suites.tag == 'testsuite' else list(suites)
        n = lambda k: sum(int(s.get(k, 0)) for s in suites)
        failed = n('failures') + n('errors')
        return n('tests') - failed - n('skipped'), failed + (1 if r.returncode not in (0, 1) and not failed else 0)

if __name__ == '__main__':
    t0 = time.time()
    problems = sync_checks()
    for p in problems: print('CHECK FAILED:', p, file=sys.stderr)
    nb_pass, nb_fail = notebooks()
    py_pass, py_fail = pytests()
    if nb_fail: print('notebooks that failed:', ', '.join(nb_fail))
    print(f"notebooks: {nb_pass} passed, {len(nb_fail)} failed; pytest: {py_pass} passed, {py_fail} failed; "
          f"checks: {len(problems)} failed; {time.time() - t0:.0f} s")
    print(f"{nb_pass + py_pass} passed, {len(nb_fail) + py_fail + len(problems)} failed")
    sys.exit(1 if (nb_fail or py_fail or problems) else 0)
