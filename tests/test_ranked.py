"""Every running container ranked (issue 23 section 1), against the sandbox engine: the one-shot
CPU math, the sampler reading containers nobody streams, and a container that sorts last by name
and is off screen rising to the top of the CPU-sorted list once it starts burning CPU."""

from __future__ import annotations

import re
import threading
import time
import uuid

from dockui.engine import EngineClient
from dockui.store import StatsHub, Store
from dockui.store.sampler import fetch_all, idle_every, parse_reply
from dockui.store.stats import cpu_percent

from .kindview import make_app, run, screen_text, wait_text

BUSY = "renice -n 19 $$ >/dev/null 2>&1; while :; do :; done"


def _doc(total: int, system: int, cpus: int = 2, pre: dict | None = None) -> dict:
    return {"read": "2026-12-04T10:00:00Z", "cpu_stats": {"cpu_usage": {"total_usage": total}, "system_cpu_usage": system,
                                                         "online_cpus": cpus},
            "precpu_stats": pre or {}, "memory_stats": {"usage": 100, "limit": 1000}}


def test_one_shot_cpu_is_measured_against_the_previous_sample():
    """A one-shot document has no precpu: the hub takes the container's previous one instead."""
    hub = StatsHub(None)
    first = hub.ingest("c", _doc(1_000, 10_000))
    assert first is not None and first.cpu == 0.0  # one sample: no figure yet
    second = hub.ingest("c", _doc(1_000 + 500, 10_000 + 2_000))
    assert second is not None and abs(second.cpu - 500 / 2_000 * 2 * 100) < 1e-9  # 50 %
    # a streamed document brings its own precpu: that one counts
    pre = {"cpu_usage": {"total_usage": 1_400}, "system_cpu_usage": 11_000}
    third = hub.ingest("c", _doc(1_600, 12_000, pre=pre))
    assert third is not None and abs(third.cpu - cpu_percent(_doc(1_600, 12_000, pre=pre))) < 1e-9
    assert hub.totals(["c"])[2] == 1 and 0 < hub.totals(["c"])[0]
    assert idle_every(10) == 3.0 and idle_every(60) == 5.0 and idle_every(100) == 7.0 and idle_every(1000) == 7.0


def test_the_running_ones_sum_is_kept_a_second():
    """The header asks for the running containers' sum on every store change; it is worked out at
    most once a second (a pass over every container at 10,000 was ~20 ms of each event's path)."""

    class Snap:  # the store's part the hub reads: a snapshot replaced on every change
        def __init__(self) -> None:
            self.snap = {"c": {"State": "running"}, "d": {"State": "exited"}}

        def snapshot(self, kind: str) -> dict:
            return self.snap

    hub = StatsHub(None, store=Snap())
    hub.ingest("c", _doc(1_000, 10_000))
    hub.ingest("c", _doc(1_500, 12_000))
    first = hub.totals()
    assert first[2] == 1 and first[0] > 0
    hub.ingest("c", _doc(1_500, 14_000))  # idle now: 0 %
    assert hub.totals() is first  # kept
    assert hub.totals(["c"])[0] == 0.0  # asked for given ids: always worked out
    hub._totals = (time.monotonic() - 2.0, first)  # a second later
    assert hub.totals()[0] == 0.0


def busy_and_idle(hub: StatsHub, busy: str, idle: str, timeout: float = 20.0) -> tuple:
    """The hub's latest samples of ``busy`` and ``idle``, once both came and the busy one is above 5 %
    (or the timeout passed: the caller's asserts say what is missing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b, i = hub.latest(busy), hub.latest(idle)
        if b is not None and i is not None and b.cpu > 5:
            break
        time.sleep(0.2)
    return hub.latest(busy), hub.latest(idle)


def test_parse_reply_plain_and_chunked():
    body = b'{"a": 1}'
    assert parse_reply(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n" + body) == {"a": 1}
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n5\r\n\": 1}\r\n0\r\n\r\n"
    assert parse_reply(chunked) == {"a": 1}
    assert parse_reply(b"HTTP/1.1 404 Not Found\r\n\r\n{}") is None


def test_one_shot_on_this_engine_and_the_fan_out(client: EngineClient, make_container):
    """What the engine does (the sampler's design rests on it): one-shot stats come with an empty
    precpu; two of them a second apart give the CPU figure ``docker stats`` shows; many requests
    in flight at once are all answered (together, at the collector's tick)."""
    busy = make_container(BUSY)
    idle = [make_container() for _ in range(3)]
    one = client.stats(busy, stream=False, one_shot=True)
    assert not (one.get("precpu_stats") or {}).get("system_cpu_usage")
    hub = StatsHub(None)
    hub.ingest(busy, one)
    time.sleep(1.5)
    s = hub.ingest(busy, client.stats(busy, stream=False, one_shot=True))
    assert s is not None and s.cpu > 5, s  # niced, on a loaded 2-CPU machine
    t0 = time.monotonic()
    docs = fetch_all(client, [busy, *idle, "0" * 64], one_shot=True)
    took = time.monotonic() - t0
    assert set(docs) == {busy, *idle}  # the unknown id is left out, not an error
    assert took < 4.0, took  # answered together (one tick), not one after another
    assert all(d["memory_stats"].get("usage") for d in docs.values())


def test_the_sampler_reads_running_containers_nobody_streams(client: EngineClient, make_container):
    busy = make_container(BUSY)
    idle = make_container()
    store = Store(client.clone())
    store.start()
    got = threading.Event()
    hub = StatsHub(client.clone(), on_sample=lambda cid: got.set(), store=store)
    try:
        assert store.wait_loaded(20)
        hub.start()
        b, i = busy_and_idle(hub, busy, idle)
        assert b is not None and b.cpu > 5, b
        assert i is not None and i.cpu < 5 and i.mem > 0, i
        assert hub.streaming() == set()  # nothing was streamed: the sampler alone
        assert got.is_set() and busy in hub.active()
        cpu, mem, n = hub.totals()
        assert n >= 2 and cpu > 5 and mem > 0
    finally:
        hub.close()
        store.stop()


def test_the_sampler_sleeps_while_every_running_container_is_streamed(client: EngineClient, make_container):
    """Streamed containers are never due for a sample; they used to keep a past due time that woke
    the sampler's loop every 50 ms (a pass over every running container each time: 1 % of a core
    idle with 100 running). Now it wakes about once a second."""
    a, b = make_container(), make_container()
    store = Store(client.clone())
    store.start()
    hub = StatsHub(client.clone(), on_sample=lambda cid: None, store=store)
    try:
        assert store.wait_loaded(20)
        running = hub.running_ids()
        assert {a, b} <= set(running)
        assert hub.running_ids() is running  # read once per snapshot, not once per call
        hub.want(running, running)  # every running container streamed (the sandbox runs few)
        hub.start()
        time.sleep(1.0)
        w0 = hub.sampler.wakes
        time.sleep(3.0)
        wakes = hub.sampler.wakes - w0
        assert wakes <= 6, f"the sampler woke {wakes} times in 3 s with nothing to sample"
    finally:
        hub.close()
        store.stop()


def test_streams_stay_on_rows_still_on_screen_when_more_rows_than_streams(client: EngineClient, make_container):
    """More running rows on screen than streams (sorted by CPU they swap places every second): the
    streams stay on the rows that still are on screen instead of following their positions (a
    stopped and a new stream for every swap)."""
    ids = [make_container() for _ in range(5)]
    hub = StatsHub(client.clone(), on_sample=lambda cid: None, cap=3)
    try:
        hub.want(ids, ids)
        first = hub.streaming()
        assert first == set(ids[:3])
        hub.want(list(reversed(ids)), ids)  # the same rows, the other way round
        now = hub.streaming()
        assert ids[-1] in now  # the focused (first) row always streams
        assert len(now) == 3 and len(now & first) == 2, (first, now)
        hub.want([ids[-1], ids[3], ids[0]], ids)  # two rows left the screen: theirs linger (slots are free)
        assert {ids[-1], ids[3], ids[0]} <= hub.streaming()
        lingering = hub.streaming() - {ids[-1], ids[3], ids[0]}
        hub._off_since.update({cid: time.monotonic() - 60 for cid in lingering})  # as if LINGER passed
        hub.want([ids[-1], ids[3], ids[0]], ids)
        assert hub.streaming() == {ids[-1], ids[3], ids[0]}
        hub.want([], ids)  # another view: every stream stops at once
        assert hub.streaming() == set()
    finally:
        hub.close()


def test_off_screen_rows_stats_cells_are_built_when_they_come_on_screen(client: EngineClient, make_container):
    """A stats tick rebuilds the stats cells of the rows on screen only (the sampler reads every
    running container: rebuilding the off-screen ones each tick grew with the count); a row that
    comes on screen shows its latest figure at once."""
    prefix = "rs" + uuid.uuid4().hex[:6]
    for n in range(14):
        make_container(name=f"{prefix}-aaa-{n:02d}")
    last = make_container(name=f"{prefix}-zzz-last")

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(100, 16)) as pilot:
            await wait_text(pilot, app, ["Containers", f"{prefix}-aaa-00"], timeout=30)
            await pilot.press("slash", *prefix, "enter")
            text = await wait_text(pilot, app, ["[15/", f"{prefix}-aaa-00"], timeout=30)
            assert f"{prefix}-zzz-last" not in text  # off screen
            screen = app.screen
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and (app.stats.latest(last) is None or len(app.stats.history(last)) < 2):
                await pilot.pause(0.2)
            assert app.stats.latest(last) is not None
            await pilot.pause(2.5)  # the view settles (a full pass may build every row once)
            cells = screen._cells[last][1]
            seen = len(app.stats.history(last))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(app.stats.history(last)) == seen:
                await pilot.pause(0.2)  # the sampler reads it again
            assert len(app.stats.history(last)) > seen
            await pilot.pause(2.5)  # stats ticks came and went
            assert screen._cells[last][1] is cells  # not rebuilt while off screen
            await pilot.press("G")  # to the bottom: the row comes on screen, its cells built again
            await wait_text(pilot, app, [re.compile(re.escape(f"{prefix}-zzz-last") + r".*\d%")], timeout=5)
            assert screen._cells[last][1] is not cells

    run(main())


def _first_row(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.search(r"\bNAME\b.*\bSTATE\b", line):
            return lines[i + 1] if i + 1 < len(lines) else ""
    return ""


def test_an_off_screen_container_that_starts_burning_cpu_rises_to_the_top(client: EngineClient, make_container):
    """30 idle containers and ``...-zzz-hog`` (sorted last by name, off a 100x24 screen); sorted by
    CPU, the hog is at the top within 15 s of starting a busy loop, with nothing scrolled."""
    prefix = "rk" + uuid.uuid4().hex[:6]
    for n in range(30):
        make_container(name=f"{prefix}-aaa-{n:02d}")
    hog = make_container(name=f"{prefix}-zzz-hog")

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_text(pilot, app, ["Containers", f"{prefix}-aaa-00"], timeout=30)
            await pilot.press("slash", *prefix, "enter")
            await wait_text(pilot, app, ["[31/", f"{prefix}-aaa-00"], timeout=30)
            # every idle one has a figure, the hog too (the sampler), before it gets busy; read from
            # the cgroup files, its first sample can come while it is still starting, and its first
            # CPU figure then counts its start (~0.3 %, above the idle ones): wait for a third
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(app.stats.history(hog)) < 3:
                await pilot.pause(0.2)
            assert app.stats.latest(hog) is not None
            await pilot.press("C")
            text = await wait_text(pilot, app, ["sort: cpu busiest first"], timeout=10)  # not "asc": the key is negated
            assert f"{prefix}-zzz-hog" not in text  # off screen
            ex = client.exec_create(hog, ["sh", "-c", BUSY])
            client.exec_start(ex["Id"], detach=True)
            t0 = time.monotonic()
            deadline = t0 + 15
            text = ""
            while time.monotonic() < deadline:
                await pilot.pause(0.2)
                text = screen_text(app)
                if f"{prefix}-zzz-hog" in _first_row(text):
                    break
            took = time.monotonic() - t0
            assert f"{prefix}-zzz-hog" in _first_row(text), f"not on top after {took:.1f} s:\n{text}"
            assert re.search(r"\d+(\.\d+)?%", _first_row(text)), _first_row(text)
            assert app.stats.latest(hog).cpu > 0.5  # niced: on a machine at load 90 it got 2.5 %
            print(f"the hog reached the top {took:.1f} s after it started burning CPU")
            # the header sums the same figures over every running container
            # (worked out anew each second: up to a second behind the rows)
            deadline = time.monotonic() + 5
            while True:
                head = "\n".join(screen_text(app).splitlines()[:2])
                m = re.search(r"cpu (\d+(?:\.\d+)?)%\s+mem \d", head)
                if (m and float(m.group(1)) > 0.5) or time.monotonic() > deadline:
                    break
                await pilot.pause(0.2)
            assert m and float(m.group(1)) > 0.5, head
            # the pulse view's top five too (other tests' busy containers may share the engine)
            await pilot.press("colon", *"pulse", "enter")
            text = await wait_text(pilot, app, ["TOP CPU", re.compile(r"\d+(\.\d+)?%\s+" + re.escape(f"{prefix}-zzz-hog"))],
                                   timeout=20)
            top = app.screen.query_one("#pulse-cpu")
            assert hog in [str(k.value) for k in top.rows]

    run(main())
