"""The action runner: a kind's actions run on worker threads, owned by the app.

The screen posts ``messages.RunAction`` (after its confirm dialog or prompt); the runner calls each
action's own callable (``Action.run``) off the UI thread and reports back with messages, never
by calling into a screen. A bulk action (marked rows) is one worker that runs at most
``BULK_WORKERS`` engine calls at a time and reports progress about once a second and a summary
at the end, so keys stay answered while 50 containers restart. Presses of a ``serial`` action on
one target (``+`` ``+`` ``+`` on a service) run one after the other, each on the engine's state
the previous one left.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from textual.message import Message

from .ansi import one_line
from .kinds import Action, Kind

BULK_WORKERS = 4
PROGRESS_EVERY = 1.0  # seconds between a bulk action's progress notices

Target = tuple[str, Mapping[str, Any]]


class ActionReport(Message):
    """Runner -> app: what to tell the user (a result, a failure, a bulk action's progress)."""

    def __init__(self, text: str, severity: str = "information", timeout: float = 3.0) -> None:
        super().__init__()
        self.text = text
        self.severity = severity
        self.timeout = timeout


def _explain(exc: BaseException) -> str:
    msg = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
    return one_line(str(msg), 200)


class ActionRunner:
    """Runs actions for the app; ``post`` delivers an ``ActionReport`` (thread-safe, never blocks)."""

    def __init__(self, post: Callable[[Message], Any], start_worker: Callable[..., Any]) -> None:
        self._post = post
        self._start_worker = start_worker
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def run(self, client: Any, kind: Kind, action: Action, targets: Sequence[Target], arg: str = "y") -> None:
        if action.run is None or not targets:
            return
        names = [kind.label(row, rid) for rid, row in targets]
        if len(targets) == 1:
            self._post(ActionReport(f"{action.label} {names[0]}...", timeout=1.5))
            work = lambda: self._single(client, action, targets[0], names[0], arg)  # noqa: E731
        else:
            self._post(ActionReport(f"{action.label}: {len(targets)} {kind.name}...", timeout=2))
            work = lambda: self._bulk(client, kind, action, list(targets), names, arg)  # noqa: E731
        self._start_worker(work, thread=True, group="actions", exit_on_error=False)

    # --- worker side -----------------------------------------------------------------------
    def _lock_for(self, rid: str) -> threading.Lock:
        with self._locks_lock:
            lock = self._locks.get(rid)
            if lock is None:
                lock = self._locks[rid] = threading.Lock()
            return lock

    def _call(self, client: Any, action: Action, target: Target, arg: str) -> str | None:
        rid, row = target
        assert action.run is not None
        if action.serial:
            with self._lock_for(rid):  # one press after the other: each sees what the last one did
                return action.run(client, rid, row, arg)
        return action.run(client, rid, row, arg)

    def _single(self, client: Any, action: Action, target: Target, name: str, arg: str) -> None:
        try:
            note = self._call(client, action, target, arg)
        except Exception as exc:  # noqa: BLE001 - never a traceback on the user's screen: the engine's own words
            self._post(ActionReport(f"{action.label} {name}: {_explain(exc)}", "error", 6))
        else:
            self._post(ActionReport(f"{action.label} {name}: {one_line(note, 200)}" if note else f"{action.label}: {name}", timeout=3))

    def _bulk(self, client: Any, kind: Kind, action: Action, targets: list[Target], names: list[str], arg: str) -> None:
        total, done, failed = len(targets), 0, []
        last = time.monotonic()
        with ThreadPoolExecutor(max_workers=min(BULK_WORKERS, total), thread_name_prefix="dockui-bulk") as pool:
            futures = [(pool.submit(self._call, client, action, t, arg), n) for t, n in zip(targets, names, strict=True)]
            for fut, name in futures:
                try:
                    fut.result()
                except Exception as exc:  # noqa: BLE001 - collected and reported together
                    failed.append(f"{name}: {_explain(exc)}")
                done += 1
                now = time.monotonic()
                if now - last >= PROGRESS_EVERY and done < total:
                    last = now
                    self._post(ActionReport(f"{action.label}: {done}/{total} {kind.name}", timeout=1.5))
        if failed:
            more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
            self._post(ActionReport(f"{action.label}: {total - len(failed)} of {total} {kind.name} done; failed: "
                                    + "; ".join(failed[:3]) + more, "error", 8))
        else:
            self._post(ActionReport(f"{action.label}: {total} {kind.name} done", timeout=3))
