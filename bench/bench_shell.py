"""TTY pane throughput: dockui's exec pane showing ``seq 1 200000``, vs ``docker exec -t``; keys during the flood.

    python -m bench.bench_shell [--keep] [--lines 200000]

* dashboard (the headline): dockui in a 200x60 pty on the workload; on ``bench-0000`` the exec
  key ``e``, then ``sh -c 'seq 1 N; exit K'`` + enter: timed from the enter key to the pane's
  end notice (``exited with code K``: the session read every byte; K differs per run, because
  the previous run's notice may still be on screen); median of 3. One more run measures
  keys while the flood runs: ``ctrl+]`` back to the list, then ``j``/``k`` one after the other,
  each timed until the newly highlighted row is drawn in the cursor's style (as bench_latency).

* capture: the bytes of ``seq 1 N`` run by an exec with a TTY on a running bench container,
  read from the hijacked socket with no emulation (also a figure: the engine's own delivery).
* replay: those bytes fed to a ``TerminalView`` (200x60, inside ``App.run_test``) from a
  reader thread in 32 KiB pieces; timed until every byte is drawn (``output_idle``).
* live: a fresh exec run by dockui's own ``TermSession`` (its reader thread feeds the view);
  timed from the session's start until drained and closed.
* reference: the same bytes through a plain ``pyte.Screen`` + ``pyte.ByteStream``.
* baseline: ``docker exec -t CONTAINER seq 1 N > /dev/null`` in a pty (the CLI's own path),
  wall time; median of 3 throughout.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

from . import workload
from .common import PtyProcess, clean_env, dockui_argv, median, new_result, pct, ratio
from .engine import BenchEngine, log
from .runner import main_on_workload

NAME = "bench_shell"
PIECE = 32 * 1024
REPEAT = 3


def _container(eng: BenchEngine) -> str:
    c = eng.client()
    rows = c.containers(all=False, filters={"name": [workload.FIRST]})
    c.close()
    for r in rows:
        if workload.FIRST in [n.lstrip("/") for n in r.get("Names") or []]:
            return r["Id"]
    raise RuntimeError(f"{workload.FIRST} is not running")


def _exec_socket(c, exec_id: str):
    """The hijacked socket of a TTY exec (``socket=True`` in the docker-py-like API)."""
    try:
        return c.exec_start(exec_id, tty=True, socket=True, console_size=(60, 200))
    except TypeError:  # an older dockui whose exec_start always returned the socket
        return c.exec_start(exec_id, tty=True, console_size=(60, 200))


def capture(eng: BenchEngine, cid: str, lines: int) -> tuple[bytes, float, int]:
    c = eng.client()
    ex = c.exec_create(cid, ["seq", "1", str(lines)], tty=True, console_size=(60, 200))
    t0 = time.perf_counter()
    sock = _exec_socket(c, ex["Id"])
    parts = []
    reads = 0
    while True:
        got = sock.read()
        if not got:
            break
        reads += 1
        parts.extend(data for _, data in got)
    elapsed = time.perf_counter() - t0
    sock.close()
    c.close()
    return b"".join(parts), elapsed, reads


async def _drive(source, lines: int) -> tuple[float, bool]:
    """Run a headless app with one TerminalView; ``source(view)`` starts feeding and returns the start time."""
    from textual.app import App, ComposeResult

    from dockui.widgets.terminal import TerminalView

    class ShellApp(App):
        def compose(self) -> ComposeResult:
            yield TerminalView(send=lambda data: None)

    app = ShellApp()
    async with app.run_test(size=(200, 60)) as pilot:
        view = app.query_one(TerminalView)
        await pilot.pause(0.2)
        done = threading.Event()
        t0 = source(view, done)
        while True:
            await asyncio.sleep(0.002)
            if done.is_set() and view.output_idle and view.pending_bytes == 0:
                break
            if time.perf_counter() - t0 > 120:
                raise RuntimeError("the terminal view did not drain in 120 s")
        elapsed = time.perf_counter() - t0
        shown = "\n".join(view.display_lines())
        return elapsed, str(lines) in shown


def replay(data: bytes, lines: int) -> tuple[float, bool]:
    def source(view, done: threading.Event) -> float:
        def feed() -> None:
            for i in range(0, len(data), PIECE):
                view.feed(data[i : i + PIECE])
            done.set()

        t0 = time.perf_counter()
        threading.Thread(target=feed, daemon=True).start()
        return t0

    elapsed, ok = asyncio.run(_drive(source, lines))
    return elapsed, ok


def live(eng: BenchEngine, cid: str, lines: int) -> tuple[float, bool]:
    """dockui's own session path (``TermSession`` feeding the view) when it exists, else a plain reader thread."""
    c = eng.client()

    def source(view, done: threading.Event) -> float:
        try:
            from dockui.sessions.terminal import TermSession
        except ImportError:
            TermSession = None  # noqa: N806 - an older dockui without sessions
        t0 = time.perf_counter()
        if TermSession is not None:
            s = TermSession(c, cid, "exec", ["seq", "1", str(lines)], size=(60, 200), on_output=view.feed,
                            on_closed=lambda reason: done.set())
            s.start()
            return t0
        ex = c.exec_create(cid, ["seq", "1", str(lines)], tty=True, console_size=(60, 200))
        sock = _exec_socket(c, ex["Id"])

        def read() -> None:
            try:
                while True:
                    got = sock.read()
                    if not got:
                        break
                    for _, data in got:
                        view.feed(data)
            finally:
                sock.close()
                done.set()

        threading.Thread(target=read, daemon=True).start()
        return t0

    try:
        elapsed, ok = asyncio.run(_drive(source, lines))
    finally:
        c.close()
    return elapsed, ok


def plain_pyte(data: bytes) -> float:
    import pyte

    screen = pyte.Screen(200, 60)
    stream = pyte.ByteStream(screen)
    t0 = time.perf_counter()
    for i in range(0, len(data), PIECE):
        stream.feed(data[i : i + PIECE])
    return time.perf_counter() - t0


def dashboard(eng: BenchEngine, lines: int, runs: int = REPEAT) -> dict[str, Any]:
    """dockui's own exec pane in a real pty: enter -> the session's end notice; then keys during a flood."""
    from .bench_latency import cursor_pattern, pick_keys

    out: dict[str, Any] = {"runs": [], "keys_ms": [], "keys_sent": 0, "keys_missed": 0, "last_line_seen": 0}
    p = PtyProcess(dockui_argv(eng.host))
    try:
        if p.wait_for(workload.FIRST.encode(), 0, 30) is None:
            raise RuntimeError("dockui did not show the container list")
        time.sleep(2.0)
        down, up, _, sgr = pick_keys(p)  # the cursor is on bench-0000 again
        out["cursor_style_known"] = sgr is not None
        for r in range(runs + 1):
            with_keys = r == runs
            p.wait_quiet(0.25, timeout=5.0)
            start = p.size
            p.send(b"e")
            if p.wait_for(b"command to run", start, timeout=5.0) is None:
                raise RuntimeError("the exec prompt did not open")
            p.wait_quiet(0.1, timeout=2.0)
            start = p.size
            code = 11 + r
            end = f"exited with code {code}".encode()
            t0 = p.send(f"sh -c 'seq 1 {lines}; exit {code}'\r".encode())
            if with_keys:
                if p.wait_for(b"back to the list", start, timeout=10.0) is None:  # the pane's title: it is open
                    raise RuntimeError("the exec pane did not open")
                # ctrl+]: back to the list, the flood goes on in the pane. Focus moves a moment
                # later (Widget.focus is deferred): wait until the cursor row is drawn focused again
                for _ in range(3):
                    ks = p.size
                    p.send(b"\x1d")
                    if p.wait_for(cursor_pattern(sgr, workload.name_of(0)), ks, timeout=2.0) is not None:
                        break
                out["table_focused_after_ctrl_bracket"] = p.output.find(end, start) < 0
                row = 0
                while p.output.find(end, start) < 0:
                    key, row = (down, 1) if row == 0 else (up, 0)
                    ks = p.size
                    tk = p.send(key)
                    hit = p.wait_for(cursor_pattern(sgr, workload.name_of(row)), ks, timeout=5.0)
                    done = p.output.find(end, start)
                    if done >= 0 and p.time_at(done) < tk:
                        break  # sent after the flood ended: not a flood key
                    out["keys_sent"] += 1
                    if hit is None:
                        out["keys_missed"] += 1
                        break  # where the cursor is is unknown now
                    out["keys_ms"].append(1000 * (hit[0] - tk))
                    time.sleep(0.02)
            hit = p.wait_for(end, start, timeout=120)
            if hit is None:
                raise RuntimeError("the exec pane did not end in 120 s")
            p.send(b"\x1d")  # ctrl+]: back to the list (an ended exec pane stays open, its last words readable)
            if with_keys:
                out["flood_with_keys_s"] = hit[0] - t0
            else:
                out["runs"].append(hit[0] - t0)
            out["last_line_seen"] += 1 if p.output.find(str(lines - 1).encode(), start) >= 0 else 0

    finally:
        p.close(b"\x11")
    return out


def docker_exec(eng: BenchEngine, cid: str, lines: int) -> float:
    p = PtyProcess(["sh", "-c", f"exec docker -H {eng.host} exec -t {cid} seq 1 {lines} > /dev/null"], env=clean_env())
    try:
        if not p.wait_exit(120):
            raise RuntimeError("docker exec did not finish in 120 s")
        return time.monotonic() - p.started
    finally:
        p.close(None)


def run(eng: BenchEngine, lines: int = 200_000) -> dict[str, Any]:
    res = new_result(NAME, f"TerminalView throughput on seq 1 {lines} (TTY exec), 200x60, median of {REPEAT}", eng.version)
    fig, base = res["figures"], res["baseline"]
    cid = _container(eng)
    log("bench_shell: capture")
    data, cap_s, reads = capture(eng, cid, lines)
    caps = [cap_s] + [capture(eng, cid, lines)[1] for _ in range(REPEAT - 1)]
    log(f"bench_shell: replay ({len(data)} bytes)")
    reps = [replay(data, lines) for _ in range(REPEAT)]
    log("bench_shell: live")
    lives = [live(eng, cid, lines) for _ in range(REPEAT)]
    log("bench_shell: dashboard (dockui in a pty)")
    dash = dashboard(eng, lines)
    log("bench_shell: baselines")
    pys = [plain_pyte(data) for _ in range(REPEAT)]
    execs = [docker_exec(eng, cid, lines) for _ in range(REPEAT)]

    mb = len(data) / 1e6
    fig["bytes"] = len(data)
    fig["socket_reads_for_the_output"] = reads
    fig["terminalview_replay_s"] = median([t for t, _ in reps])
    fig["terminalview_replay_MB_per_s"] = mb / fig["terminalview_replay_s"]
    fig["terminalview_live_exec_s"] = median([t for t, _ in lives])
    fig["terminalview_live_MB_per_s"] = mb / fig["terminalview_live_exec_s"]
    fig["terminalview_replay_runs_s"] = sorted(t for t, _ in reps)
    fig["terminalview_live_runs_s"] = sorted(t for t, _ in lives)
    fig["final_screen_correct"] = all(ok for _, ok in reps + lives)
    fig["dashboard_exec_pane_s"] = median(dash["runs"])
    fig["dashboard_exec_pane_runs_s"] = sorted(dash["runs"])
    fig["dashboard_flood_with_keys_s"] = dash.get("flood_with_keys_s")
    fig["dashboard_keys_during_flood_sent"] = dash["keys_sent"]
    fig["dashboard_keys_during_flood_answered"] = len(dash["keys_ms"])
    fig["dashboard_key_during_flood_p50_ms"] = pct(dash["keys_ms"], 50)
    fig["dashboard_key_during_flood_p95_ms"] = pct(dash["keys_ms"], 95)
    fig["dashboard_key_during_flood_max_ms"] = max(dash["keys_ms"]) if dash["keys_ms"] else None
    base["docker_exec_t_to_devnull_s"] = median(execs)
    base["raw_exec_socket_read_s"] = median(caps)
    base["plain_pyte_feed_s"] = median(pys)
    r = res["ratios"]
    r["dashboard_exec_pane / docker_exec_t"] = ratio(fig["dashboard_exec_pane_s"], base["docker_exec_t_to_devnull_s"])
    r["terminalview_live / docker_exec_t"] = ratio(fig["terminalview_live_exec_s"], base["docker_exec_t_to_devnull_s"])
    r["terminalview_replay / docker_exec_t"] = ratio(fig["terminalview_replay_s"], base["docker_exec_t_to_devnull_s"])
    r["terminalview_replay / plain_pyte"] = ratio(fig["terminalview_replay_s"], base["plain_pyte_feed_s"])
    res["notes"].append("terminalview_*: headless App.run_test, the compositor renders but nothing is written to a real terminal; "
                        "dashboard_*: dockui itself in a 200x60 pty")
    if not dash.get("cursor_style_known"):
        res["notes"].append("the cursor row's style could not be told apart: keys during the flood timed to the row's name")
    return res


def main(argv: list[str] | None = None) -> int:
    return main_on_workload(NAME, __doc__, run, ("--lines", int, 200_000), argv)


if __name__ == "__main__":
    sys.exit(main())
