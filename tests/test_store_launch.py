"""The store's first list (issue 20): the containers reach subscribers before the kinds made
from them (compose projects and services), which follow in a change of their own, equal to
what deriving them from the containers gives. At 10,000 containers deriving took ~0.25 s that
the first paint waited for. Against the sandbox engine."""

from __future__ import annotations

from dockui.engine import EngineClient
from dockui.kinds import KINDS
from dockui.store import Store

from .conftest import engine_host
from .test_store import Recorder


def test_containers_are_published_before_the_kinds_made_from_them(client, make_container, unique):
    make_container(name=f"{unique}-1", labels={"com.docker.compose.project": unique, "com.docker.compose.service": "web"})
    store = Store(EngineClient(engine_host()))
    rec = Recorder(store)
    store.start()
    try:
        assert rec.wait_for(lambda: store.loaded, 20)
        first = next(ch for ch in rec.changes if "containers" in ch.kinds)
        assert first.connection and "projects" not in first.kinds and "composeservices" not in first.kinds
        later = [ch for ch in rec.changes if "projects" in ch.kinds]
        assert later and rec.changes.index(later[0]) > rec.changes.index(first)
        containers = store.snapshot("containers")
        assert dict(store.snapshot("projects")) == KINDS["projects"].derive(containers)
        assert dict(store.snapshot("composeservices")) == KINDS["composeservices"].derive(containers)
        assert unique in store.snapshot("projects")
    finally:
        store.stop()
