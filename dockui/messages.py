"""What the screens and the app say to each other: typed messages (screen -> app) and the
payload of the app's store signal (app -> screens).

A screen never calls the app's methods to get something done: it posts one of these, and the
app, which owns the engine client, the store, the sessions and the config, does it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from .kinds import Action, Kind
from .store.model import StoreChange


class RunAction(Message):
    """Run ``action`` of ``kind`` on ``targets`` (id, row), with the confirm dialog's choice or
    the prompt's text as ``arg``. Destructive actions were confirmed by the screen already."""

    def __init__(self, kind: Kind, action: Action, targets: Sequence[tuple[str, Mapping[str, Any]]], arg: str = "y") -> None:
        super().__init__()
        self.kind = kind
        self.action = action
        self.targets = list(targets)
        self.arg = arg


class RunCommand(Message):
    """A ``:`` command that is not a kind (``q``, ``ctx``, ``df``, ``pull``, ``prune``, ``theme``)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Handover(Message):
    """Give the whole terminal to a shell in container ``cid`` (the dashboard steps aside)."""

    def __init__(self, cid: str, name: str) -> None:
        super().__init__()
        self.cid = cid
        self.name = name


@dataclass(frozen=True)
class Touched:
    """The store signal's payload: what changed since the last one (per kind, the ids added,
    changed and removed), or a stats tick, or a switch to another engine."""

    change: StoreChange = field(default_factory=StoreChange)
    stats_only: bool = False
    engine_switched: bool = False

    @property
    def kinds(self) -> set[str]:
        return self.change.kinds
