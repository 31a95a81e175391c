"""Logs and the TTY pane inside the dashboard, against the real sandbox engine."""

from __future__ import annotations

import asyncio
import time

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.screens.logs import LogsScreen
from dockui.sessions.logs import LogFeed, Target

from .conftest import engine_host
from .test_app import wait_until


def screen_text(pane) -> str:
    return "\n".join(pane.term.display_lines())


async def open_on(pilot, app: DockuiApp, name: str, key: str):
    assert await wait_until(pilot, lambda: any(c.get("Name") == name for c in app.store.snapshot("containers").values()))
    await pilot.press("slash", *name, "enter")
    assert await wait_until(pilot, lambda: app.main.table.row_count == 1)
    await pilot.press(key)


def test_shell_pane_runs_commands_resizes_and_interrupts(make_container, unique):
    make_container(name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(150, 44)) as pilot:
            await open_on(pilot, app, unique, "s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in screen_text(app.main.panes[0]), 15)
            pane = app.main.panes[0]
            await pilot.press(*"echo $((6*7))", "enter")
            assert await wait_until(pilot, lambda: "\n42" in screen_text(pane))
            await pilot.resize_terminal(120, 50)
            await pilot.pause(0.5)
            rows, cols = pane.term.terminal_size
            await pilot.press(*"stty size", "enter")
            assert await wait_until(pilot, lambda: f"{rows} {cols}" in screen_text(pane)), (rows, cols, screen_text(pane))
            await pilot.press(*"sleep 100; echo FIN$((2+2))", "enter")
            await pilot.pause(0.5)
            t0 = time.monotonic()
            await pilot.press("ctrl+c")
            await pilot.press(*"echo INT$((1+1))", "enter")
            assert await wait_until(pilot, lambda: "INT2" in screen_text(pane), 5)
            assert time.monotonic() - t0 < 5 and "FIN4" not in screen_text(pane)
            await pilot.press(*"top", "enter")
            assert await wait_until(pilot, lambda: "Mem:" in screen_text(pane) and "PID" in screen_text(pane), 10)
            await pilot.press("q")
            await pilot.press(*"echo back", "enter")
            assert await wait_until(pilot, lambda: any(ln.strip() == "back" for ln in pane.term.display_lines()))
            # leave the pane without ending the shell, come back, then exit closes it
            await pilot.press("ctrl+right_square_bracket")
            assert app.main.table.has_focus and app.main.panes
            await pilot.press("ctrl+t")
            assert pane.term.has_focus
            await pilot.press(*"exit", "enter")
            assert await wait_until(pilot, lambda: not app.main.panes, 10)

    asyncio.run(main())


def test_shell_closes_with_a_message_when_the_container_is_killed(client, make_container, unique):
    cid = make_container(name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(150, 44)) as pilot:
            await open_on(pilot, app, unique, "s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in screen_text(app.main.panes[0]), 15)
            client.kill(cid)
            assert await wait_until(pilot, lambda: not app.main.panes, 10)
            assert any("stopped" in str(n.message) for n in app._notifications), [n.message for n in app._notifications]

    asyncio.run(main())


def test_two_sessions_switch_and_attach_shows_output(make_container, unique):
    make_container("i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done", name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(150, 44)) as pilot:
            await open_on(pilot, app, unique, "a")
            assert await wait_until(pilot, lambda: app.main.panes and "tick" in screen_text(app.main.panes[0]), 15)
            await pilot.press("ctrl+right_square_bracket", "s")
            assert await wait_until(pilot, lambda: len(app.main.panes) == 2 and "#" in screen_text(app.main.panes[1]), 15)
            await pilot.press("ctrl+right_square_bracket", "ctrl+t")
            assert app.main.panes[0].display and not app.main.panes[1].display
            await pilot.press("ctrl+right_square_bracket", "z")
            assert app.main.has_class("-zoomed")

    asyncio.run(main())


def test_logs_screen_marks_stderr_and_neutralises_escapes(make_container, unique):
    evil = r"printf 'out-line\n'; printf 'err-line\n' >&2; printf '\033]52;c;ZXZpbA==\007\033]0;title\007\033[2J\033[31mred\033[0m\n'; sleep 600"
    make_container(evil, name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(150, 44)) as pilot:
            await open_on(pilot, app, unique, "l")
            assert await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
            view = app.screen.view
            assert await wait_until(pilot, lambda: view.line_count >= 3, 10)
            lines = list(view._lines)
            assert {ln.stream for ln in lines if ln.plain == "err-line"} == {"stderr"}
            assert {ln.stream for ln in lines if ln.plain == "out-line"} == {"stdout"}
            red = next(ln for ln in lines if "red" in ln.plain)
            assert red.plain == "red"
            for y in range(view.size.height):
                for seg in view.render_line(y):
                    assert "\x1b" not in seg.text and "\x07" not in seg.text
            await pilot.press("q")
            assert await wait_until(pilot, lambda: app.screen is app.main)

    asyncio.run(main())


def test_log_feed_tail_since_stop_and_bound(client, make_container):
    cid = make_container("for i in $(seq 1 50); do echo n$i; done; sleep 1; echo late; sleep 1")
    feed = LogFeed(client.clone(), [Target(cid)], tail=5)
    feed.start()
    got: list = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any("stopped" in t for _, t, _ in got):
        got += feed.take()
        time.sleep(0.1)
    feed.stop()
    texts = [t for s, t, _ in got if s != "meta"]
    assert texts[:5] == ["n46", "n47", "n48", "n49", "n50"] or "late" in texts
    assert any("stopped" in t for s, t, _ in got if s == "meta")
    # since: only what came after
    flood = make_container("i=0; while [ $i -lt 30000 ]; do echo flood-$i; i=$((i+1)); done; sleep 600")
    small = LogFeed(client.clone(), [Target(flood)], tail="all", max_buffer=1000)
    small.start()
    time.sleep(3)
    small.stop()
    assert len(small.take(100_000)) <= 1000 and small.dropped > 0


def test_closing_a_pane_or_quitting_ends_the_shell_in_the_container(client, make_container, unique):
    cid = make_container(name=unique)

    def shells() -> int:
        ex = client.exec_create(cid, ["sh", "-c", "grep -l DOCKUI_SESSION= /proc/[0-9]*/environ 2>/dev/null | wc -l"])
        return int(client.exec_start(ex["Id"]).strip() or 0)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(150, 44)) as pilot:
            await open_on(pilot, app, unique, "s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in screen_text(app.main.panes[0]), 15)
            assert shells() >= 1
            await pilot.press("ctrl+right_square_bracket", "ctrl+w")
            assert await wait_until(pilot, lambda: not app.main.panes, 10)
            deadline = time.monotonic() + 10
            while shells() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert shells() == 0
            await pilot.press("s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in screen_text(app.main.panes[0]), 15)
            assert shells() >= 1
        # the app has quit (run_test ended): its shell must be gone too
        deadline = time.monotonic() + 5
        while shells() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert shells() == 0

    asyncio.run(main())
