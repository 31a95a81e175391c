"""scripts/matrix's end-to-end step, run by the matrix venv's own Python: the installed ``dockui``
opens on the sandbox engine in a real terminal (tmux) and shows the containers list, with a
container made for the occasion in it; ``ctrl+q`` ends it with exit status 0.

Environment: ``MATRIX_VENV`` (the venv whose ``bin/dockui`` runs), ``DOCKER_HOST`` (the engine).
The work tree is not on ``sys.path``: ``dockui`` is imported from the venv, the tmux harness is
loaded from this tree's tests/tmux.py by path (it imports nothing of dockui).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import uuid
from pathlib import Path

import dockui
from dockui.engine import EngineClient


def main() -> int:
    venv = Path(os.environ["MATRIX_VENV"])
    host = os.environ["DOCKER_HOST"]
    assert dockui.__file__.startswith(str(venv)), f"dockui imported from {dockui.__file__}, not from {venv}"
    spec = importlib.util.spec_from_file_location("matrix_tmux", Path(__file__).resolve().parent.parent / "tests" / "tmux.py")
    assert spec and spec.loader
    tmux = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tmux)
    if not tmux.ensure_tmux():
        print("matrix e2e: tmux is missing and could not be installed", file=sys.stderr)
        return 1
    client = EngineClient(host, timeout=30)
    name = f"dockui-matrix-{os.environ.get('MATRIX_VERSION', '')}-{uuid.uuid4().hex[:6]}".replace(".", "")
    cid = client.create_container("dockui/busybox:latest", ["sleep", "300"], name=name, labels={"dockui.test": "1"})["Id"]
    try:
        client.start(cid)
        t0 = time.monotonic()
        with tmux.Tmux([str(venv / "bin" / "dockui"), "--host", host], size=(160, 40), term="xterm-256color") as t:
            t.wait_for("Containers [", timeout=30)
            t.wait_for(name, timeout=30)
            shown = time.monotonic() - t0
            screen = t.capture()
            t.send_keys("C-q")
            code = t.wait_exit(timeout=20)
        if code != 0:
            print(f"matrix e2e: dockui exited with {code}", file=sys.stderr)
            return 1
        row = next(line for line in screen.splitlines() if name in line)
        print(f"matrix e2e: {venv.name}: the containers list showed {name} after {shown:.1f} s; row: {row.strip()}")
        return 0
    finally:
        client.remove_container(cid, force=True)


if __name__ == "__main__":
    sys.exit(main())
