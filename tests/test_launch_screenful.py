"""The first paint of a big list (issue 20): the rows on top come first, sorted over every row,
and the header's total, the connection line and those rows reach the screen in one frame,
before the full pass (cells for every row) runs. At 10,000 containers the header's [10000]
came ~0.35 s after the first rows: the full pass ran between the rows' frame and the layout
frame that removes the "connecting" line. Against the sandbox engine, with 100 containers.
"""

from __future__ import annotations

import asyncio

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host
from .test_app import wait_until
from .test_rendered import screen_text


def test_the_first_screenful_is_on_screen_with_the_total_before_the_full_pass(client, make_container, unique):
    for i in range(100):
        make_container(name=f"{unique}-{i:03d}", start=False)

    async def main():
        app = DockuiApp(EngineClient(engine_host()), start_store=False)  # started once "connecting" shows
        seen = []

        async with app.run_test(size=(160, 30)) as pilot:
            screen = app.main
            real = screen.rows

            def rows(*a, **kw):
                if not seen and screen.table.row_count:  # the full pass after the first screenful
                    seen.append((screen.table.row_count, len(app.store.snapshot("containers")), screen_text(app)))
                return real(*a, **kw)

            screen.rows = rows
            assert await wait_until(pilot, lambda: "connecting" in screen_text(app), 20)
            app.store.start()  # as a big engine's list does: the rows come after the first frames
            assert await wait_until(pilot, lambda: bool(seen), 30)
            shown, total, text = seen[0]
            assert shown < total  # the first screenful only, then...
            assert f"[{total}]" in text, text  # ...with the total in the header
            assert "connecting" not in text, text  # and the connection line gone, in that frame
            assert await wait_until(pilot, lambda: screen.table.row_count == len(app.store.snapshot("containers")), 20)

    asyncio.run(main())
