"""Network and volume calls."""

from __future__ import annotations

from typing import Any

from .base import BaseClient, mutating
from .containers import _filters


class NetworkMixin(BaseClient):
    def networks(self, filters: dict | None = None) -> list[dict]:
        return self._get("/networks", filters=_filters(filters)) or []

    def inspect_network(self, net_id: str) -> dict:
        return self._get(f"/networks/{net_id}")

    @mutating
    def create_network(self, name: str, driver: str = "bridge", labels: dict | None = None, **extra: Any) -> dict:
        body = {"Name": name, "Driver": driver, "Labels": labels or {}, "CheckDuplicate": True, **extra}
        return self._post("/networks/create", body)

    @mutating
    def remove_network(self, net_id: str) -> None:
        self._delete(f"/networks/{net_id}")

    @mutating
    def connect_container_to_network(self, container: str, net_id: str) -> None:
        self._post(f"/networks/{net_id}/connect", {"Container": container})

    @mutating
    def disconnect_container_from_network(self, container: str, net_id: str, force: bool = False) -> None:
        self._post(f"/networks/{net_id}/disconnect", {"Container": container, "Force": force})

    @mutating
    def prune_networks(self, filters: dict | None = None) -> dict:
        return self._post("/networks/prune", params={"filters": _filters(filters)} if filters else None)


class VolumeMixin(BaseClient):
    def volumes(self, filters: dict | None = None) -> dict:
        return self._get("/volumes", filters=_filters(filters)) or {}

    def inspect_volume(self, name: str) -> dict:
        return self._get(f"/volumes/{name}")

    @mutating
    def create_volume(self, name: str | None = None, driver: str = "local", labels: dict | None = None) -> dict:
        body: dict[str, Any] = {"Driver": driver, "Labels": labels or {}}
        if name:
            body["Name"] = name
        return self._post("/volumes/create", body)

    @mutating
    def remove_volume(self, name: str, force: bool = False) -> None:
        self._delete(f"/volumes/{name}", force=force)

    @mutating
    def prune_volumes(self, filters: dict | None = None) -> dict:
        return self._post("/volumes/prune", params={"filters": _filters(filters)} if filters else None)
