"""The console script, run as users run it."""
import subprocess, sys
from pathlib import Path

import os

def gfrnn(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, '-c', 'import sys; from gfrnn_nb.cli import main; sys.exit(main())', *args],
                          capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})})

def test_help_lists_subcommands():
    r = gfrnn('--help')
    assert r.returncode == 0 and 'demo' in r.stdout

def test_demo_fits_scores_and_writes_png(tmp_path):
    r = gfrnn('demo', '--width', '150', '--n-train', '2000', '--n-starts', '3', '--n-free', '2000', '--backend', 'numpy',
              '--out', str(tmp_path / 'd.png'), env={'GFRNN_CACHE': str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'd.png').stat().st_size > 10_000
    for key in ('fit_seconds', 'vpt_median', 'ceiling_median', 'dstsp', 'dh'): assert key in r.stdout

def test_bench_needs_a_table_name():
    r = gfrnn('bench')
    assert r.returncode != 0 and 'sampled' in r.stderr

def test_unknown_subcommand_fails():
    r = gfrnn('frobnicate')
    assert r.returncode != 0 and 'invalid choice' in r.stderr

def test_bench_fit_prints_the_ratio(tmp_path):
    r = gfrnn('bench', 'fit', '--quick', env={'GFRNN_CACHE': str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert 'ratio sampled / ESN' in r.stdout and 'esn' in r.stdout
