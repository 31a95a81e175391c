"""The logs screen's footer tells the truth as the view changes, read from the rendered screen."""

from __future__ import annotations

import asyncio

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host
from .test_app import wait_until
from .test_logs_faults import numbers, open_logs, rendered


def test_footer_follows_scrolling_when_no_line_arrives(make_container, unique):
    make_container("i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done; sleep 600", name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(120, 30)) as pilot:
            await open_logs(pilot, app, "containers", unique)
            assert await wait_until(pilot, lambda: 299 in numbers(rendered(app)), 20)
            assert "following" in rendered(app)[-1]
            await pilot.press("g")  # to the top: the view no longer follows
            assert await wait_until(pilot, lambda: "line 0" in rendered(app)[1], 5), rendered(app)[:3]
            assert await wait_until(pilot, lambda: "paused" in rendered(app)[-1], 2), rendered(app)[-1]
            await pilot.press("G")
            assert await wait_until(pilot, lambda: "following" in rendered(app)[-1], 2), rendered(app)[-1]
            await pilot.press("1")  # head: the first lines, not followed
            assert await wait_until(pilot, lambda: "head" in rendered(app)[-1] and "paused" in rendered(app)[-1], 5), rendered(app)[-1]
            assert rendered(app)[1].strip() == "line 0"

    asyncio.run(main())
