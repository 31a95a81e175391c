"""``dockui --check`` names the engine's version, then dockui's, Python's and Textual's (one line each)."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata

import dockui

from .conftest import engine_host


def test_check_names_the_engine_and_dockui_python_textual(client):
    want = client.version()
    r = subprocess.run([sys.executable, "-m", "dockui", "--check", "--host", engine_host()], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stderr == "", r
    engine, versions = r.stdout.splitlines()
    assert engine.startswith(f"{engine_host()} (--host): Docker {want['Version']} API ")
    assert versions == (f"dockui {dockui.__version__}, Python {platform.python_version()} ({sys.executable}), "
                        f"Textual {metadata.version('textual')}")
