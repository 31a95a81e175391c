"""Swarm configs (managers only): name, id, age, labels and the services that use each one;
describe shows the data decoded as text; ``:create config NAME PATH`` from a local file;
remove asks, naming the services that use it (the engine refuses while it is in use)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .secrets import data_kind


def decode(data: Any) -> str:
    """A config's base64 data as text (shown as text, never as markup); binary data says so."""
    try:
        raw = base64.b64decode(str(data or ""), validate=True)
    except (binascii.Error, ValueError):
        return str(data)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(raw)} bytes of binary data, not shown)"


def _inspect(client: Any, rid: str) -> dict:
    doc = dict(client.inspect_config(rid))
    spec = dict(doc.get("Spec") or {})
    spec["Data"] = decode(spec.get("Data"))  # decoded from base64 by dockui
    doc["Spec"] = spec
    return doc


KIND = data_kind("config", ("config", "cfg"), _inspect)
