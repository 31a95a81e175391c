"""Swarm secrets (managers only): name, id, age, labels and the services that use each one;
describe (the engine never returns a secret's value, and the view says so), ``:create secret
NAME PATH`` from a local file, remove (asks, naming the services that use it; the engine refuses
while it is in use, and its message is shown).

``configs.py`` is the same kind of object with readable data; it reuses the helpers here.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from typing import Any

from rich.text import Text

from .. import format as fmt
from ..ansi import one_line
from .base import Action, Column, Command, Kind, Row
from .common import DESCRIBE, spec_name

MAX_BYTES = 500 * 1024  # the engine's limit for a secret's or a config's data


def labels(row: Row) -> dict[str, str]:
    return dict((row.get("Spec") or {}).get("Labels") or {})


def labels_text(row: Row) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels(row).items()))


def users(ctx: Any, rid: str, field: str, id_key: str) -> list[str]:
    """Names of the services whose containers get this secret (``field="Secrets"``) or config."""
    if ctx is None:
        return []
    out = []
    for s in ctx.store.snapshot("services").values():
        spec = s.get("Spec") or {}
        cs = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
        if any((x or {}).get(id_key) == rid for x in cs.get(field) or []):
            out.append(one_line(str(spec.get("Name") or s.get("ID", "")[:12]), 40))
    return sorted(out)


def columns(field: str, id_key: str) -> tuple[Column, ...]:
    def used(r: Row, c: Any) -> Text:
        names = users(c, str(r.get("ID", "")), field, id_key)
        return Text(", ".join(names) if names else "-", style="" if names else "dim")

    return (
        Column("name", "NAME", lambda r, c: spec_name(r, str(r.get("ID", ""))),
               lambda r, c: str((r.get("Spec") or {}).get("Name") or "").lower(), width=24),
        Column("id", "ID", lambda r, c: str(r.get("ID", ""))[:12], lambda r, c: str(r.get("ID", "")), width=12),
        Column("age", "AGE", lambda r, c: fmt.age(r.get("CreatedAt"), getattr(c, "now", None)),
               lambda r, c: str(r.get("CreatedAt") or ""), width=5, clock=True),
        Column("services", "USED BY", used, lambda r, c: len(users(c, str(r.get("ID", "")), field, id_key)), width=20),
        Column("labels", "LABELS", lambda r, c: one_line(labels_text(r), 60), lambda r, c: labels_text(r), width=24, priority=2),
    )


def ask_users(field: str, id_key: str) -> Callable[[Row, str, Any], str]:
    def ask(row: Row, rid: str, ctx: Any) -> str:
        names = users(ctx, rid, field, id_key)
        if not names:
            return "no service uses it"
        return "used by " + ", ".join(names) + ": the engine will refuse while they use it"

    return ask


def read_local(args: str, what: str) -> tuple[str, bytes]:
    """``NAME PATH`` -> (name, the file's bytes); says what is wrong in a ValueError."""
    try:
        words = shlex.split(args)
    except ValueError as exc:
        raise ValueError(f"cannot parse: {exc}") from exc
    if len(words) != 2:
        raise ValueError(f"usage: :create {what} NAME PATH")
    name, path = words
    path = os.path.expanduser(path)
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise ValueError(f"{path} has {size} bytes; the engine takes at most {MAX_BYTES}")
    with open(path, "rb") as f:
        return name, f.read()


def data_kind(what: str, aliases: tuple[str, ...], inspect: Callable[[Any, str], Any]) -> Kind:
    """The Kind record of swarm ``what``s ("secret" or "config"): the same kind of object, told
    apart by what describe shows (``inspect``) and the engine client's methods named after them."""
    plural, cap = f"{what}s", what.capitalize()
    field, id_key = f"{cap}s", f"{cap}ID"  # where a service's ContainerSpec names them

    def create(client: Any, args: str) -> str:
        name, data = read_local(args, what)
        made = getattr(client, f"create_{what}")(name, data)
        return f"created {what} {one_line(name, 60)} ({str(made.get('ID', ''))[:12]})"

    return Kind(
        name=plural,
        title=f"{cap}s",
        aliases=aliases,
        id_key="ID",
        swarm=True,
        list=lambda c: getattr(c, plural)(),
        inspect=inspect,
        events=(what,),
        label=spec_name,
        columns=columns(field, id_key),
        filters={"name": lambda r: str((r.get("Spec") or {}).get("Name") or ""), "id": lambda r: str(r.get("ID") or "")},
        repaint_on=("services",),
        actions=(
            DESCRIBE,
            Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: getattr(c, f"remove_{what}")(rid) and None,
                   destructive=True, ask=ask_users(field, id_key)),
        ),
        commands=(Command(f"create {what}", f":create {what} NAME PATH", create),),
    )


def _inspect(client: Any, rid: str) -> dict:
    doc = dict(client.inspect_secret(rid))
    spec = dict(doc.get("Spec") or {})
    spec["Data"] = "(not available: the engine never returns a secret's value)"
    doc["Spec"] = spec
    return doc


KIND = data_kind("secret", ("secret", "sec"), _inspect)
