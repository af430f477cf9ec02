"""Make README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines lack).

    python .ci/readme.py          # write README.md
    python .ci/readme.py --check  # exit 1 when README.md is stale
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n"

def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def _directives(src):
    "{'hide': '', 'echo:': 'false', ...} from the `#|` lines of a cell."
    return {m.group(1): m.group(2).strip() for m in re.finditer(r'^#\|\s*(\S+)(.*)$', src, flags=re.M)}

def _links(md):
    "Relative links and images that point into nbs/ (where the notebook lives) made relative to the repository root."
    def fix(m):
        target = m.group(2)
        if re.match(r'[a-z]+:|[#/]', target) or not (ROOT / 'nbs' / target.split('#')[0]).exists(): return m.group(0)
        return f"{m.group(1)}(nbs/{target})"
    return re.sub(r'(!?\[[^\]]*\])\(([^)\s]+)\)', fix, md)

def _text(o, key='text/plain'):
    t = o['data'][key] if 'data' in o else o['text']
    return (''.join(t) if isinstance(t, list) else t).rstrip()

def outputs(cell) -> list:
    "A code cell's stored outputs as README markdown: markdown as it is, text in a plain block (figures are left to the docs)."
    parts = []
    for o in cell.get('outputs', []):
        if o['output_type'] == 'stream' and o.get('name') == 'stdout': parts.append(f"```\n{_text(o)}\n```")
        elif o['output_type'] in ('execute_result', 'display_data'):
            if 'text/markdown' in o['data']: parts.append(_links(_text(o, 'text/markdown')).strip())
            elif 'text/plain' in o['data'] and not any(k.startswith(('image/', 'application/vnd.jupyter.widget')) for k in o['data']):
                parts.append(f"```\n{_text(o)}\n```")
    return parts

def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    """Markdown for the README: markdown cells as they are (links into nbs/ fixed), visible code cells as
    python blocks followed by their stored outputs (`#| echo: false` shows the output alone)."""
    nb, parts = json.loads(Path(nb_path).read_text(encoding='utf-8')), []
    for cell in nb['cells']:
        src = _src(cell)
        d = _directives(src)
        if 'hide' in d: continue
        if cell['cell_type'] == 'markdown':
            # nbdev turns the summary quote under the title into a description line
            parts.append(_links(src.strip()))
        elif cell['cell_type'] == 'code':
            code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
            if code and d.get('echo:') != 'false': parts.append(f"```python\n{code}\n```")
            if d.get('output:') != 'false': parts += outputs(cell)
    return HEADER + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    readme, text = ROOT / 'README.md', render()
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text(encoding='utf-8') != text:
            sys.exit("README.md is stale: it differs from nbs/index.ipynb. Run `python .ci/readme.py` and commit README.md.")
        print("README.md is current.")
    else:
        readme.write_text(text, encoding='utf-8')
        print(f"wrote {readme}")
