"""scripts/matrix reports a Python it cannot find by name and fails, instead of passing it over."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MATRIX = Path(__file__).resolve().parent.parent / "scripts" / "matrix"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(MATRIX), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_a_missing_python_is_reported_by_name_and_fails_the_run():
    r = run("3.10=/nonexistent/bin/python3.10", "3.13=/bin/true")  # nothing there; not a Python
    assert r.returncode == 1, r
    assert "python3.10: missing (/nonexistent/bin/python3.10 is not a Python 3.10)" in r.stderr
    assert "python3.13: missing (/bin/true is not a Python 3.13)" in r.stderr
    assert "pyenv install 3.10" in r.stderr  # and how to get it
    out = r.stdout.splitlines()
    assert "  python3.10: missing" in out and "  python3.13: missing" in out
    assert out[-1] == "matrix: 0 passed, 2 failed"
    assert "built" not in r.stdout  # no wheel built for nothing


def test_allowing_missing_pythons_still_names_them():
    r = run("3.12=/nonexistent/python3.12", DOCKUI_MATRIX_ALLOW_MISSING="1")
    assert r.returncode == 0, r
    assert "  python3.12: missing" in r.stdout.splitlines() and r.stdout.splitlines()[-1] == "matrix: 0 passed, 0 failed"


def test_an_interpreter_of_another_version_is_not_taken_for_the_one_asked():
    py = os.path.realpath(sys.executable)
    r = run(f"3.9={py}")
    assert r.returncode == 1 and f"python3.9: missing ({py} is not a Python 3.9)" in r.stderr, r


def test_every_engine_free_file_the_matrix_runs_exists():
    """A renamed or removed test file would fail every matrix venv with 'file not found'."""
    import re

    text = MATRIX.read_text()
    block = re.search(r"^ENGINE_FREE=\((.*?)\)", text, re.S | re.M).group(1)
    files = [w for w in block.split() if w.startswith("tests/")]
    assert len(files) >= 10
    root = MATRIX.parent.parent
    assert [f for f in files if not (root / f).is_file()] == []
    for spec in re.findall(r"--deselect ([^\s)]+)", text):
        path, name = spec.split("::")
        assert f"def {name}(" in (root / path).read_text(), spec
