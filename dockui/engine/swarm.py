"""Swarm calls: nodes, services, tasks, service logs."""

from __future__ import annotations

from typing import Any

from .base import BaseClient, CancellableStream, decode_frames, mutating
from .containers import _filters


class SwarmMixin(BaseClient):
    def inspect_swarm(self) -> dict:
        return self._get("/swarm")

    def nodes(self, filters: dict | None = None) -> list[dict]:
        return self._get("/nodes", filters=_filters(filters)) or []

    def inspect_node(self, node_id: str) -> dict:
        return self._get(f"/nodes/{node_id}")

    @mutating
    def update_node(self, node_id: str, version: int, node_spec: dict) -> None:
        self._post(f"/nodes/{node_id}/update", node_spec, params={"version": version})

    def services(self, filters: dict | None = None, status: bool = True) -> list[dict]:
        params: dict[str, Any] = {"filters": _filters(filters)}
        if status and self.version_at_least("1.41"):
            params["status"] = True
        return self._get("/services", **params) or []

    def inspect_service(self, service: str) -> dict:
        return self._get(f"/services/{service}")

    @mutating
    def create_service(self, spec: dict) -> dict:
        return self._post("/services/create", spec)

    @mutating
    def update_service(self, service: str, version: int, spec: dict, rollback: bool = False) -> dict:
        params: dict[str, Any] = {"version": version}
        if rollback:
            params["rollback"] = "previous"
        return self._post(f"/services/{service}/update", spec, params)

    @mutating
    def force_update_service(self, service: str) -> dict:
        """What ``docker service update --force`` does: bump ForceUpdate so every task is replaced."""
        cur = self.inspect_service(service)
        spec = cur["Spec"]
        tt = spec.setdefault("TaskTemplate", {})
        tt["ForceUpdate"] = int(tt.get("ForceUpdate", 0)) + 1
        return self.update_service(service, cur["Version"]["Index"], spec)

    @mutating
    def scale_service(self, service: str, replicas: int) -> dict:
        cur = self.inspect_service(service)
        spec = cur["Spec"]
        mode = spec.get("Mode", {})
        if "Replicated" not in mode:
            raise ValueError("only replicated services can be scaled")
        mode["Replicated"]["Replicas"] = int(replicas)
        return self.update_service(service, cur["Version"]["Index"], spec)

    @mutating
    def rollback_service(self, service: str) -> dict:
        cur = self.inspect_service(service)
        return self.update_service(service, cur["Version"]["Index"], cur["Spec"], rollback=True)

    @mutating
    def remove_service(self, service: str) -> None:
        self._delete(f"/services/{service}")

    def tasks(self, filters: dict | None = None) -> list[dict]:
        return self._get("/tasks", filters=_filters(filters)) or []

    def inspect_task(self, task_id: str) -> dict:
        return self._get(f"/tasks/{task_id}")

    def service_logs(
        self, service: str, timestamps: bool = False, tail: int | str = "all", follow: bool = False,
        details: bool = False, since: float | None = None,
    ) -> CancellableStream:
        params = {"stdout": True, "stderr": True, "timestamps": timestamps, "tail": tail, "follow": follow,
                  "details": details, "since": since}
        return CancellableStream(self._open("GET", f"/services/{service}/logs", params), decode_frames)
