"""Published ports (``:ports``): every host port a running container publishes, one row each,
derived from the containers' list rows (the engine has no such object); ``enter`` goes to the
container, ``/port=8080``, ``/container=web`` and ``/proto=udp`` filter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from ..ansi import one_line
from ..filters import term as filter_term
from .base import Column, Kind, Row
from .common import DESCRIBE


def published(containers: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """One row per published (host address, port, protocol) of every container."""
    out: dict[str, Mapping[str, Any]] = {}
    for cid, c in containers.items():
        for p in c.get("Ports") or ():
            if not p.get("PublicPort"):
                continue  # exposed, not published
            ip, port, proto = str(p.get("IP") or ""), int(p["PublicPort"]), str(p.get("Type") or "tcp")
            key = f"{ip}:{port}/{proto}"
            host = f"[{ip}]:{port}" if ":" in ip else f"{ip or '*'}:{port}"
            out[key] = {"Id": key, "Host": host, "IP": ip, "HostPort": port, "Proto": proto,
                        "ContainerPort": p.get("PrivatePort"), "Container": cid, "Name": str(c.get("Name") or cid[:12]),
                        "State": str(c.get("State") or "")}
    return out


def _name(r: Row) -> str:
    return one_line(str(r.get("Name") or ""), 60)


KIND = Kind(
    name="ports",
    title="Published ports",
    aliases=("port", "pt"),
    id_key="Id",
    derive=published,
    derived_from="containers",
    derive_when=lambda touched: any(c.get("Ports") for c in touched),  # only containers that publish something
    label=lambda r, rid: one_line(str(r.get("Host") or rid), 60),
    columns=(
        Column("name", "HOST", lambda r, c: one_line(str(r["Host"]), 50), lambda r, c: (r["HostPort"], r["IP"], r["Proto"])),
        Column("proto", "PROTO", lambda r, c: str(r["Proto"]), lambda r, c: r["Proto"]),
        Column("container", "CONTAINER", lambda r, c: _name(r), lambda r, c: _name(r).lower(), width=24),
        Column("target", "CONTAINER PORT", lambda r, c: f"{r['ContainerPort']}/{r['Proto']}", lambda r, c: r["ContainerPort"] or 0),
        Column("state", "STATE", lambda r, c: Text(str(r["State"]), style="state.running" if r["State"] == "running" else "state.partial"),
               lambda r, c: r["State"]),
    ),
    filters={"port": lambda r: str(r["HostPort"]), "container": _name, "proto": lambda r: r["Proto"]},
    drill=lambda r, rid, ctx: ("containers", filter_term("id", str(r["Container"]))),
    actions=(DESCRIBE,),
)
