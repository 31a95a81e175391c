"""The published-ports kind (``:ports``), the kind added after the registry redesign as one module
(``dockui/kinds/ports.py``): a container that publishes a port shows a row with the host port and
the container's name; ``enter`` goes to that container; the row goes when the container does."""

from __future__ import annotations

import asyncio

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.kinds import KINDS, lookup

from .conftest import IMAGE, engine_host
from .test_actions import screen_text
from .test_app import wait_until


def test_ports_kind_is_registered():
    assert lookup("ports") is KINDS["ports"] and lookup("port") is KINDS["ports"]
    assert KINDS["ports"].derived_from == "containers"


def test_published_port_shows_and_enter_goes_to_its_container(client: EngineClient, unique):
    cid = client.create_container(IMAGE, ["sleep", "600"], name=unique, labels={"dockui.test": "1"}, ports=[8080],
                                  host_config=client.create_host_config(port_bindings={8080: ("127.0.0.1", None)}))["Id"]
    try:
        client.start(cid)
        host_port = int(client.port(cid, 8080)[0]["HostPort"])

        async def main():
            app = DockuiApp(EngineClient(engine_host(), timeout=30))
            async with app.run_test(size=(160, 45)) as pilot:
                await pilot.press("colon", *f"ports port={host_port}", "enter")
                assert await wait_until(pilot, lambda: app.main.kind == "ports" and app.main.table.row_count == 1, 20), \
                    screen_text(app)
                text = screen_text(app)
                for needle in ("Published ports", "HOST", "CONTAINER PORT", f"127.0.0.1:{host_port}", unique, "8080/tcp"):
                    assert needle in text, (needle, text)
                await pilot.press("enter")
                assert await wait_until(pilot, lambda: app.main.kind == "containers" and app.main.table.row_ids == [cid], 10)
                await pilot.press("minus")
                assert await wait_until(pilot, lambda: app.main.kind == "ports", 10)
                await asyncio.to_thread(client.remove_container, cid, force=True)
                assert await wait_until(pilot, lambda: app.main.table.row_count == 0, 15), screen_text(app)

        asyncio.run(main())
    finally:
        try:
            client.remove_container(cid, force=True)
        except Exception:  # noqa: BLE001 - removed by the test already
            pass
