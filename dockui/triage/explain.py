"""Why a container is in its state: pure functions over its inspect document, its events and the
stats samples dockui kept. No engine calls, no Textual: ``gather`` collects the evidence,
the post-mortem screen and the REASON column render what these functions say.

Events are timeline rows as ``dockui.kinds.events.summary`` makes them (``Time`` in unix seconds,
``Verb``, ``Action``, ``Attributes``); every engine string that reaches a result is cleaned with
``one_line`` (no escape sequence survives, markup is never parsed downstream).
"""

from __future__ import annotations

import signal as _signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import format as fmt
from ..ansi import one_line

Row = Mapping[str, Any]
LOOP_WINDOW = 600.0  # seconds: "restarted 7 times in the last 10 minutes"
LOOP_MIN = 3  # restarts in the window that make a loop


def size(n: int | float | None) -> str:
    """Bytes in binary units as people say them: ``64 MiB``, ``7.9 MiB``."""
    if n is None or n < 0:
        return "-"
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div:
            v = n / div
            return f"{v:.0f} {unit}" if abs(v - round(v)) < 0.05 else f"{v:.1f} {unit}"
    return f"{int(n)} B"


def _zero_time(ts: Any) -> bool:
    return not ts or str(ts).startswith("0001-")


def when(ts: Any) -> float | None:
    """An engine time (RFC 3339 with nanoseconds) in unix seconds; None for the zero time."""
    if _zero_time(ts):
        return None
    return fmt.timestamp(str(ts))


def signal_name(n: int) -> str:
    """``9`` -> ``SIGKILL``; a number the signal module does not know -> ``signal 42``."""
    try:
        return _signal.Signals(n).name
    except ValueError:
        return f"signal {n}"


def explain_exit(code: int | None, oom: bool = False, error: str = "") -> str:
    """What an exit code means, in plain words."""
    if oom:
        return "killed by the kernel: out of memory"
    if code is None:
        return "no exit code"
    if code == 0:
        return "exit 0: a normal exit"
    if code in (1, 2):
        return f"exit {code}: the application reported an error"
    if code == 125:
        return "exit 125: the engine could not run the container" + (f" ({one_line(error, 200)})" if error else "")
    if code == 126:
        return "exit 126: the command could not be run (not executable, or permission denied)"
    if code == 127:
        return "exit 127: the command was not found"
    if 128 < code <= 128 + 64:
        n = code - 128
        return f"exit {code}: killed by signal {n} ({signal_name(n)})"
    if code == 255:
        return "exit 255: the process or its runtime ended abnormally (often: the engine or the node went away)"
    if code < 0:
        return f"exit {code}"
    return f"exit {code}: the application's own exit code"


def container_events(events: Sequence[Row], cid: str) -> list[Row]:
    """The events of one container, oldest first (timeline rows, any order in)."""
    rows = [e for e in events if e.get("Type") == "container" and str(e.get("ObjectID") or "") == cid]
    rows.sort(key=lambda e: e.get("Time") or 0)
    return rows


def _verb(e: Row) -> str:
    return str(e.get("Verb") or str(e.get("Action") or "").split(":", 1)[0])


def _attr(e: Row, key: str) -> str:
    return str((e.get("Attributes") or {}).get(key) or "")


def signal_source(events: Sequence[Row], code: int | None, oom: bool = False) -> str:
    """Who sent the signal that ended the last run, when the events say so ("" when they do not).

    Looks at the events of the last run: after the last ``start``, up to the ``die`` that ended it.
    """
    evs = list(events)
    last_die = max((i for i, e in enumerate(evs) if _verb(e) == "die"), default=None)
    if last_die is None:
        return ""
    first = max((i for i, e in enumerate(evs[:last_die]) if _verb(e) == "start"), default=-1) + 1
    run = evs[first:last_die + 1]
    after = evs[last_die + 1:last_die + 3]
    verbs = [_verb(e) for e in run]
    if oom or "oom" in verbs:
        return "the kernel (an oom event: out of memory)"
    kills = [e for e in run if _verb(e) == "kill"]
    if not kills:
        if code is not None and 128 < code <= 128 + 64:
            return "not the engine: no kill event (a signal from inside the container, or from the host)"
        return ""
    sigs = []
    for e in kills:
        s = _attr(e, "signal")
        try:
            sigs.append(signal_name(int(s)))
        except ValueError:
            sigs.append(one_line(s, 20) or "?")
    sent = ", then ".join(dict.fromkeys(sigs))
    after_verbs = [_verb(e) for e in after]
    if "restart" in after_verbs:
        return f"someone ran restart ({sent})"
    if "stop" in after_verbs or (sigs and sigs[0] == "SIGTERM"):
        tail = " after the stop timeout" if len(sigs) > 1 and sigs[-1] == "SIGKILL" else ""
        if tail:
            return f"someone ran stop: SIGTERM, then SIGKILL{tail}"
        return "someone ran stop (SIGTERM)"
    return f"someone ran kill ({sent})"


def last_run(events: Sequence[Row]) -> list[Row]:
    """The events from the last ``start`` on (the run that ended, or the one going on)."""
    evs = list(events)
    first = max((i for i, e in enumerate(evs) if _verb(e) == "start"), default=-1)
    return evs[max(first, 0):]


def oom_killed(info: Row, events: Sequence[Row] = ()) -> bool:
    """Killed by the kernel for memory: ``State.OOMKilled``, or an ``oom`` event in the last run
    (the engine records OOMKilled when it handles the kernel's notice, sometimes after the exit)."""
    st = info.get("State") or {}
    if st.get("OOMKilled"):
        return True
    return not st.get("Running") and any(_verb(e) == "oom" for e in last_run(events))


@dataclass(frozen=True)
class Loop:
    restarts: int  # automatic restarts in the window
    window: float  # seconds
    every: float | None  # mean seconds between starts
    exits: tuple[str, ...]  # exit codes of the runs in the window, oldest first

    def exit_words(self) -> str:
        codes = list(dict.fromkeys(self.exits))
        if not codes:
            return ""
        if len(codes) == 1:
            return f"exit {codes[0]} each time"
        return "exits " + ", ".join(codes)

    def sentence(self) -> str:
        if not self.window:  # the count alone (the engine keeps only its last 256 events for since=)
            words = self.exit_words()
            return (f"restarted {self.restarts} times since it was last started by hand, restarting again now"
                    + (f", {words}" if words else "") + " (the engine's event history is too short to say when)")
        mins = int(round(self.window / 60))
        out = f"restarted {self.restarts} times in the last {mins} minutes"
        if self.every:
            out += f", every ~{_secs(self.every)}"
        words = self.exit_words()
        return out + (f", {words}" if words else "")


def _secs(s: float) -> str:
    if s < 1:
        return "<1 s"
    if s < 120:
        return f"{int(round(s))} s"
    return f"{int(round(s / 60))} min"


def restart_loop(events: Sequence[Row], now: float, restart_count: int = 0, restarting: bool = False,
                 window: float = LOOP_WINDOW) -> Loop | None:
    """A restart loop from the events of the last ``window`` seconds: starts that follow a die
    without anyone asking (no ``restart`` event between). None when it is not a loop."""
    recent = [e for e in events if (e.get("Time") or 0) >= now - window]
    restarts = 0
    starts: list[float] = []
    exits: list[str] = []
    died = False
    for e in recent:
        v = _verb(e)
        if v == "die":
            died = True
            exits.append(_attr(e, "exitCode") or "?")
        elif v == "restart":
            died = False
        elif v == "start":
            if died:
                restarts += 1
                starts.append(float(e.get("Time") or 0))
            died = False
    if died and restarting:  # the engine counts a restart it has scheduled (RestartCount) before its start event
        restarts += 1
    if restarts < LOOP_MIN:
        if restarting and restart_count >= LOOP_MIN:  # too few events kept (a busy engine): the count alone
            return Loop(restart_count, 0.0, None, tuple(exits))
        return None
    every = (starts[-1] - starts[0]) / (len(starts) - 1) if len(starts) > 1 else None
    return Loop(restarts, window, every, tuple(exits))


@dataclass(frozen=True)
class Probe:
    start: float | None
    exit_code: int | None
    output: str  # one line, cleaned


@dataclass(frozen=True)
class Health:
    status: str  # healthy | unhealthy | starting | "" (no health check)
    test: str
    interval: float | None  # seconds
    timeout: float | None
    retries: int | None
    streak: int
    probes: tuple[Probe, ...] = field(default_factory=tuple)

    @property
    def last_failure(self) -> Probe | None:
        return next((p for p in reversed(self.probes) if p.exit_code != 0), None)


def _ns(v: Any) -> float | None:
    return v / 1e9 if isinstance(v, (int, float)) and v > 0 else None


def health(info: Row) -> Health | None:
    """The health check (command, interval, retries) and its last probes; None without one."""
    st = info.get("State") or {}
    h = st.get("Health") or {}
    hc = (info.get("Config") or {}).get("Healthcheck") or {}
    test = hc.get("Test") or []
    if not h and (not test or test == ["NONE"]):
        return None
    if isinstance(test, list):
        if test and test[0] == "CMD-SHELL":
            cmd = " ".join(str(t) for t in test[1:])
        elif test and test[0] == "CMD":
            cmd = " ".join(str(t) for t in test[1:])
        else:
            cmd = " ".join(str(t) for t in test)
    else:
        cmd = str(test)
    probes = tuple(Probe(when(p.get("Start")), p.get("ExitCode"), one_line(str(p.get("Output") or ""), 300))
                   for p in (h.get("Log") or []) if isinstance(p, Mapping))
    retries = hc.get("Retries")
    return Health(str(h.get("Status") or ""), one_line(cmd, 300), _ns(hc.get("Interval")) or (30.0 if test else None),
                  _ns(hc.get("Timeout")), retries if isinstance(retries, int) and retries > 0 else (3 if test else None),
                  int(h.get("FailingStreak") or 0), probes)


def memory(info: Row, samples: Sequence[Any] = ()) -> tuple[int, int | None, int | None]:
    """(limit in bytes or 0, last memory used dockui saw, the peak it saw) from the samples."""
    limit = int((info.get("HostConfig") or {}).get("Memory") or 0)
    if not samples:
        return limit, None, None
    return limit, int(samples[-1].mem), max(int(s.mem) for s in samples)


def _state(info: Row) -> Mapping[str, Any]:
    return info.get("State") or {}


def verdict(info: Row, events: Sequence[Row] = (), samples: Sequence[Any] = (), now: float | None = None) -> str:
    """The one-line reason (the REASON column): "OOM killed, limit 64 MiB", "exit 1, 7 restarts in 10 min",
    "unhealthy: probe exit 1: connection refused", "dead: <engine error>"."""
    import time

    now = time.time() if now is None else now
    st = _state(info)
    status = str(st.get("Status") or "")
    code = st.get("ExitCode")
    err = one_line(str(st.get("Error") or ""), 120)
    if status == "removing":
        return "being removed"
    if status == "dead" or st.get("Dead"):
        return f"dead: {err}" if err else "dead"
    loop = restart_loop(events, now, int(info.get("RestartCount") or 0), bool(st.get("Restarting")))
    if oom_killed(info, events):
        limit = memory(info)[0]
        base = f"OOM killed, limit {size(limit)}" if limit else "OOM killed (no memory limit)"
        return base + (f", {loop.restarts} restarts in {int(round(loop.window / 60))} min" if loop and loop.window else "")
    if loop is not None:
        codes = list(dict.fromkeys(loop.exits))
        lead = f"exit {codes[-1]}" if codes else (f"exit {code}" if code else "restarting")
        if loop.window:
            return f"{lead}, {loop.restarts} restarts in {int(round(loop.window / 60))} min"
        return f"{lead}, {loop.restarts} restarts"
    h = health(info)
    if h is not None and h.status == "unhealthy" and status == "running":  # a stopped one keeps its last health
        p = h.last_failure
        if p is None:
            return "unhealthy"
        out = f": {p.output}" if p.output else ""
        return one_line(f"unhealthy: probe exit {p.exit_code}{out}", 160)
    if status == "running":
        if h is not None and h.status:
            return f"running, {h.status}"
        return "running"
    if status in ("created", "paused"):
        return status
    if status == "restarting":
        return f"restarting, exit {code}" + (f" ({err})" if err else "")
    if code is None:
        return status or "unknown"
    if code == 0:
        return "exited normally (0)"
    if 128 < code <= 128 + 64:
        who = signal_source(events, code)
        sig = signal_name(code - 128)
        if who.startswith("someone ran stop"):
            if "then SIGKILL" in who:
                return f"stopped: SIGTERM, then SIGKILL after the timeout (exit {code})"
            return f"SIGTERM by a stop (exit {code})"
        if who.startswith("someone ran kill"):
            return f"killed: {sig} by a kill (exit {code})"
        return f"exit {code}: {sig}"
    if code in (125, 126, 127):
        words = {125: "the engine could not run it", 126: "command not executable", 127: "command not found"}[code]
        return f"exit {code}: {words}" + (f": {err}" if err else "")
    return f"exit {code}: application error" if 0 < code < 125 else f"exit {code}"


__all__ = ["Health", "Loop", "Probe", "container_events", "explain_exit", "health", "last_run", "memory", "oom_killed",
           "restart_loop",
           "signal_name", "signal_source", "size", "verdict", "when"]
