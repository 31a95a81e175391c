"""Fixtures: a client on the real sandbox engine (started by ``scripts/sandbox up``), and helpers."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dockui.engine import EngineClient, NotFound

SANDBOX_HOST = "unix:///var/tmp/dockui-sandbox/docker.sock"
IMAGE = "dockui/busybox:latest"


def engine_host() -> str:
    return os.environ.get("DOCKUI_TEST_HOST", SANDBOX_HOST)


SANDBOX_DIR = Path("/var/tmp/dockui-sandbox")
SANDBOX_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sandbox"
_N2_SOCK = SANDBOX_DIR / "n2" / "docker.sock"


def _answers(host: str) -> bool:
    try:
        c = EngineClient(host, timeout=5)
        try:
            return bool(c.ping())
        finally:
            c.close()
    except Exception:  # noqa: BLE001 - any failure means "does not answer"
        return False


def sandbox_alive_or_restarted() -> str:
    """The sandbox engine answers, or is restarted: dockerd 20.10's swarmkit was seen to panic
    (``SetServiceTasksRemove``) in the middle of a run, and every later module then failed on a
    dead socket. Only a sandbox that was started on this machine is restarted; returns what was done."""
    if os.environ.get("DOCKUI_TEST_HOST") or not (SANDBOX_DIR / "dockerd.pid").exists():
        return "not ours"
    main_ok = _answers(SANDBOX_HOST)
    n2_ok = not _N2_SOCK.exists() or _answers(f"unix://{_N2_SOCK}")
    if main_ok and n2_ok:
        return "alive"
    print(f"\nconftest: the sandbox engine {'node 2 ' if main_ok else ''}does not answer; restarting it", file=sys.stderr)
    nodes = "2" if _N2_SOCK.parent.exists() else "1"
    r = subprocess.run([str(SANDBOX_SCRIPT), "up", "--nodes", nodes], capture_output=True, text=True, timeout=300)
    print(f"conftest: scripts/sandbox up: exit {r.returncode}\n{r.stderr[-2000:]}", file=sys.stderr)
    return "restarted"


@pytest.fixture(scope="module", autouse=True)
def _sandbox_guard() -> None:
    """Before each test module: a crashed sandbox engine is brought back (see above)."""
    sandbox_alive_or_restarted()


@pytest.fixture(scope="session")
def client() -> EngineClient:
    c = EngineClient(engine_host(), timeout=30)
    assert c.ping(), "the sandbox engine does not answer: run scripts/sandbox up"
    return c


@pytest.fixture
def unique() -> str:
    return "dockui-t-" + uuid.uuid4().hex[:8]


@pytest.fixture
def make_container(client: EngineClient):
    """Create (and optionally start) a busybox container; all are removed after the test."""
    made: list[str] = []

    def make(cmd: list[str] | str = ("sleep", "600"), start: bool = True, name: str | None = None, **kw) -> str:
        name = name or "dockui-t-" + uuid.uuid4().hex[:8]
        labels = {"dockui.test": "1", **kw.pop("labels", {})}
        cid = client.create_container(IMAGE, list(cmd) if not isinstance(cmd, str) else ["sh", "-c", cmd], name=name, labels=labels, **kw)["Id"]
        made.append(cid)
        if start:
            client.start(cid)
        return cid

    yield make
    for cid in made:
        try:
            client.remove_container(cid, force=True, v=True)
        except NotFound:
            pass
