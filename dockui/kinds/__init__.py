"""The registry of kinds: one module per kind (``dockui/kinds/<kind>.py``), each exporting ``KIND``.

Like k9s's ``model/registry.go``: the store lists through it, and the resource screen, the help
screen, the footer, the read-only guard and ``:`` completion all read it. Adding a kind is adding
a module to this package (found by ``_discover``); nothing outside it changes.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import Action, Column, Command, Kind

# the order of the table views (and of ``:`` completion); modules not named here follow, by name
ORDER = ("containers", "images", "networks", "volumes", "nodes", "services", "tasks", "projects", "composeservices")
_SKIP = {"base", "common"}


def _discover() -> dict[str, Kind]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name not in _SKIP and not m.name.startswith("_")]
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    out: dict[str, Kind] = {}
    for n in names:
        kind = getattr(importlib.import_module(f"{__name__}.{n}"), "KIND", None)
        if isinstance(kind, Kind):
            out[kind.name] = kind
    return out


KINDS: dict[str, Kind] = _discover()
ALIASES: dict[str, str] = {a: k.name for k in KINDS.values() for a in (k.name, *k.aliases)}


def lookup(word: str) -> Kind | None:
    """The kind a ``:`` word names (its name or an alias), or None."""
    name = ALIASES.get(word.lower())
    return KINDS[name] if name else None


def get(name: str) -> Kind:
    return KINDS[name]


def command(text: str) -> tuple[Kind, Command, str] | None:
    """The kind ``:`` command that ``text`` starts with, and the rest of the text."""
    words = text.split()
    for kind in KINDS.values():
        for cmd in kind.commands:
            n = len(cmd.words.split())
            if [w.lower() for w in words[:n]] == cmd.words.split():
                return kind, cmd, " ".join(words[n:])
    return None


_BUILTIN: dict[str, Kind] = {}  # kinds as their modules define them, before ``extend``


def base(name: str) -> Kind:
    """Kind ``name`` as its module defines it (without the user's custom commands)."""
    return _BUILTIN.get(name) or KINDS[name]


def extended() -> list[str]:
    return list(_BUILTIN)


def extend(name: str, actions: tuple[Action, ...], replace: frozenset[str] = frozenset()) -> None:
    """Kind ``name`` with ``actions`` added (the user's ``[[commands]]``, see dockui/custom.py) and
    the built-in actions whose ids are in ``replace`` left out; each call starts again from the
    kind as its module defines it, so footer, help, read-only guard and marks read one record."""
    import dataclasses

    kind = _BUILTIN.setdefault(name, KINDS[name])
    kept = tuple(a for a in kind.actions if a.id not in replace)
    KINDS[name] = dataclasses.replace(kind, actions=kept + tuple(actions)) if actions or replace else kind


def complete(prefix: str) -> list[str]:
    """Kind names (and aliases) that start with ``prefix``, for ``:`` completion."""
    p = prefix.lower()
    return sorted({a for a in ALIASES if a.startswith(p)}, key=lambda a: (a not in KINDS, len(a), a))


__all__ = ["ALIASES", "KINDS", "Action", "Column", "Command", "Kind", "base", "command", "complete", "extend", "extended", "get",
           "lookup"]
