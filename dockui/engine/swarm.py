"""Swarm and node calls (docker-py's ``SwarmApiMixin``): init, join, leave, inspect, update and
unlock a swarm; list, inspect, update and remove nodes. Services and tasks are in ``services.py``
(``ServiceMixin`` is re-exported here for old imports)."""

from __future__ import annotations

from typing import Any

from .apicalls import body, need, q
from .base import BaseClient, mutating
from .errors import APIError, InvalidArgument
from .services import ServiceMixin
from .types.swarm import SwarmSpec
from .utils import check_resource, convert_filters, minimum_version

DEFAULT_SWARM_ADDR_POOL = ["10.0.0.0/8"]
DEFAULT_SWARM_SUBNET_SIZE = 24


class SwarmMixin(BaseClient):
    def create_swarm_spec(self, *args: Any, **kwargs: Any) -> SwarmSpec:
        """A ``SwarmSpec`` checked against this client's API version (``external_ca`` = one external CA)."""
        external_ca = kwargs.pop("external_ca", None)
        if external_ca:
            kwargs["external_cas"] = [external_ca]
        return SwarmSpec(self.api_version, *args, **kwargs)

    @minimum_version("1.24")
    def get_unlock_key(self) -> dict:
        """``{"UnlockKey": ...}`` of an autolocked swarm (empty when autolock is off)."""
        return self._get("/swarm/unlockkey")

    @mutating
    @minimum_version("1.24")
    def init_swarm(self, advertise_addr: str | None = None, listen_addr: str = "0.0.0.0:2377",
                   force_new_cluster: bool = False, swarm_spec: dict | None = None,
                   default_addr_pool: list | None = None, subnet_size: int | None = None,
                   data_path_addr: str | None = None, data_path_port: int | None = None) -> str:
        """Make this engine the first manager of a new swarm; returns the new node's id."""
        if swarm_spec is not None and not isinstance(swarm_spec, dict):
            raise TypeError("swarm_spec must be a dictionary")
        if default_addr_pool is not None:
            need(self, "1.39", "default_addr_pool")
            if subnet_size is None:
                subnet_size = DEFAULT_SWARM_SUBNET_SIZE
        if subnet_size is not None:
            need(self, "1.39", "subnet_size")
            if default_addr_pool is None:
                default_addr_pool = DEFAULT_SWARM_ADDR_POOL
        data: dict[str, Any] = {"AdvertiseAddr": advertise_addr, "ListenAddr": listen_addr,
                                "DefaultAddrPool": default_addr_pool, "SubnetSize": subnet_size,
                                "ForceNewCluster": force_new_cluster, "Spec": swarm_spec}
        if data_path_addr is not None:
            need(self, "1.30", "data_path_addr")
            data["DataPathAddr"] = data_path_addr
        if data_path_port is not None:
            need(self, "1.40", "data_path_port")
            data["DataPathPort"] = data_path_port
        return self._post("/swarm/init", body(data))

    @minimum_version("1.24")
    def inspect_swarm(self) -> dict:
        return self._get("/swarm")

    @check_resource("node_id")
    @minimum_version("1.24")
    def inspect_node(self, node_id: str) -> dict:
        return self._get(f"/nodes/{q(node_id)}")

    @mutating
    @minimum_version("1.24")
    def join_swarm(self, remote_addrs: list[str], join_token: str, listen_addr: str = "0.0.0.0:2377",
                   advertise_addr: str | None = None, data_path_addr: str | None = None) -> bool:
        """Join the swarm that the managers at ``remote_addrs`` run, as a worker or a manager (by token)."""
        data: dict[str, Any] = {"RemoteAddrs": remote_addrs, "ListenAddr": listen_addr, "JoinToken": join_token,
                                "AdvertiseAddr": advertise_addr}
        if data_path_addr is not None:
            need(self, "1.30", "data_path_addr")
            data["DataPathAddr"] = data_path_addr
        self._post("/swarm/join", body(data))
        return True

    @mutating
    @minimum_version("1.24")
    def leave_swarm(self, force: bool = False) -> bool:
        """Leave the swarm; with ``force`` a node outside any swarm is not an error (and a last manager may leave)."""
        try:
            self._post("/swarm/leave", params={"force": force})
        except APIError as exc:
            if force and _status(exc) in (406, 503):
                return True
            raise
        return True

    @minimum_version("1.24")
    def nodes(self, filters: dict | None = None) -> list[dict]:
        """The swarm's nodes; ``filters``: ``id``, ``label``, ``membership``, ``name``, ``role``."""
        return self._get("/nodes", filters=convert_filters(filters) if filters else None) or []

    @mutating
    @check_resource("node_id")
    @minimum_version("1.24")
    def remove_node(self, node_id: str, force: bool = False) -> bool:
        self._delete(f"/nodes/{q(node_id)}", force=force)
        return True

    @mutating
    @minimum_version("1.24")
    def unlock_swarm(self, key: str | dict) -> bool:
        """Unlock a locked manager with its unlock key (a string or ``{"UnlockKey": ...}``)."""
        if isinstance(key, dict):
            if "UnlockKey" not in key:
                raise InvalidArgument("Invalid unlock key format")
        else:
            key = {"UnlockKey": key}
        self._post("/swarm/unlock", body(key))
        return True

    @mutating
    @minimum_version("1.24")
    def update_node(self, node_id: str, version: int, node_spec: dict | None = None) -> bool:
        """Replace a node's spec (``Role``, ``Availability``, ``Labels``, ``Name``) at ``version``."""
        if isinstance(node_id, dict):
            node_id = node_id.get("ID", node_id.get("Id"))
        self._post(f"/nodes/{q(node_id)}/update", node_spec if node_spec is not None else {},
                   params={"version": str(version)})
        return True

    @mutating
    @minimum_version("1.24")
    def update_swarm(self, version: int, swarm_spec: dict | None = None, rotate_worker_token: bool = False,
                     rotate_manager_token: bool = False, rotate_manager_unlock_key: bool = False) -> bool:
        """Replace the swarm's spec at ``version``, rotating join tokens or the unlock key if asked."""
        params: dict[str, Any] = {"rotateWorkerToken": rotate_worker_token,
                                  "rotateManagerToken": rotate_manager_token, "version": version}
        if rotate_manager_unlock_key:
            need(self, "1.25", "rotate_manager_unlock_key")
            params["rotateManagerUnlockKey"] = rotate_manager_unlock_key
        self._post("/swarm/update", swarm_spec if swarm_spec is not None else {}, params=params)
        return True


def _status(exc: APIError) -> int | None:
    return getattr(exc, "status_code", None) or getattr(exc, "status", None)


__all__ = ["SwarmMixin", "ServiceMixin"]
