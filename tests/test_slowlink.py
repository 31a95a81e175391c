"""An engine behind a slow link (100 ms per round trip): the dashboard paints, keys never wait."""

from __future__ import annotations

import asyncio
import time

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .faultproxy import FaultProxy
from .test_app import wait_until

SANDBOX_SOCK = "/var/tmp/dockui-sandbox/docker.sock"


def test_slow_engine_still_paints_and_keys_answer_at_once(make_container, unique):
    cid = make_container(name=unique)
    with FaultProxy(SANDBOX_SOCK) as proxy:
        proxy.delay = 0.1

        async def main():
            app = DockuiApp(EngineClient(proxy.url, timeout=30))
            async with app.run_test(size=(160, 40)) as pilot:
                # before anything arrives the screen says it is loading, and keys work meanwhile
                await pilot.pause(0.05)
                msg = str(app.main.query_one("#message").content)
                assert "connecting" in msg or "loading" in msg, msg
                t0 = time.monotonic()
                await pilot.press("colon", *"img", "enter")
                assert app.main.kind == "images" and time.monotonic() - t0 < 1.0
                await pilot.press("colon", *"co", "enter")
                assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"), 20)
                assert await wait_until(pilot, lambda: cid in set(app.main.table.row_ids), 5)
                # a describe over the slow link: the screen opens at once and fills in later
                await pilot.press("slash", *unique, "enter")
                assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
                t0 = time.monotonic()
                await pilot.press("d")
                opened = time.monotonic() - t0
                assert type(app.screen).__name__ == "DescribeScreen" and opened < 1.0
                await pilot.press("escape")
                # cursor keys stay instant while engine calls crawl
                t0 = time.monotonic()
                for _ in range(10):
                    await pilot.press("down")
                assert time.monotonic() - t0 < 2.0

        asyncio.run(main())
