"""The logs screen under faults and at scale, read from the rendered screen (issue 24: 3 and 5).

The engine is the real sandbox; connection cuts come from the fault proxy (tests/faultproxy.py)
in front of it: ``refuse`` + ``cut()`` is an engine that vanished, ``refuse = False`` brings it
back, while the containers keep logging.
"""

from __future__ import annotations

import asyncio
import io
import re
import time

import pytest
from rich.console import Console

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.screens.logs import LogsScreen
from dockui.sessions import logs as feed_module

from .conftest import engine_host
from .faultproxy import FaultProxy
from .test_app import wait_until
from .test_swarm import service_spec

NUMBERED = re.compile(r"\bline (\d+)\b")


def rendered(app: DockuiApp) -> list[str]:
    """The terminal's text as a person would read it (every layer of the current screen)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None,
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


def numbers(lines: list[str], prefix: str = "") -> list[int]:
    return [int(m.group(1)) for ln in lines if prefix in ln and (m := NUMBERED.search(ln))]


def lines_of(screen: LogsScreen) -> list:
    """The lines the logs screen holds ([] until it is composed)."""
    return list(screen.view._lines) if screen.is_mounted and screen.query("#logs-view") else []


def held(screen: LogsScreen, prefix: str = "") -> list[int]:
    return numbers([ln.plain for ln in lines_of(screen) if ln.stream != "meta"], prefix)


def meta(screen: LogsScreen) -> list[str]:
    return [ln.plain for ln in lines_of(screen) if ln.stream == "meta"]


async def open_logs(pilot, app: DockuiApp, command: str, name: str) -> LogsScreen:
    """As a user: ``:command``, filter on the name, ``l``."""
    await pilot.press("colon", *command, "enter")
    await pilot.press("slash", *name, "enter")
    assert await wait_until(pilot, lambda: app.main.table.row_count == 1, 20), app.main.table.row_count
    await pilot.press("l")
    assert await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
    return app.screen


# bursts of three lines: several log messages share a read, and now and then a timestamp
COUNTER = "i=0; while true; do echo line $i; echo line $((i+1)); echo line $((i+2)); i=$((i+3)); sleep 0.15; done"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:")


async def cut_and_restore(pilot, app: DockuiApp, screen: LogsScreen, proxy: FaultProxy, prefixes: list[str]) -> None:
    """Cut the engine for ~3.5 s while the targets log; then the view must carry on, whole."""
    for p in prefixes:
        assert await wait_until(pilot, lambda p=p: len(held(screen, p)) >= 10, 20), (p, meta(screen))
    proxy.refuse = True
    proxy.cut()
    assert await wait_until(pilot, lambda: any("lost the connection" in m for m in meta(screen)), 8), meta(screen)
    assert await wait_until(pilot, lambda: "engine lost" in rendered(app)[-1], 5), rendered(app)[-1]  # the footer says so
    before = {p: max(held(screen, p)) for p in prefixes}
    await pilot.pause(3.5)
    proxy.refuse = False
    # the targets logged ~70 lines each meanwhile: they and the new ones must reach the screen
    for p in prefixes:
        goal = before[p] + 100
        assert await wait_until(pilot, lambda p=p, goal=goal: any(n > goal for n in numbers(rendered(app), p)), 20), \
            (p, before[p], meta(screen), rendered(app)[-8:])
    assert "following" in rendered(app)[-1] and "engine lost" not in rendered(app)[-1], rendered(app)[-1]
    stray = [ln.plain for ln in lines_of(screen) if ln.stream != "meta" and STAMP.search(ln.plain)]
    assert not stray, stray[:3]  # every message's timestamp taken off, none left inside a line
    for p in prefixes:
        seen = held(screen, p)
        assert len(seen) == len(set(seen)), f"{p}: duplicated lines {sorted(n for n in set(seen) if seen.count(n) > 1)[:10]}"
        assert seen == list(range(seen[0], seen[0] + len(seen))), f"{p}: lines lost or out of order around {before[p]}"
        shown = numbers(rendered(app), p)
        assert len(shown) == len(set(shown)) and shown == sorted(shown), shown
    assert app._exception is None


@pytest.mark.parametrize("tty", [False, True], ids=["framed", "tty"])
def test_container_logs_resume_after_the_engine_connection_drops(make_container, unique, tty):
    make_container(COUNTER, name=unique, tty=tty)

    with FaultProxy(engine_host()) as proxy:
        async def main():
            app = DockuiApp(EngineClient(proxy.url, timeout=2))
            async with app.run_test(size=(120, 40)) as pilot:
                screen = await open_logs(pilot, app, "containers", unique)
                await cut_and_restore(pilot, app, screen, proxy, [""])

        asyncio.run(main())


def test_project_logs_resume_after_the_engine_connection_drops(make_container, unique):
    labels = lambda svc: {"com.docker.compose.project": unique, "com.docker.compose.service": svc}  # noqa: E731
    web = make_container(COUNTER, name=unique + "-web", labels=labels("web"))
    db = make_container(COUNTER, name=unique + "-db", labels=labels("db"))

    with FaultProxy(engine_host()) as proxy:
        async def main():
            app = DockuiApp(EngineClient(proxy.url, timeout=2))
            async with app.run_test(size=(120, 40)) as pilot:
                assert await wait_until(pilot, lambda: {web, db} <= set(app.store.snapshot("containers")), 15)
                screen = await open_logs(pilot, app, "projects", unique)
                await cut_and_restore(pilot, app, screen, proxy, ["web |", "db |"])

        asyncio.run(main())


@pytest.mark.parametrize("tty", [False, True], ids=["framed", "tty"])
def test_service_logs_resume_after_the_engine_connection_drops(client, unique, tty):
    spec = service_spec(unique, 1, ["sh", "-c", COUNTER])
    spec["TaskTemplate"]["ContainerSpec"]["TTY"] = tty
    spec["TaskTemplate"]["Placement"] = {"Constraints": ["node.role==manager"]}
    create = getattr(client, "create_service_from_spec", None) or client.create_service  # the spec-dict form
    sid = create(spec)["ID"]
    try:
        with FaultProxy(engine_host()) as proxy:
            async def main():
                app = DockuiApp(EngineClient(proxy.url, timeout=2))
                async with app.run_test(size=(120, 40)) as pilot:
                    screen = await open_logs(pilot, app, "services", unique)
                    await cut_and_restore(pilot, app, screen, proxy, [""])

            asyncio.run(main())
    finally:
        client.remove_service(sid)


def test_head_shows_the_first_lines_of_a_long_log(make_container, unique):
    cid = make_container("i=0; while [ $i -lt 50000 ]; do echo line $i; i=$((i+1)); done; sleep 600", name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(120, 30)) as pilot:
            deadline = time.monotonic() + 60
            while b"line 49999" not in await asyncio.to_thread(app.client.logs, cid, tail=1, stream=False):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.2)
            screen = await open_logs(pilot, app, "containers", unique)
            assert await wait_until(pilot, lambda: 49999 in numbers(rendered(app)), 20)  # the tail first
            await pilot.press("1")
            limit = screen.max_lines
            assert await wait_until(pilot, lambda: len(held(screen)) >= limit, 20), len(held(screen))
            await pilot.pause(0.5)
            shown = rendered(app)
            body = [ln for ln in shown[1:] if ln.strip()]
            assert body[0].strip() == "line 0", shown[:4]
            assert held(screen) == list(range(limit)), (held(screen)[:3], held(screen)[-3:])
            assert f"head {limit:,} lines" in shown[-1] or "head" in shown[-1], shown[-1]
            # the feed stopped reading: nothing more arrives, and nothing past the limit was kept
            await pilot.pause(1)
            assert held(screen) == list(range(limit))
            # and 0 goes back to the tail
            await pilot.press("0")
            assert await wait_until(pilot, lambda: 49999 in numbers(rendered(app)), 20)

    asyncio.run(main())


# ---------------------------------------------------------------- de-duplication at the resume point
def test_resume_point_skips_exactly_the_lines_already_seen():
    ts = "2026-12-04T10:00:00.123456789Z"
    later = "2026-12-04T10:00:00.1234568Z"  # RFC 3339 nano trims zeros: string order is not time order
    p = feed_module.ResumePoint()
    for stamp in ("2026-12-04T10:00:00.1Z", ts, ts):
        p.see(1, stamp)
    p.see(2, "2026-12-04T10:00:00.2Z")
    assert p.since() == "1796378400.123456789"
    skip = p.skipper()
    # the engine sends again every message at or after ``since``: the two seen at ts are dropped
    assert [skip(1, s) for s in (ts, ts, ts, later)] == [True, True, False, False]
    assert skip(2, "2026-12-04T10:00:00.2Z") and not skip(2, "2026-12-04T10:00:00.3Z")
    assert not skip(3, ts)  # a source not seen before (a new task) loses nothing
