"""The fleet from the command line: ``dockui --fleet`` in a real terminal (tmux) and ``--check``."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .tmux import Tmux, ensure_tmux

MAIN = "unix:///var/tmp/dockui-sandbox/docker.sock"
N2 = "unix:///var/tmp/dockui-sandbox/n2/docker.sock"
ROOT = Path(__file__).resolve().parents[1]
DOCKUI = ROOT / ".venv" / "bin" / "dockui"


def _config(tmp: Path) -> Path:
    """A DOCKER_CONFIG with contexts: node2 (the sandbox's second node), nohost, and a malformed file."""
    for name, host in (("node2", N2), ("nohost", "tcp://no-such-host.invalid:2375")):
        d = tmp / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
        d.mkdir(parents=True)
        (d / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}}))
    bad = tmp / "contexts" / "meta" / ("e" * 64)
    bad.mkdir(parents=True)
    (bad / "meta.json").write_text("[1, 2")
    return tmp


@pytest.fixture
def cfg(tmp_path):
    if not Path(N2[len("unix://"):]).exists():
        pytest.skip("the sandbox's node 2 is not up")
    return _config(tmp_path)


def test_fleet_check_prints_one_line_per_engine_and_fails_for_the_bad_ones(cfg):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cfg), "DOCKER_CONFIG": str(cfg), "DOCKER_HOST": MAIN, "DOCKUI_LOG": "off"}
    r = subprocess.run([sys.executable, "-m", "dockui", "--fleet", "--check"], capture_output=True, text=True, timeout=60,
                       env=env, cwd=ROOT)
    assert r.returncode == 1, r
    assert re.search(r"^default: unix://\S+ Docker \S+ linux/", r.stdout, re.M), r.stdout
    assert re.search(r"^node2: unix://\S+n2/docker.sock Docker ", r.stdout, re.M), r.stdout
    assert "nohost: cannot reach tcp://no-such-host.invalid:2375" in r.stderr and "cannot resolve" in r.stderr
    assert "malformed context file" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_dockui_fleet_in_a_terminal_shows_every_engine_and_quits(cfg):
    if not ensure_tmux():
        pytest.skip("no tmux")
    env = {"DOCKER_CONFIG": str(cfg), "DOCKER_HOST": MAIN, "DOCKUI_LOG": "off"}
    with Tmux([str(DOCKUI), "--fleet"], size=(200, 50), env=env) as t:
        t.wait_for(re.compile(r"fleet 2/4 engines:.*default \*.*node2 \*"), timeout=30)
        t.wait_for(re.compile(r"nohost x unreachable: cannot resolve"), timeout=30)
        t.wait_for("ENGINE", timeout=10)
        t.send_keys("/")
        t.send_text("engine=node2")
        t.send_keys("Enter")
        screen = t.wait_for(re.compile(r"filter: engine=node2"), timeout=10)
        rows = [ln for ln in screen.splitlines() if re.search(r"\s(default|node2)\s+(running|exited|created)", ln)]
        assert rows and all(" node2 " in ln for ln in rows), screen
        t.send_keys("C-q")
        assert t.wait_exit(10) == 0
