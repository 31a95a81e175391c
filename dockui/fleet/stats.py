"""FleetStats: the stats hub of a fleet. Streams are keyed by fleet row id (``engine/id``, routed
to that engine by the FleetClient); cells that ask by a row's raw ``Id`` are mapped back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class FleetStats:
    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self._rid: dict[str, str] = {}  # raw container id -> the fleet's row id

    def _key(self, cid: str) -> str:
        return cid if "/" in cid else self._rid.get(cid, cid)

    def latest(self, cid: str) -> Any:
        return self.hub.latest(self._key(cid))

    def history(self, cid: str) -> list[Any]:
        return self.hub.history(self._key(cid))

    def recent(self, cid: str, n: int) -> list[Any]:
        return self.hub.recent(self._key(cid), n)

    def active(self) -> set[str]:
        return self.hub.active()

    def want(self, ids: Iterable[str], running: Iterable[str] | None = None) -> None:
        ids = list(ids)
        for rid in ids:
            _, sep, raw = rid.partition("/")
            if sep:
                self._rid[raw] = rid
        self.hub.want(ids, running=running)

    def forget(self, cid: str) -> None:
        self.hub.forget(self._key(cid))

    def close(self) -> None:
        self.hub.close()

    def __getattr__(self, attr: str) -> Any:  # the hub's other readers (latest_of, totals, start...): by row id
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.hub, attr)
