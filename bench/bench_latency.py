"""Latency: keystroke to screen, filter to result, and ``docker run`` to the new row, in a 200x60 pty.

    python -m bench.bench_latency [--keep] [--keys 50] [--runs 20]

dockui runs on the workload (rows ``bench-0000``, ``bench-0001``, ... first by name, the cursor
on the first). Before each measurement the output must have been quiet for 0.25 s.

* cursor: ``j`` x N/2 then ``k`` x N/2; each is timed until the name of the newly highlighted
  row is written (its row is repainted); also until the first byte of output.
* filter: ``/``, then ``bench-00NN`` typed in one write, until the header shows ``[1/...]``;
  ``esc`` clears it before the next one.
* run-to-row: create + start a container named ``bench-0000-lat-XXXX`` (sorts onto the first
  screen) with the engine API, until its name is in dockui's output.

Baselines in the same run: a keystroke echoed by ``cat`` in a raw-mode pty (the round-trip
floor of any terminal program), and ``docker events`` printing the same kind of container's
name (the engine's own event delivery to its CLI), and the create+start API calls alone.
"""

from __future__ import annotations

import re
import sys
import threading
import time
import uuid
from typing import Any

from dockui.engine import NotFound

from . import workload
from .common import PtyProcess, base_parser, clean_env, dockui_argv, new_result, pct, print_table, ratio, write_result
from .engine import IMAGE, BenchEngine, bench_engine, log

NAME = "bench_latency"
QUIET = 0.25
LAT_LABEL = "latency"


def _quiet(p: PtyProcess) -> None:
    p.wait_quiet(QUIET, timeout=5.0)


DOWN, UP = b"\x1b[B", b"\x1b[A"


def pick_keys(p: PtyProcess) -> tuple[bytes, bytes, bool]:
    """``j``/``k`` if they move the cursor (k9s keys), else the arrow keys; the cursor ends on row 0."""
    _quiet(p)
    start = p.size
    p.send(b"j")
    if p.wait_for(workload.name_of(1).encode(), start, timeout=2.0) is not None:
        _quiet(p)
        p.send(b"k")
        p.wait_for(workload.name_of(0).encode(), start, timeout=2.0)
        return b"j", b"k", True
    return DOWN, UP, False


def cursor_latency(p: PtyProcess, keys: int, down: bytes, up: bytes) -> tuple[list[float], list[float], int]:
    to_name, to_first, missed = [], [], 0
    half = keys // 2
    plan = [(down, i + 1) for i in range(half)] + [(up, half - i - 1) for i in range(keys - half)]
    for key, row in plan:
        _quiet(p)
        start = p.size
        t0 = p.send(key)
        hit = p.wait_for(workload.name_of(row).encode(), start, timeout=5.0)
        first = p.wait_output_after(start, timeout=0.1)
        if hit is None:
            missed += 1
            continue
        to_name.append(hit[0] - t0)
        if first is not None:
            to_first.append(first - t0)
    return to_name, to_first, missed


def filter_latency(p: PtyProcess, runs: int) -> tuple[list[float], list[float], int]:
    result, echo, missed = [], [], 0
    one = re.compile(rb"\[1/\d+\]")
    for i in range(runs):
        _quiet(p)
        start = p.size
        p.send(b"/")
        if p.wait_output_after(start, timeout=5.0) is None:  # the prompt opens
            missed += 1
            p.send(b"\x1b")
            continue
        _quiet(p)
        start = p.size
        text = workload.name_of(10 + (i * 7) % 90).encode()
        t0 = p.send(text)
        hit = p.wait_for(one, start, timeout=5.0)
        first = p.wait_output_after(start, timeout=0.1)
        if hit is None:
            missed += 1
        else:
            result.append(hit[0] - t0)
            if first is not None:
                echo.append(first - t0)
        start = p.size
        p.send(b"\x1b")
        p.wait_for(re.compile(rb" \[\d+\]"), start, timeout=5.0)
    return result, echo, missed


class CreateEvents:
    """Follows the engine's container ``create`` events: name -> event time (as ``time.monotonic``)."""

    def __init__(self, eng: BenchEngine) -> None:
        self._client = eng.client()
        self._stream = self._client.events(since=time.time() - 1, filters={"type": ["container"], "event": ["create"]})
        self._offset = time.time() - time.monotonic()
        self.times: dict[str, float] = {}
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for e in self._stream:
                name = ((e.get("Actor") or {}).get("Attributes") or {}).get("name")
                if name and e.get("timeNano"):
                    self.times[name] = e["timeNano"] / 1e9 - self._offset
        except Exception:  # noqa: BLE001 - closed at the end
            pass

    def wait(self, name: str, timeout: float = 5.0) -> float | None:
        deadline = time.monotonic() + timeout
        while name not in self.times and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.times.get(name)

    def close(self) -> None:
        self._stream.close()
        self._thread.join(2)
        self._client.close()


def run_to_row(p: PtyProcess, eng: BenchEngine, runs: int) -> dict[str, list[float]]:
    client = eng.client()
    events = CreateEvents(eng)
    out: dict[str, list[float]] = {"call_to_row": [], "event_to_row": [], "create_api": [], "create_start_api": [], "missed": []}
    made: list[str] = []
    try:
        for _ in range(runs):
            _quiet(p)
            name = f"{workload.FIRST}-lat-{uuid.uuid4().hex[:8]}"
            start = p.size
            t0 = time.monotonic()
            cid = client.create_container(IMAGE, ["sleep", "1000000"], name=name, labels={workload.LABEL: LAT_LABEL},
                                          host_config={"Init": True, "NetworkMode": "none"})["Id"]
            made.append(cid)
            out["create_api"].append(time.monotonic() - t0)
            client.start(cid)
            out["create_start_api"].append(time.monotonic() - t0)
            hit = p.wait_for(name.encode(), start, timeout=10.0)
            t_ev = events.wait(name)
            if hit is None:
                out["missed"].append(1)
            else:
                out["call_to_row"].append(hit[0] - t0)
                if t_ev is not None:
                    out["event_to_row"].append(hit[0] - t_ev)
            client.remove_container(cid, force=True)
            made.remove(cid)
            time.sleep(0.3)
    finally:
        events.close()
        for cid in made:
            try:
                client.remove_container(cid, force=True)
            except NotFound:
                pass
        client.close()
    return out


def events_baseline(eng: BenchEngine, runs: int) -> dict[str, list[float]]:
    """``docker events`` in a pty: create call (and create event) -> the container's name printed."""
    client = eng.client()
    events = CreateEvents(eng)
    out: dict[str, list[float]] = {"call_to_line": [], "event_to_line": []}
    p = PtyProcess(["docker", "-H", eng.host, "events", "--filter", "type=container", "--filter", "event=create",
                    "--format", "{{.Actor.Attributes.name}}"], env=clean_env())
    made: list[str] = []
    try:
        time.sleep(1.0)
        for _ in range(runs):
            name = f"bench-evlat-{uuid.uuid4().hex[:8]}"
            start = p.size
            t0 = time.monotonic()
            cid = client.create_container(IMAGE, ["true"], name=name, labels={workload.LABEL: LAT_LABEL}, host_config={"NetworkMode": "none"})["Id"]
            made.append(cid)
            hit = p.wait_for(name.encode(), start, timeout=10.0)
            t_ev = events.wait(name)
            if hit is not None:
                out["call_to_line"].append(hit[0] - t0)
                if t_ev is not None:
                    out["event_to_line"].append(hit[0] - t_ev)
    finally:
        p.close(b"\x03")
        events.close()
        for cid in made:
            try:
                client.remove_container(cid, force=True)
            except NotFound:
                pass
        client.close()
    return out


def echo_baseline(keys: int) -> list[float]:
    out: list[float] = []
    p = PtyProcess(["sh", "-c", "stty raw -echo; exec cat"], env=clean_env())
    try:
        time.sleep(0.3)
        for _ in range(keys):
            start = p.size
            t0 = p.send(b"j")
            hit = p.wait_for(b"j", start, timeout=2.0)
            if hit is not None:
                out.append(hit[0] - t0)
            time.sleep(0.01)
    finally:
        p.close(b"\x04")
    return out


def run(eng: BenchEngine, keys: int = 50, runs: int = 20) -> dict[str, Any]:
    res = new_result(NAME, f"keystroke/filter/run-to-row latency, 200x60 pty, {keys} keys, {runs} runs", eng.version)
    fig, base = res["figures"], res["baseline"]
    p = PtyProcess(dockui_argv(eng.host))
    try:
        if p.wait_for(workload.FIRST.encode(), 0, 30) is None:
            raise RuntimeError("dockui did not show the container list")
        time.sleep(3.0)  # stats streams start; let the first repaints pass
        log("bench_latency: cursor keys")
        down, up, jk = pick_keys(p)
        if not jk:
            res["notes"].append("j/k do not move the cursor in dockui (no k9s-style binding): timed with the arrow keys instead")
        to_name, to_first, missed = cursor_latency(p, keys, down, up)
        log("bench_latency: filter")
        f_result, f_echo, f_missed = filter_latency(p, max(5, runs // 2 + 5))
        log("bench_latency: run-to-row")
        rr = run_to_row(p, eng, runs)
    finally:
        p.close(b"\x11")
    log("bench_latency: baselines")
    echo = echo_baseline(keys)
    ev = events_baseline(eng, runs)
    ms = 1000.0
    fig["cursor_key_to_row_p50_ms"] = ms * pct(to_name, 50)
    fig["cursor_key_to_row_p95_ms"] = ms * pct(to_name, 95)
    fig["cursor_key_to_first_output_p50_ms"] = ms * pct(to_first, 50)
    fig["cursor_keys_measured"] = len(to_name)
    fig["filter_typed_to_result_p50_ms"] = ms * pct(f_result, 50)
    fig["filter_typed_to_result_p95_ms"] = ms * pct(f_result, 95)
    fig["filter_typed_to_first_output_p50_ms"] = ms * pct(f_echo, 50)
    fig["filters_measured"] = len(f_result)
    fig["run_to_row_p50_ms"] = ms * pct(rr["call_to_row"], 50)
    fig["run_to_row_p95_ms"] = ms * pct(rr["call_to_row"], 95)
    fig["create_event_to_row_p50_ms"] = ms * pct(rr["event_to_row"], 50)
    fig["create_event_to_row_p95_ms"] = ms * pct(rr["event_to_row"], 95)
    fig["runs_measured"] = len(rr["call_to_row"])
    base["pty_echo_cat_p50_ms"] = ms * pct(echo, 50)
    base["pty_echo_cat_p95_ms"] = ms * pct(echo, 95)
    base["create_api_p50_ms"] = ms * pct(rr["create_api"], 50)
    base["create_start_api_p50_ms"] = ms * pct(rr["create_start_api"], 50)
    base["docker_events_call_to_line_p50_ms"] = ms * pct(ev["call_to_line"], 50)
    base["docker_events_call_to_line_p95_ms"] = ms * pct(ev["call_to_line"], 95)
    base["docker_events_event_to_line_p50_ms"] = ms * pct(ev["event_to_line"], 50)
    r = res["ratios"]
    r["cursor_key p50 / pty echo p50"] = ratio(fig["cursor_key_to_row_p50_ms"], base["pty_echo_cat_p50_ms"])
    r["run_to_row p50 / docker_events p50"] = ratio(fig["run_to_row_p50_ms"], base["docker_events_call_to_line_p50_ms"])
    for what, n in (("cursor keys", missed), ("filters", f_missed), ("runs", len(rr["missed"]))):
        if n:
            res["notes"].append(f"{n} {what} timed out (not counted)")
    res["notes"].append("run-to-row is timed from the create call (the row appears on the create event); docker events likewise")
    return res


def main(argv: list[str] | None = None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--keys", type=int, default=50)
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args(argv)
    with bench_engine(keep=args.keep) as eng:
        try:
            workload.ensure(eng)
            res = run(eng, args.keys, args.runs)
        finally:
            workload.remove(eng, label_value=LAT_LABEL)
            if not args.keep:
                workload.remove(eng)
    print_table(res)
    write_result(NAME, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
