"""Small request helpers shared by the network, volume, swarm, service, secret, config, plugin and
daemon mixins: path quoting, JSON bodies without ``None`` fields, version checks by name, and
returning the engine's JSON (or ``True``) the way docker-py's ``APIClient`` does."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .errors import InvalidVersion


def q(value: Any) -> str:
    """One path segment from a resource id or name, quoted as docker-py quotes it (``/`` and ``:`` kept)."""
    if not isinstance(value, str):
        raise ValueError(f"Expected a string but found {value} ({type(value)}) instead")
    return quote(value, safe="/:")


def body(fields: dict[str, Any]) -> dict[str, Any]:
    """A JSON body without the fields left ``None`` (the engine wants them absent, not null)."""
    return {k: v for k, v in fields.items() if v is not None}


def vt(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in version.split("."))
    except ValueError:
        return (0,)


def need(client: Any, minimum: str, what: str) -> None:
    """Raise ``InvalidVersion`` unless the client's API version is at least ``minimum``."""
    if vt(client.api_version) < vt(minimum):
        raise InvalidVersion(f"{what} is not supported in API version < {minimum}")
