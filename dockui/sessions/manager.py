"""SessionManager: the live exec/attach sessions of the app, and the one place that ends them.

Panes add their session when it starts and the session's own thread removes it when it ends, so
the set is changed from several threads: a lock guards it. Quitting or switching engines ends
every session here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any


class SessionManager:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: set[Any] = set()

    def add(self, session: Any) -> None:
        with self._lock:
            self._sessions.add(session)

    def discard(self, session: Any) -> None:
        with self._lock:
            self._sessions.discard(session)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def __iter__(self):
        with self._lock:
            return iter(list(self._sessions))

    def close_all(self, wait: float = 0.0, also: Iterable[threading.Thread] = ()) -> None:
        """End every session; with ``wait``, give their hang-ups (and the threads ``also``, other
        hang-ups already under way) that long, in total, to land."""
        with self._lock:
            sessions, self._sessions = list(self._sessions), set()
        threads = [t for t in (s.close() for s in sessions) if t is not None] + list(also)
        deadline = time.monotonic() + wait
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
