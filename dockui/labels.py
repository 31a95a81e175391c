"""Labels of any kind's row, and the ``/label=KEY=VALUE`` / ``/label=KEY`` filter term.

Containers, images, networks and volumes carry ``Labels``; swarm objects (nodes, services,
secrets, configs) carry ``Spec.Labels``; tasks carry their container spec's labels. A kind
without labels matches no ``label=`` term.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any


def labels_of(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """The labels a row carries (empty when it has none)."""
    got = row.get("Labels")
    if not isinstance(got, Mapping) or not got:
        spec = row.get("Spec") or {}
        got = spec.get("Labels") if isinstance(spec, Mapping) else None
        if not got and isinstance(spec, Mapping):
            got = (spec.get("ContainerSpec") or {}).get("Labels")
    return got if isinstance(got, Mapping) else {}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, str):
            return decoded
    return value


def matcher(term: str) -> Callable[[Mapping[str, Any]], bool]:
    """``KEY=VALUE`` (the label is set to exactly VALUE) or ``KEY`` (the label is set at all)."""
    key, eq, want = term.partition("=")
    key, want = _unquote(key), _unquote(want)
    if not eq:
        return lambda row: key in labels_of(row)
    return lambda row: str(labels_of(row).get(key, "\0")) == want
