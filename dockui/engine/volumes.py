"""Volume calls (docker-py's ``VolumeApiMixin``): list, create, inspect, remove, prune."""

from __future__ import annotations

from typing import Any

from .apicalls import body, need, q
from .base import BaseClient, mutating
from .utils import convert_filters, minimum_version


def _name(value: Any) -> Any:
    """A volume given as its document is taken by its ``Name``."""
    return value.get("Name") if isinstance(value, dict) else value


class VolumeMixin(BaseClient):
    def volumes(self, filters: dict | None = None) -> dict:
        """``{"Volumes": [...], "Warnings": ...}``; ``filters``: ``dangling``, ``driver``, ``label``, ``name``."""
        return self._get("/volumes", filters=convert_filters(filters) if filters else None) or {}

    @mutating
    def create_volume(self, name: str | None = None, driver: str | None = None, driver_opts: dict | None = None,
                      labels: dict | None = None) -> dict:
        """Create a volume (a name is made up when ``name`` is None); returns its document."""
        if driver_opts is not None and not isinstance(driver_opts, dict):
            raise TypeError("driver_opts must be a dictionary")
        data: dict[str, Any] = {"Name": name, "Driver": driver, "DriverOpts": driver_opts}
        if labels is not None:
            need(self, "1.23", "volume labels")
            if not isinstance(labels, dict):
                raise TypeError("labels must be a dictionary")
            data["Labels"] = labels
        return self._post("/volumes/create", body(data))

    def inspect_volume(self, name: str) -> dict:
        """A volume by name (or the dict ``create_volume`` returned)."""
        return self._get(f"/volumes/{q(_name(name))}")

    @mutating
    @minimum_version("1.25")
    def prune_volumes(self, filters: dict | None = None) -> dict:
        """Remove unused volumes; returns ``{"VolumesDeleted": [...], "SpaceReclaimed": n}``."""
        return self._post("/volumes/prune", params={"filters": convert_filters(filters)} if filters else None)

    @mutating
    def remove_volume(self, name: str, force: bool = False) -> None:
        params: dict[str, Any] = {}
        if force:
            need(self, "1.25", "force removal")
            params["force"] = force
        self._delete(f"/volumes/{q(_name(name))}", **params)


__all__ = ["VolumeMixin"]
