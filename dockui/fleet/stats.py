"""FleetStats: the stats of a fleet, with the StatsHub interface the screens and the header read.

Two sources, as for one engine: live streams for the rows on screen (one hub keyed by fleet row id
``engine/id``, its requests routed to the row's engine by the FleetClient), and, per engine, a
hub whose sampler reads every other running container of that engine with one-shot stats (the
sampler talks to one endpoint, so each engine has its own: a dropped or stalled engine ends only
its own rounds). A reader gets the newer of the two samples. Cells that ask by a row's raw
``Id`` are mapped to the fleet id through the containers snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..store import StatsHub


class FleetStats:
    def __init__(self, fleet: Any, on_sample: Callable[[str], None] | None = None) -> None:
        self.fleet = fleet
        self.hub = StatsHub(fleet.client.clone(), on_sample=on_sample)  # streams of the rows on screen
        self.engines: dict[str, StatsHub] = {}
        self._raw: dict[str, str] = {}
        for m in fleet.live:
            h = StatsHub(m.client.clone(), on_sample=on_sample, store=m.store)
            h.streaming = self._streamed_on(m.name)  # type: ignore[method-assign]  # the sampler skips those
            self.engines[m.name] = h

    # --- ids ----------------------------------------------------------------------------------
    def _rid(self, cid: str) -> str:
        """The fleet id of a raw container id (a cell asks by ``row["Id"]``, twice a row per paint):
        from the last containers snapshot's index, read again only for an id it does not hold (a
        container never changes engine, so an older index is never wrong)."""
        if "/" in cid:
            return cid
        rid = self._raw.get(cid)
        if rid is None:
            self._raw = self.fleet.snapshot("containers").raw
            rid = self._raw.get(cid, cid)
        return rid

    def _streamed_on(self, name: str) -> Callable[[], set[str]]:
        pre = name + "/"
        return lambda: {rid[len(pre):] for rid in self.hub.streaming() if rid.startswith(pre)}

    def _both(self, cid: str) -> tuple[str, StatsHub | None, str]:
        rid = self._rid(cid)
        name, _, raw = rid.partition("/")
        return rid, self.engines.get(name), raw

    def _newer(self, cid: str) -> tuple[StatsHub | None, str]:
        """The hub (and the id it knows) holding the newer sample of ``cid``."""
        rid, eng, raw = self._both(cid)
        a = self.hub.latest(rid)
        b = eng.latest(raw) if eng is not None else None
        if b is not None and (a is None or b.t > a.t):
            return eng, raw
        return self.hub, rid

    # --- reading ------------------------------------------------------------------------------
    def latest(self, cid: str) -> Any:
        hub, key = self._newer(cid)
        return hub.latest(key) if hub is not None else None

    def history(self, cid: str) -> list[Any]:
        hub, key = self._newer(cid)
        return hub.history(key) if hub is not None else []

    def recent(self, cid: str, n: int) -> list[Any]:
        hub, key = self._newer(cid)
        return hub.recent(key, n) if hub is not None else []

    def active(self) -> set[str]:
        out = set(self.hub.active())
        for name, h in self.engines.items():
            out.update(f"{name}/{raw}" for raw in h.active())
        return out

    def streaming(self) -> set[str]:
        return self.hub.streaming()

    def running_ids(self) -> list[str]:
        return [rid for rid, c in self.fleet.snapshot("containers").items() if c.get("State") == "running"]

    def latest_of(self, ids: Iterable[str]) -> dict[str, Any]:
        return {cid: s for cid in ids if (s := self.latest(cid)) is not None}

    def totals(self, ids: Iterable[str] | None = None, max_age: float = 0.0) -> tuple[float, int, int]:
        """Summed over every engine's running containers (worked out each time: ``max_age`` is the hub's)."""
        got = self.latest_of(self.running_ids() if ids is None else ids)
        return sum(s.cpu for s in got.values()), sum(s.mem for s in got.values()), len(got)

    # --- asking -------------------------------------------------------------------------------
    def want(self, ids: Iterable[str], running: Iterable[str] | None = None) -> None:
        ids = [self._rid(i) for i in ids]
        self.hub.want(ids, running=running)
        per: dict[str, list[str]] = {}
        for rid in ids:
            name, _, raw = rid.partition("/")
            per.setdefault(name, []).append(raw)
        for name, raws in per.items():  # the rows on screen: their restart facts, once (RESTARTS)
            sampler = getattr(self.engines.get(name), "sampler", None)
            if sampler is not None:
                sampler.inspect(raws)

    def start(self) -> None:
        for h in self.engines.values():
            h.start()

    def forget(self, cid: str) -> None:
        rid, eng, raw = self._both(cid)
        self.hub.forget(rid)
        if eng is not None:
            eng.forget(raw)

    def close(self) -> None:
        self.hub.close()
        for h in self.engines.values():
            h.close()

    def __getattr__(self, attr: str) -> Any:  # anything else the stream hub has
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.hub, attr)

