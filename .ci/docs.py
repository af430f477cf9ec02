"""`make docs`: check the documentation build as far as it goes without Quarto.

    python .ci/docs.py                  # execute, process, render, browser-test every notebook
    python .ci/docs.py --only 50_widgets tutorials/   # a subset (substrings of the notebook paths)
    python .ci/docs.py --no-browser     # stop after the HTML checks
    python .ci/docs.py --screenshots    # also save what the browser saw in _proc/_check/shots/
    python .ci/docs.py --full           # execute without IN_TEST (full sizes, as for a published site)
    python .ci/docs.py --site           # then `quarto render` _proc into _docs where Quarto exists

Stages (each failure is listed, the run exits 1 when there is any):
1. execute: every notebook under nbs/ runs top to bottom in a fresh kernel (nbclient) in a copy in a
   temporary folder, with outputs and widget state saved; cells flagged with settings.ini's tst_flags
   (and `#| eval: false`) are skipped, as under nbdev_test; IN_TEST is set unless --full.
2. process: nbdev's docs processing (what `nbdev.serve.proc_nbs` does) on the executed copies writes _proc/,
   which is what `quarto render` turns into the site; every notebook must come out of it.
3. render: nbconvert HTML of every processed notebook in _proc/_check/html/; every figure output must be
   an <img> with data, every widget view must have its saved state, no error output may remain.
4. browser: headless Chromium (selenium + chromedriver) opens the pages and checks that the figures are
   drawn, that the widget views render from their saved state, and that no traceback is shown.

It installs what it lacks: chromium and chromium-driver with apt-get, selenium with pip, and the
Jupyter widgets HTML manager (which renders saved widget state in a page) with `npm pack`, cached in
~/.cache/gfrnn/docs-vendor; where npm is missing the pages load it from the jsDelivr CDN.
"""
import argparse, concurrent.futures as cf, configparser, copy, functools, http.server, json, os, re, shutil
import subprocess, sys, tarfile, tempfile, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, PROC = ROOT / 'nbs', ROOT / '_proc'
CHECK = PROC / '_check'
VENDOR_CACHE = Path(os.environ.get('GFRNN_CACHE', Path.home() / '.cache' / 'gfrnn')) / 'docs-vendor'
CHROME_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage', '--window-size=1280,2000']
TRACEBACK = re.compile(r'Traceback \(most recent call last\)|^\w*(Error|Exception): ', re.M)

def log(*a): print(*a, flush=True)

def tst_flags():
    cfg = configparser.ConfigParser(); cfg.read(ROOT / 'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def notebooks(only=()):
    "Paths (relative to nbs/) of the notebooks to build."
    nbs = sorted(p.relative_to(NBS) for p in NBS.rglob('*.ipynb')
                 if not any(part.startswith(('.', '_')) for part in p.relative_to(NBS).parts))
    return [p for p in nbs if not only or any(o in str(p) for o in only)]

# ---------------------------------------------------------------- 1. execute
def directives(src):
    "nbdev directives at the top of a cell: {'slow': [], 'eval:': ['false'], ...}."
    out = {}
    for line in src.splitlines():
        if not line.strip(): continue
        m = re.match(r'\s*#\|\s*(.*)', line)
        if not m: break
        words = m.group(1).split()
        if words: out[words[0]] = words[1:]
    return out

STARTS = 3   # tries to start a kernel: two kernels launched at once can race for the same free TCP port

def run_kernel(nb, src, timeout):
    "Execute nb in place in a fresh kernel. -> (error or None, whether the kernel started)"
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', store_widget_state=True,
                            resources={'metadata': {'path': str(src.parent)}})
    started = False
    def on_start(**kw):
        nonlocal started; started = True
    client.on_notebook_start = on_start   # called once the kernel has answered kernel_info
    try: client.execute()
    except CellExecutionError as e: return str(e).strip().splitlines()[-1][:300], True
    except Exception as e: return f'{type(e).__name__}: {e}'[:300], started   # kernel died, timeout
    return None, True

def run_notebook(nb, src, timeout):
    "Execute a copy of nb from src's folder, in a fresh kernel each time one fails to start. -> (executed copy, error or None)"
    for attempt in range(STARTS):
        run = copy.deepcopy(nb)
        error, started = run_kernel(run, src, timeout)
        if started: break
        time.sleep(1 + attempt)   # its ports were taken meanwhile: a fresh kernel picks new ones
    return drop_progress_bars(run), error

WIDGET_VIEW, WIDGET_STATE = 'application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json'
BAR_TEXT = re.compile(r'[^\n|]*\d+%\|')   # a tqdm bar's text form: "selecting:  33%|###3      | 2/6 [00:02<00:04, ...]"

def drop_progress_bars(nb):
    """Remove the progress bars of a run from an executed notebook: their outputs (a page would show each one frozen where
    the run left it) and, from the saved widget state, every model that no remaining view shows or refers to (the closed bars)."""
    for c in nb.cells:
        if 'outputs' in c:
            c.outputs = [o for o in c.outputs if not (WIDGET_VIEW in o.get('data', {})
                                                      and BAR_TEXT.match(''.join(o['data'].get('text/plain', ''))))]
    widgets = nb.metadata.get('widgets', {})
    state = widgets.get(WIDGET_STATE, {}).get('state')
    if state is None: return nb
    refs = {k: set(re.findall(r'IPY_MODEL_([\w-]+)', json.dumps(v))) for k, v in state.items()}
    keep = {o['data'][WIDGET_VIEW]['model_id'] for c in nb.cells for o in c.get('outputs', []) if WIDGET_VIEW in o.get('data', {})}
    while True:   # what the kept models show, and what refers to them (links between widgets): to a fixed point
        more = set().union(*(refs[k] for k in keep if k in refs)) | {k for k, r in refs.items() if r & keep}
        if more <= keep: break
        keep |= more
    widgets[WIDGET_STATE]['state'] = {k: v for k, v in state.items() if k in keep}
    if not widgets[WIDGET_STATE]['state']: del nb.metadata['widgets']
    return nb

def execute(rel, dst_root, timeout=600):
    "Run one notebook in a fresh kernel from its own folder; write it with outputs under dst_root. -> (rel, seconds, error)"
    import nbformat
    src = NBS / rel
    nb = nbformat.read(src, as_version=4)
    skip, skipped = tst_flags(), []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code': continue
        d = directives(cell.source)
        if (skip & d.keys()) or d.get('eval:', [''])[0].lower() == 'false' or 'nbdev_export(' in cell.source:
            cell.metadata.setdefault('tags', []).append('skip-execution'); skipped.append(i)
    t0 = time.time()
    nb, error = run_notebook(nb, src, timeout)
    for i in skipped:
        tags = nb.cells[i].metadata['tags']; tags.remove('skip-execution')
        if not tags: del nb.cells[i].metadata['tags']
    for c in nb.cells:
        for o in c.get('outputs', []):
            if o.get('output_type') == 'error' and not error: error = f"{o.get('ename')}: {o.get('evalue')}"[:300]
    dst = dst_root / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)
    return str(rel), time.time() - t0, error

def execute_all(rels, dst_root, workers, full):
    env = {k: '1' for k in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')} if workers > 1 else {}
    os.environ.update(env)
    os.environ.pop('MPLBACKEND', None)        # kernels must keep the inline backend to emit figures
    if full: os.environ.pop('IN_TEST', None)
    else: os.environ['IN_TEST'] = '1'
    # copy everything else (quarto config, sidebar, styles, images) so proc_nbs sees the whole site
    shutil.copytree(NBS, dst_root, ignore=shutil.ignore_patterns('*.ipynb', '.ipynb_checkpoints', '_*'), dirs_exist_ok=True)
    for f in ('_quarto.yml', '_brand.yml'):
        if (NBS / f).exists(): shutil.copy2(NBS / f, dst_root / f)
    problems, times = [], {}
    with cf.ProcessPoolExecutor(workers) as pool:
        for rel, secs, err in pool.map(execute, rels, [dst_root] * len(rels)):
            times[rel] = secs
            log(f'  executed {rel} in {secs:.0f} s' + (f'  FAILED: {err}' if err else ''))
            if err: problems.append(f'execute {rel}: {err}')
    return problems, times

# ---------------------------------------------------------------- 2. process
def proc_one(src, dst):
    "nbdev's docs processing of one notebook (what `proc_nbs` runs in its workers). -> (error, import warnings)"
    import warnings
    from nbdev.serve_drv import main as run
    from nbdev.processors import FilterDefaults
    os.chdir(ROOT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try: run((Path(src), Path(dst), FilterDefaults)); err = None
        except Exception as e:
            head = str(e).splitlines()[0]
            cause = e.__cause__ or e.__context__
            err = f"{head}: {type(cause).__name__}: {cause}" if cause else str(e)[:300]
    warns = [str(w.message).split('---')[1].strip().splitlines()[0][:80] for w in caught
             if 'imports and other code' in str(w.message) and '---' in str(w.message)]
    return err, warns

def process(exec_root, rels, workers):
    """nbdev.serve.proc_nbs, step by step, on the executed copies -> _proc.

    The same file selection and processors as `proc_nbs`; run here so that a failing notebook is named
    with its error (proc_nbs stops at the first, in a worker) and the others still come out."""
    from nbdev.serve import _proc_file
    from nbdev.doclinks import nbglob
    shutil.rmtree(PROC, ignore_errors=True); PROC.mkdir()
    files = nbglob(exec_root, func=Path, file_glob='', file_re='')
    files += [exec_root / f for f in ('_quarto.yml', '_brand.yml') if (exec_root / f).exists()]
    jobs = [j for j in (_proc_file(f, cache=PROC, path=exec_root) for f in files) if j]   # copies the other files
    problems = []
    with cf.ProcessPoolExecutor(workers) as pool:
        futs = {pool.submit(proc_one, str(s), str(d)): Path(s).relative_to(exec_root) for s, d, _ in jobs}
        for f in cf.as_completed(futs):
            rel = futs[f]; err, warns = f.result()
            if err: problems.append(f'process {rel}: {err}')
            if warns: log(f'  warning {rel}: {len(warns)} cells mix imports with other code; nbdev runs them while '
                          f'building the docs (first: {warns[0]!r})')
    for rel in rels:
        if not (PROC / rel).exists() and not any(q.startswith(f'process {rel}:') for q in problems):
            problems.append(f'process {rel}: no output in {PROC.name}/')
    return problems

# ---------------------------------------------------------------- 3. render
def vendor():
    "Local copies of require.js and the widgets HTML manager, or None (then the CDN is used)."
    import ipywidgets
    major = int(ipywidgets.__version__.split('.')[0])
    pkgs = {'html-manager': '@jupyter-widgets/html-manager@' + ('1' if major >= 8 else '0.20'), 'requirejs': 'requirejs@2'}
    out = VENDOR_CACHE / f'widgets{major}'
    if (out / 'html-manager' / 'dist' / 'embed-amd.js').exists() and (out / 'requirejs' / 'require.js').exists(): return out
    if not shutil.which('npm'): return None
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in pkgs.items():
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run(['npm', 'pack', '--silent', spec], cwd=d, capture_output=True, text=True)
            tgz = list(Path(d).glob('*.tgz'))
            if r.returncode or not tgz: log(f'  npm pack {spec} failed: {r.stderr.strip()[:200]}'); return None
            with tarfile.open(tgz[0]) as t: t.extractall(d, filter='data') if hasattr(tarfile, 'data_filter') else t.extractall(d)
            shutil.rmtree(out / name, ignore_errors=True)
            shutil.copytree(Path(d) / 'package', out / name)
    return out

def count_outputs(nb):
    "(image outputs, widget views, error-looking outputs) of an executed notebook."
    imgs = views = 0; errs = []
    for c in nb['cells']:
        for o in c.get('outputs', []):
            data = o.get('data', {})
            imgs += any(k.startswith('image/') for k in data)
            views += 'application/vnd.jupyter.widget-view+json' in data
            if o.get('output_type') == 'error' or (o.get('name') == 'stderr' and TRACEBACK.search(o.get('text', ''))):
                errs.append((o.get('ename') or o.get('text', ''))[:120])
    return imgs, views, errs

def render(rels, vend):
    "nbconvert HTML of each processed notebook; static checks. -> problems, {rel: expectations}"
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    html_dir = CHECK / 'html'
    shutil.rmtree(CHECK, ignore_errors=True); html_dir.mkdir(parents=True)
    kw = {}
    if vend:
        shutil.copytree(vend, CHECK / '_vendor')
        kw = dict(require_js_url='/_vendor/requirejs/require.js', widget_renderer_url='/_vendor/html-manager/dist/embed-amd.js')
    exporter = HTMLExporter(template_name='lab', **kw)
    # Quarto hides the input of `#| echo: false` cells (nbdev's show_doc cells); so does this preview
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove-input'}), enabled=True)
    problems, expect = [], {}
    for rel in rels:
        p = PROC / rel
        if not p.exists(): continue
        nb = nbformat.read(p, as_version=4)
        imgs, views, errs = count_outputs(nb)
        # Quarto reads the front matter (a raw cell nbdev writes first); nbconvert would print it
        nb.cells = [c for c in nb.cells if not (c.cell_type == 'raw' and c.source.startswith('---'))]
        for c in nb.cells:
            if c.cell_type == 'code' and directives(c.source).get('echo:', [''])[0] == 'false':
                c.metadata.setdefault('tags', []).append('remove-input')
        state = nb.metadata.get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
        body, _ = exporter.from_notebook_node(nb)
        out = html_dir / rel.with_suffix('.html')
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding='utf-8')
        n_img = len(re.findall(r'<img[^>]+src="data:image/[a-z+]+;base64,[A-Za-z0-9+/]{100}', body))
        view_ids = re.findall(r'"model_id": ?"([0-9a-f]+)"', body)
        if n_img < imgs: problems.append(f'render {rel}: {imgs} image outputs but {n_img} <img> with data in the HTML')
        if views and not state: problems.append(f'render {rel}: {views} widget views but no saved widget state')
        missing = [m for m in view_ids if m not in state]
        if missing: problems.append(f'render {rel}: widget views without state: {missing[:3]}')
        for e in errs: problems.append(f'render {rel}: error output: {e}')
        images_in_widgets = sum(1 for s in state.values() if s.get('model_name') == 'ImageModel')
        expect[rel] = dict(images=imgs, views=views, widget_images=images_in_widgets)
        log(f'  rendered {rel}: {imgs} figures, {views} widget views, {len(state)} widget models')
    return problems, expect

# ---------------------------------------------------------------- 4. browser
def ensure_browser():
    "Paths of chromium and chromedriver, installing the Debian packages (and selenium) when missing."
    chrome = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    driver = shutil.which('chromedriver')
    if not (chrome and driver):
        if shutil.which('apt-get') and os.geteuid() == 0:
            log('  installing chromium and chromium-driver with apt-get')
            env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
            subprocess.run(['apt-get', 'update', '-qq'], check=True, env=env)
            subprocess.run(['apt-get', 'install', '-y', '-qq', 'chromium', 'chromium-driver'], check=True, env=env,
                           stdout=subprocess.DEVNULL)
        else: sys.exit("Chromium and chromedriver are missing: install the Debian packages chromium and chromium-driver (as root).")
        chrome, driver = shutil.which('chromium'), shutil.which('chromedriver')
    try: import selenium  # noqa: F401
    except ImportError:
        log('  installing selenium with pip')
        subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', 'selenium>=4.10'], check=True)
    return chrome, driver

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

JS_STATE = """
const imgs = [...document.images];
const data = imgs.filter(i => i.src.startsWith('data:image') && i.complete && i.naturalWidth > 0).length;
const wimgs = imgs.filter(i => i.closest('.jupyter-widgets, .widget-image') && i.complete && i.naturalWidth > 0).length;
const rendered = document.querySelectorAll('.jupyter-widgets.widget-container, .widget-box, .jupyter-widgets.widget-inline-hbox, .widget-image').length;
const text = document.body.innerText;
return {data, wimgs, rendered, text,
        stderr: [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.innerText.slice(0, 200)),
        widget_errors: (text.match(/Error displaying widget[^\\n]*/g) || [])};
"""

def browse(rels, expect, chrome, driver_path, timeout=30, shots=False):
    "Open every page in headless Chromium and check figures, widget views and the absence of errors."
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    handler = functools.partial(_Quiet, directory=str(CHECK))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for f in CHROME_FLAGS: opts.add_argument(f)
    opts.set_capability('goog:loggingPrefs', {'browser': 'SEVERE'})
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
    drv.set_page_load_timeout(timeout)
    problems = []
    try:
        for rel in rels:
            if rel not in expect: continue
            e, url = expect[rel], f'http://127.0.0.1:{httpd.server_port}/html/{rel.with_suffix(".html").as_posix()}'
            try: drv.get(url)
            except Exception as ex: problems.append(f'browser {rel}: page did not load: {type(ex).__name__}'); continue
            t0 = time.time()
            while True:   # widgets render asynchronously after the manager script loads
                s = drv.execute_script(JS_STATE)
                done = s['data'] >= e['images'] and (not e['views'] or (s['rendered'] > 0 and s['wimgs'] >= min(1, e['widget_images'])))
                if done or time.time() - t0 > timeout: break
                time.sleep(0.25)
            console = [m['message'][:200] for m in drv.get_log('browser')
                       if 'net::ERR' not in m['message'] and 'Failed to load resource' not in m['message']]
            bad = []
            if s['data'] < e['images']: bad.append(f"{s['data']} of {e['images']} figures drawn")
            if e['views'] and not s['rendered']: bad.append(f"{e['views']} widget views, none rendered")
            if e['widget_images'] and not s['wimgs']: bad.append('the widget image is not drawn')
            if s['widget_errors']: bad.append(s['widget_errors'][0])
            if TRACEBACK.search('\n'.join(s['stderr'])) or 'Traceback (most recent call last)' in s['text']: bad.append('a traceback is shown')
            if any('widget' in c.lower() or 'uncaught' in c.lower() for c in console): bad.append(f'console: {console[0]}')
            note = f"{s['data']} figures, {s['rendered']} widget elements, {s['wimgs']} widget images"
            log(f'  browser {rel}: ' + (f'FAILED ({"; ".join(bad)})' if bad else 'ok') + f' — {note}'
                + (f' — {len(s["stderr"])} stderr outputs (warnings)' if s['stderr'] else ''))
            problems += [f'browser {rel}: {b}' for b in bad]
            if shots:
                (CHECK / 'shots').mkdir(exist_ok=True)
                drv.execute_script("const w = document.querySelector('.jupyter-widgets'); if (w) w.scrollIntoView();")
                drv.save_screenshot(str(CHECK / 'shots' / (str(rel.with_suffix('')).replace('/', '__') + '.png')))
    finally:
        drv.quit(); httpd.shutdown()
    return problems

# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--only', nargs='*', default=[], help='substrings of notebook paths to build')
    ap.add_argument('--workers', type=int, default=int(os.environ.get('NB_WORKERS', min(os.cpu_count() or 2, 4))))
    ap.add_argument('--no-browser', action='store_true')
    ap.add_argument('--full', action='store_true', help='execute without IN_TEST')
    ap.add_argument('--screenshots', action='store_true', help='save a screenshot of every page in _proc/_check/shots')
    ap.add_argument('--site', action='store_true', help='run `quarto render` in _proc afterwards (where Quarto exists)')
    args = ap.parse_args()
    os.chdir(ROOT)
    t0, times, problems = time.time(), {}, []
    rels = notebooks(args.only)
    chrome = driver = None
    if not args.no_browser: chrome, driver = ensure_browser()
    with tempfile.TemporaryDirectory(prefix='gfrnn-docs-') as tmp:
        exec_root = Path(tmp) / 'nbs'
        log(f'1. execute {len(rels)} notebooks ({args.workers} workers, {"full sizes" if args.full else "IN_TEST"})')
        p, times = execute_all(rels, exec_root, args.workers, args.full); problems += p
        log(f'2. nbdev proc_nbs -> {PROC.relative_to(ROOT)}/  [{time.time() - t0:.0f} s]')
        problems += process(exec_root, rels, args.workers)
    log(f'3. nbconvert HTML -> {CHECK.relative_to(ROOT)}/html/  [{time.time() - t0:.0f} s]')
    vend = vendor()
    if not vend: log('  (no npm: pages will load the widgets manager from the jsDelivr CDN)')
    p, expect = render(rels, vend); problems += p
    if not args.no_browser:
        log(f'4. headless Chromium  [{time.time() - t0:.0f} s]')
        problems += browse(rels, expect, chrome, driver, shots=args.screenshots)
    if args.site:
        if not shutil.which('quarto'): problems.append('site: quarto is not installed')
        else:
            r = subprocess.run(['quarto', 'render', '--no-cache'], cwd=PROC)
            if r.returncode: problems.append(f'site: quarto render failed (exit {r.returncode})')
            else:
                shutil.rmtree(ROOT / '_docs', ignore_errors=True); shutil.move(PROC / '_docs', ROOT / '_docs')
    (CHECK / 'report.json').write_text(json.dumps(dict(problems=problems, seconds=times), indent=1))
    for q in problems: print('DOCS CHECK FAILED:', q, file=sys.stderr)
    log(f'docs: {len(rels)} notebooks, {len(problems)} problems; {time.time() - t0:.0f} s '
        f'(slowest: {", ".join(f"{k} {v:.0f} s" for k, v in sorted(times.items(), key=lambda kv: -kv[1])[:3])})')
    sys.exit(1 if problems else 0)

if __name__ == '__main__':
    # worker processes find functions by module name, and imports below replace __main__'s: use an importable copy
    sys.path.insert(0, str(Path(__file__).parent))
    import docs
    docs.main()
