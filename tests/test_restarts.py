"""Restarts at a glance (issue 23 section 2): the RESTARTS and EXIT columns of the containers
screen, counted from the event stream for every container and seeded by inspect for the rows on
screen; the rendered text is asserted against the sandbox engine."""

from __future__ import annotations

import re
import time
import uuid

from dockui.engine import EngineClient
from dockui.store.restarts import RestartBook, exit_text

from .kindview import make_app, run, screen_text, wait_text

LOOP = "sleep 1; exit 3"


def _ev(action: str, ns: int, code: int | None = None) -> dict:
    attrs = {"exitCode": str(code)} if code is not None else {}
    return {"Type": "container", "Action": action, "timeNano": ns, "Actor": {"ID": "c", "Attributes": attrs}}


def test_exit_text_names_the_signal():
    assert exit_text(137) == "137 KILL"
    assert exit_text(143) == "143 TERM"
    assert exit_text(139) == "139 SEGV"
    assert exit_text(3) == "3" and exit_text(0) == "0" and exit_text(None) == ""
    assert exit_text(255) == "255"  # 128+127: no such signal


def test_restart_book_counts_engine_restarts_and_docker_restart_once():
    book = RestartBook()
    ns = 1_800_000_000 * 10**9

    def feed(action: str, code: int | None = None) -> None:
        nonlocal ns
        ns += 10**8
        book.feed(action, "c", _ev(action, ns, code))

    feed("create")
    feed("start")
    assert book.get("c").count == 0  # the first start is not a restart
    for _ in range(3):  # a restart policy at work: die, start
        feed("die", 3)
        feed("start")
    assert book.get("c").count == 3 and book.get("c").exit_code == 3
    for a, code in (("kill", None), ("kill", None), ("die", 137), ("stop", None), ("start", None), ("restart", None)):
        feed(a, code)  # docker restart: counted once
    info = book.get("c")
    assert info.count == 4 and info.exit_code == 137 and info.last == ns / 1e9
    feed("die", 0)
    feed("stop")
    feed("start")  # docker stop, docker start: not a restart
    assert book.get("c").count == 4 and book.get("c").exit_code == 0
    # a reconnect replays events since the last one seen: not counted twice
    assert not book.feed("start", "c", _ev("start", ns - 10**8))
    assert book.get("c").count == 4
    # inspect's RestartCount seeds the count; later events add to it
    book.seed("c", {"RestartCount": 10, "State": {"Running": True, "StartedAt": "2027-01-15T08:00:00Z"}})
    assert book.get("c").count == 10
    feed("die", 1)
    feed("start")
    assert book.get("c").count == 11 and book.get("c").exit_code == 1
    book.feed("destroy", "c", _ev("destroy", ns + 10**8))
    assert book.get("c").count == 0 and book.get("c").exit_code is None


def _row(text: str, name: str) -> str:
    return next((line for line in text.splitlines() if name in line), "")


def _restarts(text: str, name: str) -> int | None:
    m = re.search(r"\s(\d+) \(\d+[smhd]\)", _row(text, name))
    return int(m.group(1)) if m else None


def test_restart_loop_count_rises_and_exit_shows_kill(client: EngineClient, make_container):
    """Rendered at 200x50: a container restarted by its policy before dockui started shows the
    engine's RestartCount (inspect) and its exit code; a restart loop started while dockui runs
    shows its count rising with no key pressed; a killed container shows EXIT ``137 KILL``."""
    prefix = "rs" + uuid.uuid4().hex[:6]
    always = {"host_config": client.create_host_config(restart_policy={"Name": "always"})}
    before = make_container(LOOP, name=f"{prefix}-before", **always)
    deadline = time.monotonic() + 30
    while client.inspect_container(before)["RestartCount"] < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    client.stop(before, timeout=0)  # stays exited(3 or 137), RestartCount kept
    seeded = client.inspect_container(before)
    assert seeded["RestartCount"] >= 2
    code = seeded["State"]["ExitCode"]

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_text(pilot, app, ["Containers", "RESTARTS", "EXIT"], timeout=30)
            await pilot.press("slash", *prefix, "enter")
            text = await wait_text(pilot, app, [f"{prefix}-before", re.compile(rf"{prefix}-before.*\s{seeded['RestartCount']} \(\d+[smhd]\)")],
                                   timeout=20)
            assert re.search(rf"\s{re.escape(exit_text(code))}\s", _row(text, f"{prefix}-before")), _row(text, f"{prefix}-before")

            loop = make_container(LOOP, name=f"{prefix}-loop", **always)
            victim = make_container(name=f"{prefix}-victim")
            text = await wait_text(pilot, app, [re.compile(rf"{prefix}-loop.*\s[1-9]\d* \(\d+[smhd]\)")], timeout=30)
            first = _restarts(text, f"{prefix}-loop")
            assert first is not None and first >= 1
            assert re.search(r"\s3\s", _row(text, f"{prefix}-loop")), _row(text, f"{prefix}-loop")  # EXIT 3
            deadline = time.monotonic() + 30
            later = first
            while time.monotonic() < deadline and later <= first:
                await pilot.pause(0.3)
                later = _restarts(screen_text(app), f"{prefix}-loop") or 0
            assert later > first, screen_text(app)
            assert client.inspect_container(loop)["RestartCount"] >= later - 1

            client.kill(victim)
            text = await wait_text(pilot, app, [re.compile(rf"{prefix}-victim.*exited\(137\).*137 KILL")], timeout=20)
            # sortable: X puts failures first, O the most restarted first
            await pilot.press("O")
            text = await wait_text(pilot, app, ["sort: restarts"], timeout=10)
            names = [n for n in re.findall(rf"{prefix}-\w+", text)]
            assert names[0] in (f"{prefix}-loop", f"{prefix}-before"), names
            await pilot.press("X")
            text = await wait_text(pilot, app, ["sort: exit"], timeout=10)
            names = [n for n in re.findall(rf"{prefix}-\w+", text)]
            # failures first, the biggest code first (137 KILL before 3), then by name
            assert names[0] == f"{prefix}-victim" or (code == 137 and names[0] == f"{prefix}-before"), names
            assert names[-1] == f"{prefix}-loop", names

    run(main())
