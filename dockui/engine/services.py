"""Service and task calls (docker-py's ``ServiceApiMixin``): create, inspect, update, remove and
list services, their logs, and tasks; plus dockui's own service actions (force update, scale,
rollback), which post a whole spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .apicalls import body, need, q
from .base import BaseClient, CancellableStream, decode_frames, mutating
from .errors import DockerException
from .types.services import ServiceMode, convert_service_networks
from .utils import check_resource, convert_filters, minimum_version


def check_service_features(client: BaseClient, task_template: dict | None, update_config: dict | None,
                           endpoint_spec: dict | None, rollback_config: dict | None) -> None:
    """Raise ``InvalidVersion`` for a setting the negotiated API version does not know (as docker-py does)."""
    if update_config is not None:
        if "MaxFailureRatio" in update_config:
            need(client, "1.25", "UpdateConfig.max_failure_ratio")
        if "Monitor" in update_config:
            need(client, "1.25", "UpdateConfig.monitor")
        if update_config.get("FailureAction") == "rollback":
            need(client, "1.28", "UpdateConfig.failure_action rollback")
        if "Order" in update_config:
            need(client, "1.29", "UpdateConfig.order")
    if rollback_config is not None:
        need(client, "1.28", "rollback_config")
        if "Order" in rollback_config:
            need(client, "1.29", "RollbackConfig.order")
    if endpoint_spec is not None and any(p.get("PublishMode") for p in endpoint_spec.get("Ports") or []):
        need(client, "1.32", "EndpointSpec.Ports[].mode")
    if task_template is None:
        return
    if "ForceUpdate" in task_template:
        need(client, "1.25", "force_update")
    placement = task_template.get("Placement") or {}
    if placement.get("Platforms"):
        need(client, "1.30", "Placement.platforms")
    if placement.get("Preferences"):
        need(client, "1.27", "Placement.preferences")
    spec = task_template.get("ContainerSpec") or {}
    if spec.get("TTY"):
        need(client, "1.25", "ContainerSpec.tty")
    for key, minimum in (("Hostname", "1.25"), ("Hosts", "1.25"), ("Groups", "1.25"), ("DNSConfig", "1.25"),
                         ("Healthcheck", "1.25"), ("ReadOnly", "1.28"), ("StopSignal", "1.28"), ("Configs", "1.30"),
                         ("Privileges", "1.30"), ("Isolation", "1.35"), ("Init", "1.38")):
        if spec.get(key) is not None:
            need(client, minimum, f"ContainerSpec.{key.lower()}")
    if (task_template.get("Resources") or {}).get("GenericResources"):
        need(client, "1.32", "Resources.generic_resources")


def merge_task_template(current: dict, override: dict | None) -> dict:
    """The current task template with ``override``'s non-None fields laid over it (container spec field by field)."""
    merged = dict(current)
    for key, value in (override or {}).items():
        if key == "ContainerSpec":
            spec = dict(merged.get("ContainerSpec") or {})
            spec.update({k: v for k, v in value.items() if v is not None})
            merged["ContainerSpec"] = spec
        elif value is not None:
            merged[key] = value
    return merged


def _payloads(frames: Iterator[tuple[int, bytes]]) -> Iterator[bytes]:
    for _stream, data in frames:
        if data:
            yield data


def _raw(chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield chunk


class ServiceMixin(BaseClient):
    @mutating
    @minimum_version("1.24")
    def create_service(self, task_template: dict, name: str | None = None, labels: dict | None = None,
                       mode: dict | str | None = None, update_config: dict | None = None, networks: list | None = None,
                       endpoint_config: dict | None = None, endpoint_spec: dict | None = None,
                       rollback_config: dict | None = None) -> dict:
        """Create a service from a ``TaskTemplate``; returns ``{"ID": ..., "Warnings": ...}``.

        ``mode`` is a ``ServiceMode`` or its name; ``networks`` names or ``NetworkAttachmentConfig``s;
        ``endpoint_config`` is accepted and ignored, as in docker-py (use ``endpoint_spec``)."""
        check_service_features(self, task_template, update_config, endpoint_spec, rollback_config)
        if (task_template.get("ContainerSpec") or {}).get("Image") is None:
            raise DockerException("Missing mandatory Image key in ContainerSpec")
        if mode and not isinstance(mode, dict):
            mode = ServiceMode(mode)
        if not self.version_at_least("1.25"):
            networks = networks or task_template.pop("Networks", None)
        data: dict[str, Any] = {"Name": name, "Labels": labels, "TaskTemplate": task_template, "Mode": mode,
                                "Networks": convert_service_networks(networks), "EndpointSpec": endpoint_spec}
        if update_config is not None:
            data["UpdateConfig"] = update_config
        if rollback_config is not None:
            data["RollbackConfig"] = rollback_config
        return self._post("/services/create", body(data))

    @minimum_version("1.24")
    @check_resource("service")
    def inspect_service(self, service: str, insert_defaults: bool | None = None) -> dict:
        params: dict[str, Any] = {}
        if insert_defaults is not None:
            need(self, "1.29", "insert_defaults")
            params["insertDefaults"] = insert_defaults
        return self._get(f"/services/{q(service)}", **params)

    @minimum_version("1.24")
    @check_resource("task")
    def inspect_task(self, task: str) -> dict:
        return self._get(f"/tasks/{q(task)}")

    @mutating
    @minimum_version("1.24")
    @check_resource("service")
    def remove_service(self, service: str) -> bool:
        self._delete(f"/services/{q(service)}")
        return True

    @minimum_version("1.24")
    def services(self, filters: dict | None = None, status: bool | None = None) -> list[dict]:
        """The swarm's services; ``status=True`` (API 1.41) adds running/desired task counts."""
        params: dict[str, Any] = {"filters": convert_filters(filters) if filters else None}
        if status is not None:
            need(self, "1.41", "status")
            params["status"] = status
        return self._get("/services", **params) or []

    @minimum_version("1.25")
    @check_resource("service")
    def service_logs(self, service: str, details: bool = False, follow: bool = False, stdout: bool = False,
                     stderr: bool = False, since: int | float = 0, timestamps: bool = False, tail: int | str = "all",
                     is_tty: bool | None = None, *, frames: bool = False) -> CancellableStream:
        """The logs of a service's tasks as an iterator of byte chunks (``close()`` ends it from any thread).

        As in docker-py, ask for ``stdout`` and/or ``stderr``. ``is_tty=None`` asks the service
        whether its containers have a TTY (raw stream) or not (framed). dockui's own extension:
        ``frames=True`` yields ``(stream, bytes)`` pairs (1 stdout, 2 stderr) instead."""
        params = {"details": details, "follow": follow, "stdout": stdout, "stderr": stderr, "since": since,
                  "timestamps": timestamps, "tail": tail}
        if is_tty is None:
            spec = self.inspect_service(service)["Spec"]["TaskTemplate"]["ContainerSpec"]
            is_tty = bool(spec.get("TTY", False))
        resp = self._open("GET", f"/services/{q(service)}/logs", params)
        if is_tty:
            decode = (lambda chunks: ((1, c) for c in _raw(chunks))) if frames else _raw
        else:
            decode = decode_frames if frames else (lambda chunks: _payloads(decode_frames(chunks)))
        return CancellableStream(resp, decode)

    @minimum_version("1.24")
    def tasks(self, filters: dict | None = None) -> list[dict]:
        """The swarm's tasks; ``filters``: ``id``, ``name``, ``service``, ``node``, ``label``, ``desired-state``."""
        return self._get("/tasks", filters=convert_filters(filters) if filters else None) or []

    @mutating
    @minimum_version("1.24")
    @check_resource("service")
    def update_service(self, service: str, version: int, task_template: dict | None = None, name: str | None = None,
                       labels: dict | None = None, mode: dict | str | None = None, update_config: dict | None = None,
                       networks: list | None = None, endpoint_config: dict | None = None,
                       endpoint_spec: dict | None = None, fetch_current_spec: bool = False,
                       rollback_config: dict | None = None) -> dict:
        """Update a service at ``version``. Every argument left None is sent as the current spec has it
        when ``fetch_current_spec`` is true, and left out otherwise (docker-py's behaviour)."""
        check_service_features(self, task_template, update_config, endpoint_spec, rollback_config)
        current: dict[str, Any] = {}
        if fetch_current_spec:
            defaults = True if self.version_at_least("1.29") else None
            current = self.inspect_service(service, insert_defaults=defaults)["Spec"]
        data: dict[str, Any] = {
            "Name": current.get("Name") if name is None else name,
            "Labels": current.get("Labels") if labels is None else labels,
        }
        if mode is not None:
            data["Mode"] = mode if isinstance(mode, dict) else ServiceMode(mode)
        else:
            data["Mode"] = current.get("Mode")
        data["TaskTemplate"] = merge_task_template(current.get("TaskTemplate", {}), task_template)
        data["UpdateConfig"] = update_config if update_config is not None else current.get("UpdateConfig")
        data["RollbackConfig"] = rollback_config if rollback_config is not None else current.get("RollbackConfig")
        old_api = not self.version_at_least("1.25")
        if networks is not None:
            converted = convert_service_networks(networks)
            if old_api:
                data["Networks"] = converted
            else:
                data["TaskTemplate"]["Networks"] = converted
        elif old_api:
            data["Networks"] = current.get("Networks")
        elif data["TaskTemplate"].get("Networks") is None:
            nets = current.get("TaskTemplate", {}).get("Networks")
            if nets is None:
                nets = current.get("Networks")
            if nets is not None:
                data["TaskTemplate"]["Networks"] = nets
        data["EndpointSpec"] = endpoint_spec if endpoint_spec is not None else current.get("EndpointSpec")
        return self._post(f"/services/{q(service)}/update", body(data), params={"version": version})

    # --- dockui's own calls: a whole spec posted as it is -----------------------------------
    @mutating
    def create_service_from_spec(self, spec: dict) -> dict:
        """Create a service from a whole ``ServiceSpec`` dict (``Name``, ``TaskTemplate``, ``Mode``, ...)."""
        return self._post("/services/create", spec)

    @mutating
    def update_service_spec(self, service: str, version: int, spec: dict, rollback: bool = False) -> dict:
        """Replace a service's whole spec at ``version`` (``rollback``: go back to the previous spec)."""
        if isinstance(service, dict):
            service = service.get("ID", service.get("Id"))
        params: dict[str, Any] = {"version": version}
        if rollback:
            params["rollback"] = "previous"
        return self._post(f"/services/{q(service)}/update", spec, params)

    @mutating
    def force_update_service(self, service: str) -> dict:
        """What ``docker service update --force`` does: bump ForceUpdate so every task is replaced."""
        cur = self.inspect_service(service)
        spec = cur["Spec"]
        tt = spec.setdefault("TaskTemplate", {})
        tt["ForceUpdate"] = int(tt.get("ForceUpdate", 0)) + 1
        return self.update_service_spec(cur["ID"], cur["Version"]["Index"], spec)

    @mutating
    def scale_service(self, service: str, replicas: int) -> dict:
        cur = self.inspect_service(service)
        spec = cur["Spec"]
        mode = spec.get("Mode", {})
        if "Replicated" not in mode:
            raise ValueError("only replicated services can be scaled")
        mode["Replicated"]["Replicas"] = int(replicas)
        return self.update_service_spec(cur["ID"], cur["Version"]["Index"], spec)

    @mutating
    def rollback_service(self, service: str) -> dict:
        cur = self.inspect_service(service)
        return self.update_service_spec(cur["ID"], cur["Version"]["Index"], cur["Spec"], rollback=True)


__all__ = ["ServiceMixin", "check_service_features", "merge_task_template"]
