"""The console script, run as users run it."""
import subprocess, sys
from pathlib import Path

def gfrnn(*args, cwd=None):
    return subprocess.run([sys.executable, '-c', 'import sys; from gfrnn_nb.cli import main; sys.exit(main())', *args],
                          capture_output=True, text=True, cwd=cwd)

def test_help_lists_subcommands():
    r = gfrnn('--help')
    assert r.returncode == 0 and 'demo' in r.stdout

def test_demo_writes_png(tmp_path):
    r = gfrnn('demo', '--n-steps', '300', '--out', str(tmp_path / 'd.png'))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'd.png').stat().st_size > 1000 and 'lorenz63' in r.stdout

def test_unknown_subcommand_fails():
    r = gfrnn('frobnicate')
    assert r.returncode != 0 and 'invalid choice' in r.stderr
