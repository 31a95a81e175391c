"""Fixtures: a client on the real sandbox engine (started by ``scripts/sandbox up``), and helpers."""

from __future__ import annotations

import os
import uuid

import pytest

from dockui.engine import EngineClient, NotFound

SANDBOX_HOST = "unix:///var/tmp/dockui-sandbox/docker.sock"
IMAGE = "dockui/busybox:latest"


def engine_host() -> str:
    return os.environ.get("DOCKUI_TEST_HOST", SANDBOX_HOST)


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
