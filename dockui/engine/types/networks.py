"""Configuration types: EndpointConfig, NetworkingConfig, IPAMConfig, IPAMPool."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidVersion
from ..utils import normalize_links, version_lt

__all__ = ["EndpointConfig", "NetworkingConfig", "IPAMConfig", "IPAMPool"]


def _since(version: str, needed: str, what: str) -> None:
    if version_lt(version, needed):
        raise InvalidVersion(f"{what} is not supported for API version < {needed}")


class EndpointConfig(dict):
    """How a container joins one network: aliases, links, fixed IPv4/IPv6 addresses, link-local
    addresses, driver options and a MAC address (checked against the API ``version``)."""

    def __init__(self, version: str, aliases: list[str] | None = None, links: Any = None,
                 ipv4_address: str | None = None, ipv6_address: str | None = None,
                 link_local_ips: list[str] | None = None, driver_opt: dict | None = None,
                 mac_address: str | None = None) -> None:
        super().__init__()
        _since(version, "1.22", "Endpoint config")
        if aliases:
            self["Aliases"] = aliases
        if links:
            self["Links"] = normalize_links(links)
        ipam: dict[str, Any] = {}
        if ipv4_address:
            ipam["IPv4Address"] = ipv4_address
        if ipv6_address:
            ipam["IPv6Address"] = ipv6_address
        if mac_address:
            _since(version, "1.25", "mac_address")
            self["MacAddress"] = mac_address
        if link_local_ips is not None:
            _since(version, "1.24", "link_local_ips")
            ipam["LinkLocalIPs"] = link_local_ips
        if ipam:
            self["IPAMConfig"] = ipam
        if driver_opt:
            _since(version, "1.32", "DriverOpts")
            if not isinstance(driver_opt, dict):
                raise TypeError("driver_opt must be a dictionary")
            self["DriverOpts"] = driver_opt


class NetworkingConfig(dict):
    """The networks a new container joins: ``{network name: EndpointConfig}``."""

    def __init__(self, endpoints_config: dict[str, Any] | None = None) -> None:
        super().__init__()
        if endpoints_config:
            self["EndpointsConfig"] = endpoints_config


class IPAMConfig(dict):
    """A network's address management: the ``driver``, its pools (``IPAMPool``) and options."""

    def __init__(self, driver: str = "default", pool_configs: list[Any] | None = None,
                 options: dict | None = None) -> None:
        super().__init__({"Driver": driver, "Config": pool_configs or []})
        if options:
            if not isinstance(options, dict):
                raise TypeError("IPAMConfig options must be a dictionary")
            self["Options"] = options


class IPAMPool(dict):
    """One address pool of a network: subnet, IP range, gateway and reserved auxiliary addresses."""

    def __init__(self, subnet: str | None = None, iprange: str | None = None, gateway: str | None = None,
                 aux_addresses: dict | None = None) -> None:
        super().__init__({"Subnet": subnet, "IPRange": iprange, "Gateway": gateway,
                          "AuxiliaryAddresses": aux_addresses})
