"""``e`` (exec a typed command): what the engine says about a failed command stays on screen (issue 24).

Against the real sandbox engine; asserted on the rendered screen.
"""

from __future__ import annotations

import asyncio
import io
import time

from rich.console import Console

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host
from .test_app import wait_until
from .test_sessions import open_on


def rendered(app: DockuiApp) -> str:
    """The terminal's text as a person would read it (every layer of the current screen)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None,
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def test_a_command_that_does_not_exist_leaves_the_engines_message_on_screen(make_container, unique):
    make_container(name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 44)) as pilot:
            await open_on(pilot, app, unique, "e")
            await pilot.press(*"no-such-command --flag", "enter")
            assert await wait_until(pilot, lambda: "executable file not found" in rendered(app), 15), rendered(app)
            await pilot.pause(6)  # longer than a notification lives
            text = rendered(app)
            assert "executable file not found" in text and "no-such-command" in text, text
            assert "exited with code 12" in text and "q/esc" in text, text  # 126 or 127, and how to close it
            # a key closes it, and the list has the focus back
            await pilot.press("q")
            assert await wait_until(pilot, lambda: not app.main.panes, 5)
            assert app.main.table.has_focus
            assert app.screen is app.main and app._exception is None

    asyncio.run(main())


def test_a_command_that_prints_and_ends_keeps_its_output_until_closed(make_container, unique):
    make_container(name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 44)) as pilot:
            await open_on(pilot, app, unique, "e")
            await pilot.press(*'sh -c "echo out-$((6*7))"', "enter")
            assert await wait_until(pilot, lambda: "out-42" in rendered(app), 15), rendered(app)
            await pilot.pause(2)
            text = rendered(app)
            assert "out-42" in text and "exited with code 0" in text, text
            # ctrl+] goes back to the list; ctrl+w from there closes the ended pane too
            await pilot.press("ctrl+right_square_bracket")
            assert app.main.table.has_focus and app.main.panes
            await pilot.press("ctrl+w")
            assert await wait_until(pilot, lambda: not app.main.panes, 5)
            assert "out-42" not in rendered(app)

    asyncio.run(main())


def test_a_command_that_fails_shows_its_end_at_once(make_container, unique):
    """``exit 3`` in a running container: the pane says so as soon as the command ends. The
    session waited a second for every non-zero exit (in case the container was being killed),
    so each failed command, and the shell-pane benchmark's run, ended a second late."""
    make_container(name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 44)) as pilot:
            await open_on(pilot, app, unique, "e")
            await pilot.press(*'sh -c "echo bye-$((6*7)); exit 3"')
            await pilot.press("enter")
            assert await wait_until(pilot, lambda: "bye-42" in rendered(app), 15), rendered(app)
            seen = time.monotonic()
            assert await wait_until(pilot, lambda: "exited with code 3" in rendered(app), 5), rendered(app)
            assert time.monotonic() - seen < 0.8, f"the end came {time.monotonic() - seen:.2f} s after the output"

    asyncio.run(main())
