"""Network calls (docker-py's ``NetworkApiMixin``): list, create, inspect, remove, prune, connect
and disconnect containers. Networks and containers may be given by id, name or the dict the engine
returned. (Volumes live in ``volumes.py``; ``VolumeMixin`` is re-exported here for old imports.)"""

from __future__ import annotations

from typing import Any

from .apicalls import body, need, q
from .base import BaseClient, mutating
from .types.networks import EndpointConfig
from .utils import check_resource, convert_filters, minimum_version
from .volumes import VolumeMixin


class NetworkMixin(BaseClient):
    def networks(self, names: list | None = None, ids: list | None = None, filters: dict | None = None) -> list[dict]:
        """Every network, or those matching ``names``, ``ids`` and ``filters`` (``driver``, ``label``, ``type``...)."""
        filters = dict(filters or {})
        if names:
            filters["name"] = names
        if ids:
            filters["id"] = ids
        return self._get("/networks", filters=convert_filters(filters)) or []

    @mutating
    def create_network(self, name: str, driver: str | None = None, options: dict | None = None, ipam: dict | None = None,
                       check_duplicate: bool | None = None, internal: bool = False, labels: dict | None = None,
                       enable_ipv6: bool = False, attachable: bool | None = None, scope: str | None = None,
                       ingress: bool | None = None) -> dict:
        """Create a network; returns ``{"Id": ..., "Warning": ...}``. ``ipam`` is an ``IPAMConfig``."""
        if options is not None and not isinstance(options, dict):
            raise TypeError("options must be a dictionary")
        data: dict[str, Any] = {"Name": name, "Driver": driver, "Options": options, "IPAM": ipam,
                                "CheckDuplicate": check_duplicate}
        if labels is not None:
            need(self, "1.23", "network labels")
            if not isinstance(labels, dict):
                raise TypeError("labels must be a dictionary")
            data["Labels"] = labels
        if enable_ipv6:
            need(self, "1.23", "enable_ipv6")
            data["EnableIPv6"] = True
        if internal:
            need(self, "1.22", "internal networks")
            data["Internal"] = True
        if attachable is not None:
            need(self, "1.24", "attachable")
            data["Attachable"] = attachable
        if ingress is not None:
            need(self, "1.29", "ingress")
            data["Ingress"] = ingress
        if scope is not None:
            need(self, "1.30", "scope")
            data["Scope"] = scope
        return self._post("/networks/create", body(data))

    @mutating
    @minimum_version("1.25")
    def prune_networks(self, filters: dict | None = None) -> dict:
        """Remove unused networks; returns ``{"NetworksDeleted": [...]}``."""
        return self._post("/networks/prune", params={"filters": convert_filters(filters)} if filters else None)

    @mutating
    @check_resource("net_id")
    def remove_network(self, net_id: str) -> None:
        self._delete(f"/networks/{q(net_id)}")

    @check_resource("net_id")
    def inspect_network(self, net_id: str, verbose: bool | None = None, scope: str | None = None) -> dict:
        """The network's document; ``verbose`` adds swarm services, ``scope`` picks local/swarm/global."""
        params: dict[str, Any] = {}
        if verbose is not None:
            need(self, "1.28", "verbose")
            params["verbose"] = verbose
        if scope is not None:
            need(self, "1.31", "scope")
            params["scope"] = scope
        return self._get(f"/networks/{q(net_id)}", **params)

    @mutating
    @check_resource("container")
    def connect_container_to_network(self, container: str, net_id: str, ipv4_address: str | None = None,
                                     ipv6_address: str | None = None, aliases: list | None = None,
                                     links: list | dict | None = None, link_local_ips: list | None = None,
                                     driver_opt: dict | None = None, mac_address: str | None = None) -> None:
        cfg = EndpointConfig(self.api_version, aliases=aliases, links=links, ipv4_address=ipv4_address,
                             ipv6_address=ipv6_address, link_local_ips=link_local_ips, driver_opt=driver_opt,
                             mac_address=mac_address)
        self._post(f"/networks/{q(_id(net_id))}/connect", {"Container": container, "EndpointConfig": cfg})

    @mutating
    @check_resource("container")
    def disconnect_container_from_network(self, container: str, net_id: str, force: bool = False) -> None:
        data: dict[str, Any] = {"Container": container}
        if force:
            need(self, "1.22", "forced disconnect")
            data["Force"] = force
        self._post(f"/networks/{q(_id(net_id))}/disconnect", data)


def _id(value: Any) -> Any:
    """A network given as the dict ``create_network`` returned is taken by its ``Id``."""
    if isinstance(value, dict):
        return value.get("Id", value.get("ID"))
    return value


__all__ = ["NetworkMixin", "VolumeMixin"]
