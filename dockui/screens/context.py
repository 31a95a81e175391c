"""ViewContext: what renderers may ask beyond a row (stats, usage counts, names), derived from the store."""

from __future__ import annotations

from typing import Any

from ..ansi import one_line
from ..store import StatsHub, Store


class ViewContext:
    """Cross-kind lookups for cells, cached per store version."""

    def __init__(self, store: Store, stats: StatsHub) -> None:
        self.store = store
        self.stats = stats
        self._cache: dict[str, tuple[tuple[int, ...], Any]] = {}
        self.name_width = 60  # set by the screen from the terminal's width
        self.now: float | None = None  # the time cells count ages from, set by the screen's clock (None: now)

    def _derived(self, name: str, kinds: tuple[str, ...], build) -> Any:
        ver = tuple(self.store.version(k) for k in kinds)
        hit = self._cache.get(name)
        if hit and hit[0] == ver:
            return hit[1]
        val = build()
        self._cache[name] = (ver, val)
        return val

    def image_users(self, image_id: str) -> int:
        def build() -> dict[str, int]:
            out: dict[str, int] = {}
            for c in self.store.snapshot("containers").values():
                iid = c.get("ImageID") or ""
                out[iid] = out.get(iid, 0) + 1
            return out

        return self._derived("image_users", ("containers",), build).get(image_id, 0)

    def volume_users(self, name: str) -> int:
        def build() -> dict[str, int]:
            out: dict[str, int] = {}
            for c in self.store.snapshot("containers").values():
                for m in c.get("Mounts") or []:
                    if m.get("Type") == "volume" and m.get("Name"):
                        out[m["Name"]] = out.get(m["Name"], 0) + 1
            return out

        return self._derived("volume_users", ("containers",), build).get(name, 0)

    def node_tasks(self, node_id: str) -> int:
        def build() -> dict[str, int]:
            out: dict[str, int] = {}
            for t in self.store.snapshot("tasks").values():
                if (t.get("Status") or {}).get("State") == "running":
                    out[t.get("NodeID", "")] = out.get(t.get("NodeID", ""), 0) + 1
            return out

        return self._derived("node_tasks", ("tasks",), build).get(node_id, 0)

    def service_name(self, service_id: str) -> str:
        s = self.store.get("services", service_id)
        return one_line(str(((s or {}).get("Spec") or {}).get("Name") or service_id[:12]))

    def node_name(self, node_id: str) -> str:
        n = self.store.get("nodes", node_id)
        return one_line(str(((n or {}).get("Description") or {}).get("Hostname") or node_id[:12]))

    def task_name(self, t: Any) -> str:
        slot = t.get("Slot")
        return f"{self.service_name(t.get('ServiceID', ''))}.{slot if slot else str(t.get('NodeID', ''))[:12]}"
