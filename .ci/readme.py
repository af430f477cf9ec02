"""Make README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines lack).

    python .ci/readme.py          # write README.md
    python .ci/readme.py --check  # exit 1 when README.md is stale
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n"

def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    "Markdown for the README: markdown cells as they are, visible code cells as python blocks."
    nb, parts = json.loads(Path(nb_path).read_text(encoding='utf-8')), []
    for cell in nb['cells']:
        src = _src(cell)
        directives = re.findall(r'^#\|\s*(\S+)', src, flags=re.M)
        if 'hide' in directives: continue
        if cell['cell_type'] == 'markdown':
            # nbdev turns the summary quote under the title into a description line
            parts.append(src.strip())
        elif cell['cell_type'] == 'code':
            code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
            if code: parts.append(f"```python\n{code}\n```")
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
