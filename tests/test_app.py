"""The dashboard driven by Textual's pilot against the real sandbox engine."""

from __future__ import annotations

import asyncio
import time

from rich.text import Text

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host


def run(coro):
    return asyncio.run(coro)


async def wait_until(pilot, pred, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        await pilot.pause(0.05)
    return pred()


def cell_texts(app: DockuiApp) -> list[str]:
    t = app.main.table
    out = []
    for rk in t.row_ids:
        out.append(" ".join(c.plain if isinstance(c, Text) else str(c) for c in t.get_row(rk)))
    return out


def make_app(**kw) -> DockuiApp:
    return DockuiApp(EngineClient(engine_host(), **kw))


def test_new_container_appears_and_filter_narrows(make_container, unique):
    async def main():
        app = make_app()
        async with app.run_test(size=(200, 50)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            other = make_container(name=unique + "-other")
            cid = make_container(name=unique)
            assert await wait_until(pilot, lambda: {cid, other} <= set(app.main.table.row_ids))
            await pilot.press("slash", "ctrl+u", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 2)
            await pilot.press("slash", "ctrl+u", "!", *(unique + "-other"), "enter")
            assert await wait_until(pilot, lambda: cid in set(app.main.table.row_ids) and other not in set(app.main.table.row_ids))
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: app.main.table.row_count > 1)

    run(main())


def test_command_mode_switches_kinds_and_rejects_nonsense():
    async def main():
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            for cmd, kind in (("img", "images"), ("net", "networks"), ("vol", "volumes"), ("svc", "services"), ("proj", "projects"), ("co", "containers")):
                await pilot.press("colon", *cmd, "enter")
                assert await wait_until(pilot, lambda kind=kind: app.main.kind == kind)
            await pilot.press("colon", *"bogus", "enter")
            await pilot.pause(0.2)
            assert app.main.kind == "containers"
            assert any("unknown command" in str(n.message) for n in app._notifications)

    run(main())


def test_keys_act_on_the_selected_container_and_kill_asks_first(client, make_container, unique):
    async def main():
        app = make_app()
        cid = make_container(name=unique)
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
            await pilot.press("p")
            assert await wait_until(pilot, lambda: app.store.get("containers", cid)["State"] == "paused")
            await pilot.press("p")
            assert await wait_until(pilot, lambda: app.store.get("containers", cid)["State"] == "running")
            await pilot.press("ctrl+k")
            await pilot.pause(0.2)
            await pilot.press("n")
            await pilot.pause(0.5)
            assert client.inspect_container(cid)["State"]["Running"]
            await pilot.press("ctrl+k")
            await pilot.pause(0.2)
            await pilot.press("y")
            assert await wait_until(pilot, lambda: app.store.get("containers", cid)["State"] == "exited")

    run(main())


def test_read_only_refuses_and_hides_mutations(client, make_container, unique):
    async def main():
        app = make_app(readonly=True)
        cid = make_container(name=unique)
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
            await pilot.press("x")
            await pilot.pause(0.5)
            assert client.inspect_container(cid)["State"]["Running"]
            hints = app.main.query_one("#hints").render()
            assert "stop" not in str(hints)

    run(main())


def test_hostile_labels_render_as_plain_text(make_container, unique):
    evil = "\x1b]0;pwned\x07\x1b[2J\u202eevil"
    async def main():
        app = make_app()
        cid = make_container(name=unique, labels={"com.docker.compose.project": evil})
        async with app.run_test(size=(200, 40)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 1)
            row = cell_texts(app)[0]
            assert "evil" in row and "\x1b" not in row and "\u202e" not in row and "\x07" not in row

    run(main())


def test_unreachable_engine_shows_a_message_not_a_traceback(tmp_path):
    async def main():
        app = DockuiApp(EngineClient(f"unix://{tmp_path}/gone.sock", timeout=2))
        async with app.run_test(size=(120, 30)) as pilot:
            assert await wait_until(pilot, lambda: app.store.connection.status == "reconnecting")
            await pilot.pause(0.3)
            msg = app.main.query_one("#message")
            assert "gone.sock" in str(msg.render())

    run(main())


def test_history_faults_only_marks_and_bulk_actions(client, make_container, unique):
    async def main():
        app = make_app()
        a = make_container(name=unique + "-a")
        b = make_container(name=unique + "-b")
        bad = make_container("exit 3", name=unique + "-bad")
        client.wait(bad, timeout=20)
        async with app.run_test(size=(200, 50)) as pilot:
            assert await wait_until(pilot, lambda: {a, b, bad} <= set(app.store.snapshot("containers")))
            assert await wait_until(pilot, lambda: app.store.get("containers", bad)["State"] == "exited")
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 3)
            await pilot.press("ctrl+z")
            assert await wait_until(pilot, lambda: app.main.table.row_ids == [bad])
            await pilot.press("ctrl+z")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 3)
            # history: images, then back with -, forward with ]
            await pilot.press("colon", *"img", "enter")
            assert await wait_until(pilot, lambda: app.main.kind == "images")
            await pilot.press("minus")
            assert await wait_until(pilot, lambda: app.main.kind == "containers" and app.main.filter == unique)
            await pilot.press("right_square_bracket")
            assert await wait_until(pilot, lambda: app.main.kind == "images")
            await pilot.press("left_square_bracket")
            assert await wait_until(pilot, lambda: app.main.kind == "containers")
            # mark a and b, stop both with one key
            assert await wait_until(pilot, lambda: app.main.table.row_count == 3)
            for rid in (a, b):
                app.main.table.move_cursor(row=app.main.table.get_row_index(rid))
                await pilot.press("space")
            assert app.main.marks == {a, b}
            await pilot.press("x")
            assert await wait_until(pilot, lambda: all(app.store.get("containers", i)["State"] == "exited" for i in (a, b)), 30)
            assert app.store.get("containers", bad)["State"] == "exited"
            await pilot.press("escape")
            assert not app.main.marks
            # remove with the force option, from the confirmation's choices
            client.start(a)
            assert await wait_until(pilot, lambda: app.store.get("containers", a)["State"] == "running")
            app.main.table.move_cursor(row=app.main.table.get_row_index(a))
            await pilot.press("c")
            assert any(a in str(n.message) for n in app._notifications)
            await pilot.press("ctrl+d")
            await pilot.pause(0.2)
            await pilot.press("f")
            assert await wait_until(pilot, lambda: a not in app.store.snapshot("containers"), 15)

    run(main())


def test_failed_action_shows_the_engines_message(client, make_container, unique):
    async def main():
        app = make_app()
        cid = make_container(name=unique)
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
            app.store.stop()  # freeze the picture, then change the engine under it
            client.remove_container(cid, force=True)
            await pilot.press("r")
            assert await wait_until(pilot, lambda: any("No such container" in str(n.message) for n in app._notifications))

    run(main())


def test_narrow_terminal_drops_low_priority_columns():
    async def main():
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            await pilot.pause(0.3)
            keys = [c.key for c in app.main._shown_columns]
            assert "name" in keys and "state" in keys and "id" not in keys
            await pilot.resize_terminal(220, 50)
            await pilot.pause(0.3)
            assert "id" in [c.key for c in app.main._shown_columns]

    run(main())


def test_too_small_terminal_says_so_and_recovers():
    from dockui.screens.dialogs import TooSmallScreen

    async def main():
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            await pilot.resize_terminal(50, 12)
            await pilot.pause(0.2)
            assert isinstance(app.screen, TooSmallScreen)
            assert "50x12" in str(app.screen.query_one("#too-small").render())
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.2)
            assert app.screen is app.main and app.header.has_class("-compact")

    run(main())


def test_details_pane_df_pull_and_rename(client, make_container, unique):
    async def main():
        app = make_app()
        cid = make_container(name=unique)
        async with app.run_test(size=(160, 45)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
            await pilot.press("i")
            assert await wait_until(pilot, lambda: "CPU" in _plain(app.main.query_one("#detail").content), 10)
            await pilot.press("R")
            await pilot.pause(0.1)
            await pilot.press("ctrl+u", *(unique + "-new"), "enter")
            assert await wait_until(pilot, lambda: app.store.get("containers", cid)["Name"] == unique + "-new")
            await pilot.press("escape")
            await pilot.press("colon", *"df", "enter")
            assert await wait_until(pilot, lambda: "RECLAIMABLE" in _screen_text(app), 15)
            await pilot.press("escape")
            await pilot.press("colon", *"pull dockui/nonexistent:1", "enter")
            assert await wait_until(pilot, lambda: "failed" in _screen_text(app), 30)
            await pilot.press("escape")
            await pilot.press("colon", *"prune containers", "enter")
            await pilot.pause(0.2)
            await pilot.press("n")
            await pilot.pause(0.2)
            assert app.screen is app.main

    run(main())


def _plain(renderable) -> str:
    import io

    from rich.console import Console

    con = Console(file=io.StringIO(), width=200, color_system=None)
    con.print(renderable)
    return con.file.getvalue()


def _screen_text(app) -> str:
    from textual.widgets import Static

    return " ".join(_plain(w.content) for w in app.screen.query(Static))


def test_clicking_a_footer_hint_runs_its_action(client, make_container, unique):
    async def main():
        app = make_app()
        cid = make_container(name=unique)
        async with app.run_test(size=(200, 45)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
            hints = app.main.query_one("#hints").content.plain
            x = hints.index(" p pause") + 1
            await pilot.click("#hints", offset=(x, 0))
            assert await wait_until(pilot, lambda: app.store.get("containers", cid)["State"] == "paused")
            await app.main.action_press("colon")
            assert app.main.prompt_mode == ":"

    run(main())


def test_keys_typed_ahead_of_the_prompt_reach_it():
    from textual import events

    async def main():
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            # what a fast typist or a paste does: every key is queued before the first is handled
            for key, ch in (("colon", ":"), ("s", "s"), ("v", "v"), ("c", "c"), ("enter", "\r")):
                app.main.table.post_message(events.Key(key, ch))
            assert await wait_until(pilot, lambda: app.main.kind == "services")
            assert not app.main.panes  # the 's' did not open a shell
            # and keys typed right behind the Enter go back to the table
            for key, ch in (("colon", ":"), ("c", "c"), ("o", "o"), ("enter", "\r"), ("slash", "/"), ("z", "z"), ("z", "z"), ("enter", "\r")):
                app.main.table.post_message(events.Key(key, ch))
            ok = await wait_until(pilot, lambda: app.main.kind == "containers" and app.main.filter == "zz")
            assert ok, (app.main.kind, app.main.filter, app.main.prompt_mode)

    run(main())


def test_stats_cells_follow_the_engine_in_place(make_container, unique):
    """A busy container's CPU cell fills in from its stats stream, patched into the shown row
    (the stats-tick fast path) while the row keeps its place and the cursor stays put."""
    async def main():
        app = make_app()
        busy = make_container("while :; do :; done", name=unique + "-busy")
        idle = make_container(name=unique + "-idle")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 2)
            table = app.main.table
            cpu = table.columns.index("cpu")

            def busy_cpu() -> float:
                cell = table.get_row(busy)[cpu]
                text = cell.plain if isinstance(cell, Text) else str(cell)
                return float(text.rstrip("%")) if text.endswith("%") else -1.0

            assert await wait_until(pilot, lambda: busy_cpu() > 20.0, 15), table.get_row(busy)
            order = table.row_ids
            assert order == [busy, idle]  # sorted by name: -busy before -idle
            table.move_cursor(row=1)
            patched = []
            update_rows = table.update_rows
            table.update_rows = lambda changes: (patched.append(set(changes)), update_rows(changes))[1]
            before = busy_cpu()
            # Any container event on the shared engine (another test's teardown, a status text that
            # moved on) makes the next tick a full pass; the tick after that is in place again.
            ok = await wait_until(pilot, lambda: any(busy in p for p in patched) and busy_cpu() != before, 20)
            assert ok, f"the stats tick did not take the in-place path: {patched[-5:]}"
            assert table.row_ids == order and table.current_id == idle

    run(main())


def test_filter_keystroke_applies_at_once_without_layout_and_ignores_stale_changes(make_container, unique):
    """A filter keystroke narrows the table in the key's own step (so the prompt, header and table
    are drawn in one frame), asks for no screen layout, and a Changed message that arrives after
    later keys (typed ahead, pasted) does not put the older text back."""
    from textual import events
    from textual.widgets import Input

    async def main():
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            cid = make_container(name=unique)
            assert await wait_until(pilot, lambda: cid in set(app.main.table.row_ids))
            await pilot.press("slash")
            prompt = app.main.query_one("#prompt", Input)
            layouts = []
            real_refresh = prompt.refresh

            def refresh(*regions, **kw):
                if kw.get("layout"):
                    layouts.append(kw)
                return real_refresh(*regions, **kw)

            prompt.refresh = refresh
            for ch in unique:
                await prompt._on_key(events.Key(ch, ch))
            # no message processed in between: the filter and the rows follow the keys at once
            assert app.main.filter == unique
            assert app.main.table.row_ids == [cid]
            assert layouts == []
            app.main.on_input_changed(Input.Changed(prompt, unique[:1]))  # a stale message
            assert app.main.filter == unique and app.main.table.row_ids == [cid]
            await pilot.pause(0.1)
            assert app.main.filter == unique and app.main.table.row_ids == [cid]

    run(main())


def test_collector_is_back_on_after_the_launch_with_or_without_an_engine(tmp_path):
    """The command line turns the cyclic collector off for the launch; the app turns it back on
    once the first list is drawn, and a few seconds in when no engine ever answers."""
    import gc

    async def main(app, wait_for):
        gc.disable()
        try:
            async with app.run_test(size=(120, 30)) as pilot:
                assert await wait_until(pilot, wait_for)
                if app.store.loaded:
                    assert not gc.isenabled()  # not while the first frames are drawn
                assert await wait_until(pilot, gc.isenabled, timeout=5)
        finally:
            gc.enable()

    app = make_app()
    app.FREEZE_AFTER = 1.0
    run(main(app, lambda: app.store.loaded))
    gone = DockuiApp(EngineClient(f"unix://{tmp_path}/gone.sock", timeout=2))
    gone.GC_AT_THE_LATEST = 1.0
    run(main(gone, lambda: gone.store.connection.status == "reconnecting"))
