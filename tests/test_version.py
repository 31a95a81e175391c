"""``dockui --version``: dockui's, Python's and Textual's versions, on one line, without an engine."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata

import dockui


def test_version_names_dockui_python_and_textual():
    r = subprocess.run([sys.executable, "-m", "dockui", "--version"], capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "COLUMNS": "20"})
    assert r.returncode == 0 and r.stderr == "", r
    line = r.stdout.strip()
    assert "\n" not in line  # one line, even on a narrow terminal (argparse's version action wrapped it)
    assert line.startswith(f"dockui {dockui.__version__}, ")
    assert f"Python {platform.python_version()} ({sys.executable})" in line
    assert line.endswith(f"Textual {metadata.version('textual')}")


def test_version_needs_no_engine_and_imports_no_textual():
    code = ("import sys; from dockui import cli; rc = cli.main(['--version', '--host', 'unix:///nonexistent.sock']); "
            "print('textual imported' if 'textual' in sys.modules else 'textual not imported'); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r
    assert r.stdout.splitlines()[-1] == "textual not imported"
