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
    for rk in t.rows:
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
            assert await wait_until(pilot, lambda: {cid, other} <= {k.value for k in app.main.table.rows})
            await pilot.press("slash", "ctrl+u", *unique, "enter")
            assert await wait_until(pilot, lambda: len(app.main.table.rows) == 2)
            await pilot.press("slash", "ctrl+u", "!", *(unique + "-other"), "enter")
            assert await wait_until(pilot, lambda: cid in {k.value for k in app.main.table.rows} and other not in {k.value for k in app.main.table.rows})
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: len(app.main.table.rows) > 1)

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
            assert await wait_until(pilot, lambda: len(app.main.table.rows) == 1)
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
