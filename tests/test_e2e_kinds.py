"""End to end (issue 18 section 2): the installed ``dockui`` in a real terminal (tmux) against the
sandbox engine opens ``:events``, ``:pulse``, ``:secrets``, ``:stacks`` and an image's layers,
and the screen shows what each one is for."""

from __future__ import annotations

import re
import sys
import time
import uuid
from pathlib import Path

import pytest

from dockui.engine import NotFound
from dockui.kinds.stacks import NAMESPACE

from .conftest import IMAGE, engine_host
from .kindview import service_spec
from .tmux import Tmux, ensure_tmux

pytestmark = [pytest.mark.skipif(not ensure_tmux(), reason="tmux is missing and apt-get could not install it")]


def dockui_exe() -> str:
    exe = Path(sys.executable).parent / "dockui"
    return str(exe) if exe.exists() else str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "dockui")


def command(t: Tmux, text: str, expect: str | re.Pattern[str]) -> str:
    """``:text``, Enter, and the screen once ``expect`` is on it."""
    t.send_keys(":")
    time.sleep(0.3)  # the prompt takes focus first
    t.send_text(text)
    time.sleep(0.1)
    t.send_keys("Enter")
    return t.wait_for(expect, timeout=20)


def test_events_pulse_secrets_stacks_and_layers_in_a_terminal(client, tmp_path):
    swarm = bool((client.info().get("Swarm") or {}).get("ControlAvailable"))
    tag = uuid.uuid4().hex[:8]
    dead, secret, ns = f"dockui-e2e-{tag}-dead", f"dockui-e2e-{tag}-sec", f"dockui-e2e-{tag}-stack"
    made: list[tuple[str, str]] = []
    try:
        cid = client.create_container(IMAGE, ["sh", "-c", "exit 4"], name=dead, labels={"dockui.test": "1"})["Id"]
        made.append(("container", cid))
        client.start(cid)
        if swarm:
            made.append(("secret", client.create_secret(secret, b"x")["ID"]))
            made.append(("service", client.create_service_from_spec(service_spec(f"{ns}_web", labels={NAMESPACE: ns}))["ID"]))
        env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
        with Tmux([dockui_exe(), "--host", engine_host()], size=(160, 45), env=env) as t:
            t.wait_for("Containers [", timeout=20)
            screen = command(t, f"events {dead}", re.compile(rf"die\s+{dead}\s+exitCode=4"))
            assert "TIME" in screen and "ACTION" in screen
            screen = command(t, "pulse", "NEEDS A HUMAN")
            t.wait_for(re.compile(rf"{dead}\s+exited\(4\)"), timeout=20)
            screen = t.wait_for(re.compile(r"EVENTS\s+\d+/min"), timeout=10)
            assert "TOP CPU" in screen and "TOP MEMORY" in screen and "running" in screen
            t.send_keys("Escape")
            t.wait_for("Events [", timeout=10)
            if swarm:
                screen = command(t, "secrets", secret)
                assert "USED BY" in screen
                screen = command(t, "stacks", re.compile(rf"{ns}\s+1\s+\d/1"))
                assert "STACK" in screen and "TASKS" in screen
            command(t, "images dockui/busybox", re.compile(r"Images \[1/"))
            t.send_keys("Enter")
            screen = t.wait_for("CREATED BY", timeout=20)
            assert f"layers of {IMAGE}" in screen and "containers using it" in screen and dead in screen
            t.send_keys("Escape")
            t.wait_for("Images [", timeout=10)
            t.send_keys("C-q")
            assert t.wait_exit(10) == 0
    finally:
        for what, oid in reversed(made):
            try:
                if what == "container":
                    client.remove_container(oid, force=True)
                else:
                    getattr(client, f"remove_{what}")(oid)
            except NotFound:
                pass
