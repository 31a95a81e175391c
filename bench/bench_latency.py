"""Latency: keystroke to screen, filter keystroke to result, and ``docker run`` to the new row, in a 200x60 pty.

    python -m bench.bench_latency [--keep] [--keys 50] [--runs 20]

dockui runs on the workload (rows ``bench-0000``, ``bench-0001``, ... first by name, the cursor
on the first). Before each measurement the output must have been quiet for 0.25 s.

* cursor: ``j`` x N/2 then ``k`` x N/2; each is timed until the newly highlighted row's name is
  written *in the cursor's style* (the style is learnt from the first move: the SGR sequence
  written before the highlighted name, which differs from the one before the row it left), so a
  stats repaint of that row does not count; also until the first byte of output.
* filter keystroke: ``/``, then ``bench-00NN`` typed one character at a time; each keystroke is
  timed until the header shows the filter text typed so far (`` [n/N]  filter: TEXT``, written
  in the same repaint as the filtered table), read off an emulated screen (``ScreenWatch``: dockui
  writes only the cells that changed); ``esc`` clears it. Also the paste case: the whole
  name in one write, until the header shows ``[1/...]``.
* run-to-row: create + start a container named ``bench-0000-lat-XXXX`` (sorts onto the first
  screen) with the engine API, until its name is in dockui's output; timed from the create call
  and from the engine's ``create`` event (``timeNano``).

Baselines in the same run: the same cursor keys and filter keystrokes in an **empty table**
(``bench.baseline_app table``: Textual with a DataTable of the same columns and no rows, in the
same pty size); a keystroke echoed by ``cat`` in a raw-mode pty (the round-trip floor of any
terminal program); ``docker events`` printing the same kind of container's name (the engine's
own event delivery to its CLI: create call -> line, and event ``timeNano`` -> line); and the
create/start API calls alone.
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
from .common import (
    VENV_PY,
    PtyProcess,
    base_parser,
    clean_env,
    dockui_argv,
    new_result,
    pct,
    print_table,
    ratio,
    sgr_before,
    write_result,
)
from .engine import IMAGE, BenchEngine, bench_engine, log

NAME = "bench_latency"
QUIET = 0.25
LAT_LABEL = "latency"
FILTER_NAMES = 4  # names typed one character at a time (10 keystrokes each)
PASTES = 5  # names typed in one write


def _quiet(p: PtyProcess) -> None:
    p.wait_quiet(QUIET, timeout=5.0)


DOWN, UP = b"\x1b[B", b"\x1b[A"


def cursor_pattern(sgr: bytes | None, name: str) -> bytes | re.Pattern:
    """The name of a row drawn in the cursor's style (``sgr``), or just the name."""
    if not sgr:
        return name.encode()
    return re.compile(re.escape(sgr) + rb" ?" + re.escape(name.encode()))


def pick_keys(p: PtyProcess) -> tuple[bytes, bytes, bool, bytes | None]:
    """``j``/``k`` if they move the cursor (k9s keys), else the arrow keys; the cursor ends on row 0.

    Also the cursor row's style: the SGR sequence written right before the newly highlighted name,
    when it differs from the one before the name of the row the cursor left.
    """
    _quiet(p)
    start = p.size
    p.send(b"j")
    down, up, jk = DOWN, UP, False
    if p.wait_for(workload.name_of(1).encode(), start, timeout=2.0) is not None:
        down, up, jk = b"j", b"k", True
    else:
        p.send(DOWN)
        p.wait_for(workload.name_of(1).encode(), start, timeout=2.0)
    _quiet(p)
    data = bytes(p.output[start:])
    on = sgr_before(data, f" {workload.name_of(1)} ".encode())
    off = sgr_before(data, f" {workload.name_of(0)} ".encode())
    sgr = on if on and on != off else None
    back = p.size
    p.send(up)
    p.wait_for(cursor_pattern(sgr, workload.name_of(0)), back, timeout=5.0)
    _quiet(p)
    return down, up, jk, sgr


def cursor_latency(p: PtyProcess, keys: int, down: bytes, up: bytes, sgr: bytes | None,
                   name_of=workload.name_of) -> tuple[list[float], list[float], int]:
    to_name, to_first, missed = [], [], 0
    half = keys // 2
    plan = [(down, i + 1) for i in range(half)] + [(up, half - i - 1) for i in range(keys - half)]
    for key, row in plan:
        _quiet(p)
        start = p.size
        t0 = p.send(key)
        hit = p.wait_for(cursor_pattern(sgr, name_of(row)), start, timeout=5.0)
        first = p.wait_output_after(start, timeout=0.1)
        if hit is None:
            missed += 1
            continue
        to_name.append(hit[0] - t0)
        if first is not None:
            to_first.append(first - t0)
    return to_name, to_first, missed


def filter_shown(prefix: bytes) -> re.Pattern:
    """The header naming the filter ``prefix`` (bold yellow, so a style reset follows it)."""
    return re.compile(rb"filter: (?:\x1b\[[0-9;]*m)*" + re.escape(prefix) + rb"\x1b\[0m")


class ScreenWatch:
    """The pty's screen as a terminal shows it (pyte, fed read by read), for waits on what is
    *shown*: since dockui writes only the cells that changed (dockui/termdiff.py), a keystroke
    that adds one character to the header's filter text writes that character, not the whole
    ``filter: TEXT`` a byte pattern looks for (most filter keystrokes were missed that way)."""

    def __init__(self, p: PtyProcess, cols: int = 200, rows: int = 60) -> None:
        import pyte

        self.p = p
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.fed = 0

    def line(self, y: int) -> str:
        row = self.screen.buffer[y]
        return "".join(row[x].data for x in range(self.screen.columns))

    def wait(self, shown, start: int, timeout: float = 5.0) -> tuple[float, int] | None:
        """(arrival time, end offset) of the first read at or after ``start`` after which
        ``shown(self)`` is true; None on timeout."""
        p = self.p
        deadline = time.monotonic() + timeout
        while True:
            with p._cond:
                ends = [e for e in p._ends if e > self.fed]
                data = bytes(p.output[self.fed:ends[-1]]) if ends else b""
                base = self.fed
            for end in ends:
                self.stream.feed(data[self.fed - base:end - base])
                self.fed = end
                if end > start and shown(self):
                    return p.time_at(end), end
            if time.monotonic() >= deadline:
                return None
            with p._cond:
                if len(p.output) <= self.fed:
                    p._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))


def header_filter(text: str):
    """A ``ScreenWatch`` test: a line shows `` filter: TEXT`` followed by two blanks (the header)."""
    want = f"filter: {text}  "

    def shown(w: ScreenWatch) -> bool:
        return any(want in w.line(y) for y in range(min(6, w.screen.lines)))

    return shown


def filter_keystrokes(p: PtyProcess, names: list[str]) -> tuple[list[float], list[float], int]:
    """Each name typed one character at a time: keystroke -> the header shows the text so far
    (read off the emulated screen, see ``ScreenWatch``)."""
    result, echo, missed = [], [], 0
    watch = ScreenWatch(p)
    for text in names:
        _quiet(p)
        start = p.size
        p.send(b"/")
        if p.wait_output_after(start, timeout=5.0) is None:  # the prompt opens
            missed += len(text)
            p.send(b"\x1b")
            continue
        for j in range(1, len(text) + 1):
            _quiet(p)
            start = p.size
            t0 = p.send(text[j - 1].encode())
            hit = watch.wait(header_filter(text[:j]), start, timeout=5.0)
            first = p.wait_output_after(start, timeout=0.1)
            if hit is None:
                missed += 1
                continue
            result.append(hit[0] - t0)
            if first is not None:
                echo.append(first - t0)
        _quiet(p)
        start = p.size
        p.send(b"\x1b")
        p.wait_for(re.compile(rb" \[\d+\]"), start, timeout=5.0)
    return result, echo, missed


def filter_paste(p: PtyProcess, runs: int) -> tuple[list[float], list[float], int]:
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
        self._stream = self._client.events(since=time.time() - 1, filters={"type": ["container"], "event": ["create"]},
                                            decode=True)
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
    watch = ScreenWatch(p)  # the new row's name read off the screen: only the cells that changed are written
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
            hit = watch.wait(lambda w, name=name: any(name in w.line(y) for y in range(w.screen.lines)), start, timeout=10.0)
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


def empty_table_baseline(keys: int, names: list[str]) -> dict[str, list[float]]:
    """The same cursor keys and filter keystrokes in an empty table (``bench.baseline_app table``)."""
    out: dict[str, list[float]] = {"cursor": [], "filter": [], "filter_echo": []}
    p = PtyProcess([str(VENV_PY), "-m", "bench.baseline_app", "table"], env=clean_env())
    try:
        if p.wait_for(b"READY", 0, 30) is None:
            raise RuntimeError("the baseline app did not start")
        time.sleep(0.5)
        counter = iter(range(1, 1_000_000))
        plan = [b"j" if i < keys // 2 else b"k" for i in range(keys)]
        for key in plan:
            _quiet(p)
            start = p.size
            t0 = p.send(key)
            hit = p.wait_for(b"key " + key + b" " + str(next(counter)).encode(), start, timeout=5.0)
            if hit is not None:
                out["cursor"].append(hit[0] - t0)
        out["filter"], out["filter_echo"], _ = filter_keystrokes(p, names)
    finally:
        p.close(b"\x11")
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
        down, up, jk, sgr = pick_keys(p)
        if not jk:
            res["notes"].append("j/k do not move the cursor in dockui (no k9s-style binding): timed with the arrow keys instead")
        if sgr is None:
            res["notes"].append("the cursor row's style could not be told apart: cursor keys timed to the row's name in any style")
        to_name, to_first, missed = cursor_latency(p, keys, down, up, sgr)
        log("bench_latency: filter keystrokes")
        names = [workload.name_of(10 + (i * 7) % 90) for i in range(FILTER_NAMES)]
        k_result, k_echo, k_missed = filter_keystrokes(p, names)
        log("bench_latency: filter pasted")
        f_result, f_echo, f_missed = filter_paste(p, PASTES)
        log("bench_latency: run-to-row")
        rr = run_to_row(p, eng, runs)
    finally:
        p.close(b"\x11")
    log("bench_latency: baselines")
    empty = empty_table_baseline(min(keys, 20), names[:2])
    echo = echo_baseline(keys)
    ev = events_baseline(eng, runs)
    ms = 1000.0
    fig["cursor_key_to_row_p50_ms"] = ms * pct(to_name, 50)
    fig["cursor_key_to_row_p95_ms"] = ms * pct(to_name, 95)
    fig["cursor_key_to_first_output_p50_ms"] = ms * pct(to_first, 50)
    fig["cursor_keys_measured"] = len(to_name)
    fig["filter_keystroke_to_result_p50_ms"] = ms * pct(k_result, 50)
    fig["filter_keystroke_to_result_p95_ms"] = ms * pct(k_result, 95)
    fig["filter_keystroke_to_first_output_p50_ms"] = ms * pct(k_echo, 50)
    fig["filter_keystrokes_measured"] = len(k_result)
    per_key = [sorted(k_result[i::10]) for i in range(10)] if len(k_result) == 10 * FILTER_NAMES else []
    if per_key:  # which keystroke costs: the 7th-10th narrow the rows (1,000 -> 100 -> 10 -> 1)
        fig["filter_keystroke_median_ms_by_position"] = [round(ms * per[len(per) // 2], 1) for per in per_key]
    fig["cursor_key_to_row_ms_sorted"] = [round(ms * v, 1) for v in sorted(to_name)]
    fig["filter_keystroke_to_result_ms_sorted"] = [round(ms * v, 1) for v in sorted(k_result)]
    fig["cursor_or_filter_to_repaint_p95_ms"] = ms * pct(to_name + k_result, 95)
    fig["filter_typed_to_result_p50_ms"] = ms * pct(f_result, 50)
    fig["filter_typed_to_result_p95_ms"] = ms * pct(f_result, 95)
    fig["filter_typed_to_first_output_p50_ms"] = ms * pct(f_echo, 50)
    fig["filters_measured"] = len(f_result)
    fig["run_to_row_p50_ms"] = ms * pct(rr["call_to_row"], 50)
    fig["run_to_row_p95_ms"] = ms * pct(rr["call_to_row"], 95)
    fig["create_event_to_row_p50_ms"] = ms * pct(rr["event_to_row"], 50)
    fig["create_event_to_row_p95_ms"] = ms * pct(rr["event_to_row"], 95)
    fig["runs_measured"] = len(rr["call_to_row"])
    base["empty_table_cursor_key_p50_ms"] = ms * pct(empty["cursor"], 50)
    base["empty_table_cursor_key_p95_ms"] = ms * pct(empty["cursor"], 95)
    base["empty_table_filter_keystroke_p50_ms"] = ms * pct(empty["filter"], 50)
    base["empty_table_filter_keystroke_p95_ms"] = ms * pct(empty["filter"], 95)
    base["empty_table_cursor_or_filter_p95_ms"] = ms * pct(empty["cursor"] + empty["filter"], 95)
    base["pty_echo_cat_p50_ms"] = ms * pct(echo, 50)
    base["pty_echo_cat_p95_ms"] = ms * pct(echo, 95)
    base["create_api_p50_ms"] = ms * pct(rr["create_api"], 50)
    base["create_start_api_p50_ms"] = ms * pct(rr["create_start_api"], 50)
    base["docker_events_call_to_line_p50_ms"] = ms * pct(ev["call_to_line"], 50)
    base["docker_events_call_to_line_p95_ms"] = ms * pct(ev["call_to_line"], 95)
    base["docker_events_event_to_line_p50_ms"] = ms * pct(ev["event_to_line"], 50)
    base["docker_events_event_to_line_p95_ms"] = ms * pct(ev["event_to_line"], 95)
    r = res["ratios"]
    r["cursor_key p50 / pty echo p50"] = ratio(fig["cursor_key_to_row_p50_ms"], base["pty_echo_cat_p50_ms"])
    r["cursor_key p95 / empty table p95"] = ratio(fig["cursor_key_to_row_p95_ms"], base["empty_table_cursor_key_p95_ms"])
    r["filter_keystroke p95 / empty table p95"] = ratio(fig["filter_keystroke_to_result_p95_ms"], base["empty_table_filter_keystroke_p95_ms"])
    r["cursor_or_filter p95 / empty table p95"] = ratio(fig["cursor_or_filter_to_repaint_p95_ms"], base["empty_table_cursor_or_filter_p95_ms"])
    r["create_event_to_row p95 / docker_events event_to_line p95"] = ratio(fig["create_event_to_row_p95_ms"],
                                                                           base["docker_events_event_to_line_p95_ms"])
    r["run_to_row p50 / docker_events p50"] = ratio(fig["run_to_row_p50_ms"], base["docker_events_call_to_line_p50_ms"])
    for what, n in (("cursor keys", missed), ("filter keystrokes", k_missed), ("pasted filters", f_missed), ("runs", len(rr["missed"]))):
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
