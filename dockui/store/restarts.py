"""Restarts and exits at a glance: per container, how many times it restarted, when it last did,
and its last exit code, for the RESTARTS and EXIT columns.

Counted from the store's ``/events`` for every container (so a restart loop shows without a
keypress): a ``start`` that follows a ``die`` with no ``stop`` between is the engine restarting it
(a restart policy, or a kill of a container that always restarts), and a ``restart`` event is
``docker restart`` (its own ``die``/``stop``/``start`` come first and are not counted again).
``die`` carries the exit code. For the rows on screen the stats hub reads ``inspect`` once
(``RestartCount``, ``StartedAt``, the exit code of a stopped container), which brings what
happened before dockui started; the events seen after that add to it.

The watcher thread writes (``feed``), the sampler thread seeds, the UI thread reads (``get``):
each write replaces one immutable ``RestartInfo`` in a dict, so readers never lock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..format import timestamp

# Linux signal numbers (containers are Linux processes): an exit code 128+N names signal N
SIGNALS = {1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL", 10: "USR1",
           11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT", 19: "STOP",
           20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF", 28: "WINCH",
           29: "IO", 30: "PWR", 31: "SYS"}


def exit_text(code: int | None) -> str:
    """``137 KILL`` for a process ended by a signal (128+N), else the code; "" when unknown."""
    if code is None:
        return ""
    sig = SIGNALS.get(code - 128) if code > 128 else None
    return f"{code} {sig}" if sig else str(code)


@dataclass(frozen=True, slots=True)
class RestartInfo:
    events: int = 0  # restarts seen in the event stream
    last: float | None = None  # unix time of the last restart (event, or StartedAt of a restarted one)
    exit_code: int | None = None  # from the last ``die`` (or a stopped container's inspect)
    exit_at: float | None = None
    seed: int | None = None  # RestartCount read by inspect
    seed_events: int = 0  # ``events`` when it was read: those after it add to the seed
    last_action: str = ""
    t_ns: int = 0  # timeNano of the last event fed: a reconnect's replay (``since=``) is not counted twice

    @property
    def count(self) -> int:
        if self.seed is None:
            return self.events
        return self.seed + max(0, self.events - self.seed_events)


_NONE = RestartInfo()


def _event_time(e: Mapping[str, Any]) -> float | None:
    t = e.get("timeNano")
    if isinstance(t, (int, float)) and t > 0:
        return t / 1e9
    t = e.get("time")
    return float(t) if isinstance(t, (int, float)) and t > 0 else None


class RestartBook:
    """RestartInfo per container id."""

    def __init__(self) -> None:
        self._info: dict[str, RestartInfo] = {}
        self._lock = threading.Lock()  # writers only (watcher and sampler threads)
        self.version = 0  # bumped on every change: a screen can tell its cells are stale

    def get(self, cid: str) -> RestartInfo:
        return self._info.get(cid, _NONE)

    def seeded(self, cid: str) -> bool:
        return self._info.get(cid, _NONE).seed is not None

    def feed(self, action: str, cid: str, e: Mapping[str, Any]) -> bool:
        """One container event (``action`` without its ``: suffix``); True when it changed something."""
        if action not in ("start", "die", "stop", "restart", "destroy"):
            return False
        with self._lock:
            if action == "destroy":
                return self._info.pop(cid, None) is not None
            old = self._info.get(cid, _NONE)
            t = _event_time(e)
            ns = e.get("timeNano")
            ns = ns if isinstance(ns, int) and ns > 0 else 0
            if ns and ns <= old.t_ns:
                return False  # seen already (replayed after a reconnect)
            new = replace(old, last_action=action, t_ns=ns or old.t_ns)
            if action == "die":
                attrs = e.get("Actor", {}).get("Attributes") if isinstance(e.get("Actor"), dict) else None
                code = (attrs or {}).get("exitCode")
                try:
                    new = replace(new, exit_code=int(code), exit_at=t)
                except (TypeError, ValueError):
                    pass
            elif (action == "start" and old.last_action == "die") or action == "restart":
                new = replace(new, events=old.events + 1, last=t if t is not None else old.last)
            self._info[cid] = new
            self.version += 1
            return True

    def seed(self, cid: str, doc: Mapping[str, Any]) -> None:
        """What ``inspect`` says: the engine's RestartCount (policy restarts since the last manual
        start), when the container last started, and a stopped container's exit code."""
        state = doc.get("State") or {}
        try:
            count = int(doc.get("RestartCount") or 0)
        except (TypeError, ValueError):
            count = 0
        with self._lock:
            old = self._info.get(cid, _NONE)
            new = replace(old, seed=count, seed_events=old.events)
            started = timestamp(state.get("StartedAt")) if state.get("StartedAt") else None
            if count and started and (old.last is None or started > old.last):
                new = replace(new, last=started)
            if not state.get("Running") and not state.get("Restarting") and old.exit_code is None:
                try:
                    code = int(state.get("ExitCode"))
                except (TypeError, ValueError):
                    code = None
                finished = timestamp(state.get("FinishedAt")) if state.get("FinishedAt") else None
                if code is not None and finished:  # a created, never started container has no exit
                    new = replace(new, exit_code=code, exit_at=finished)
            self._info[cid] = new
            self.version += 1


__all__ = ["RestartBook", "RestartInfo", "SIGNALS", "exit_text"]
