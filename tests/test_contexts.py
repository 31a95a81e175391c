"""`:ctx` lists docker contexts and switches the whole dashboard to another engine."""

from __future__ import annotations

import asyncio
import hashlib
import json

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.engine.config import list_contexts, resolve

from .conftest import engine_host
from .test_app import wait_until

N2 = "unix:///var/tmp/dockui-sandbox/n2/docker.sock"


def write_context(config_dir, name: str, host: str) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {"Description": "second node"},
                                                "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}))


def test_contexts_are_read_from_the_cli_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    write_context(tmp_path, "node2", N2)
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "node2"}))
    names = [c.name for c in list_contexts()]
    assert names == ["default", "node2"]
    ep, source = resolve()
    assert ep.url == N2 and source == "context node2"
    ep, _ = resolve(context="default")
    assert ep.url == "unix:///var/run/docker.sock"


def test_switching_context_shows_the_other_engine(tmp_path, monkeypatch, client, make_container, unique):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", engine_host())
    write_context(tmp_path, "node2", N2)
    n2 = EngineClient(N2)
    cid = n2.create_container("dockui/busybox:latest", ["sleep", "300"], name=unique, labels={"dockui.test": "1"})["Id"]

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            assert cid not in app.store.snapshot("containers")
            await pilot.press("colon", *"ctx", "enter")
            await pilot.pause(0.3)
            table = app.screen.query_one("#ctx-table")
            assert [k.value for k in table.rows] == ["default", "node2"]
            await pilot.press("down", "enter")
            assert await wait_until(pilot, lambda: app.client.endpoint.url == N2)
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"), 15)
            assert await wait_until(pilot, lambda: cid in set(app.main.table.row_ids))
            assert "n2/docker.sock" in str(app.header.render())
            await pilot.press("colon", *"svc", "enter")
            assert await wait_until(pilot, lambda: "not a swarm manager" in str(app.main.query_one("#message").render()))

    try:
        asyncio.run(main())
    finally:
        n2.remove_container(cid, force=True)
