"""What a kind is: the ``Kind`` record every ``dockui/kinds/<kind>.py`` fills in, and ``Action``.

A kind module owns everything its resource means to dockui (k9s keeps the same split between
``internal/dao`` accessors and ``internal/render`` renderers, tied by a registry): how it is
listed and inspected through the engine client, its id and name, columns, sort keys, row style,
the faults predicate, filter fields, drill-down, what ``d`` describes and what ``l`` follows, and
its actions, each carrying the callable that runs it. Nothing here imports Textual or rich, so
the store can read the registry before the UI is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]
Client = Any  # dockui.engine.EngineClient (duck-typed: a kind module never needs its class)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    cell: Callable[[Row, Any], Any]  # (row, ViewContext) -> str | rich.text.Text
    sort: Callable[[Row, Any], Any] | None = None
    width: int = 12  # a typical width, to decide which columns fit
    stats: bool = False  # depends on stats samples (refreshed on stats ticks)
    priority: int = 1  # 1 always shown; higher numbers are dropped first on narrow terminals
    clock: bool = False  # follows the clock (ages): redrawn on screen every second
    order: tuple[str, str] = ()  # what the header says for (ascending, descending) sort keys, when
    # "asc"/"desc" would mislead: a CPU key sorts busiest first by ascending a negated figure
    faults: bool = False  # shown only in the faults-only view (ctrl+z): the REASON column


@dataclass(frozen=True)
class Action:
    """One key on one kind. ``run(client, rid, row, arg)`` does the engine work on a worker thread
    (``arg``: the confirm dialog's choice or the prompt's text) and may return a message to show
    instead of the plain "done" (a no-op says so). ``verb`` instead names a screen interaction
    (describe, logs, shell, attach, exec, handover) that needs no engine call of its own."""

    id: str
    key: str
    label: str
    run: Callable[[Client, str, Row, str], str | None] | None = None
    verb: str = ""  # describe | logs | shell | attach | exec | handover
    states: tuple[str, ...] = ()  # the states (as ``Kind.state`` names them) it applies to; empty: any
    destructive: bool = False  # confirm first
    mutating: bool = True  # hidden and refused in read-only mode
    footer: bool = True
    bulk: bool = True  # applies to every marked row (the verbs apply to the focused row only)
    options: Mapping[str, str] | None = None  # the confirm dialog's answers (default: y = yes)
    prompt: str = ""  # ask for a text first (its placeholder); the answer is ``arg``
    prompt_value: Callable[[Row], str] | None = None  # the prompt's initial text
    serial: bool = False  # presses on one target run one after the other (each sees the last's result)
    ask: Callable[[Row, str, Any], str] | None = None  # (row, id, ViewContext) -> more for the confirm question
    view: Callable[[str, Row], Any] | None = None  # verb "view": (id, row) -> the Textual screen to open


@dataclass(frozen=True)
class Command:
    """A ``:`` command a kind adds (``:create secret NAME PATH``): ``run(client, args)`` does the
    engine work on a worker thread and returns what to tell the user."""

    words: str  # what the command starts with: "create secret"
    usage: str
    run: Callable[[Client, str], str | None] | None = None
    mutating: bool = True
    view: Callable[[Any, str], Any] | None = None  # instead of ``run``: (app, args) -> a screen to open, or a str saying why not


def no_fault(row: Row, ctx: Any) -> bool:
    return False


def _no_row(row: Row) -> Any:
    return None


@dataclass(frozen=True)
class Kind:
    name: str  # spelled as the engine spells it: containers, images, ...
    title: str
    aliases: tuple[str, ...] = ()
    id_key: str = "Id"
    swarm: bool = False  # listed only on a swarm manager
    list: Callable[[Client], Iterable[Mapping[str, Any]]] | None = None  # None: derived from another kind
    summary: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None  # the list row as the store keeps it
    inspect: Callable[[Client, str], Any] | None = None  # what ``d`` shows (None: the row itself)
    events: tuple[str, ...] = ()  # engine event types after which the store lists this kind again
    derive: Callable[[Mapping[str, Mapping[str, Any]]], dict[str, Mapping[str, Any]]] | None = None
    derived_from: str = ""  # the kind ``derive`` reads
    derive_when: Callable[[list[Mapping[str, Any]]], bool] = lambda rows: True  # touched rows of the source
    counts: Callable[[Mapping[str, Mapping[str, Any]]], dict[str, int]] | None = None  # header counts
    label: Callable[[Row, str], str] = lambda row, rid: rid[:12]  # a row's name, for notices and titles
    state: Callable[[Row], str] = lambda row: ""  # the word ``Action.states`` is matched against
    # rendering and navigation
    columns: tuple[Column, ...] = ()
    default_sort: str = "name"
    default_reverse: bool = False  # True: the default sort is descending (newest events first)
    style: Callable[[Row], str] = lambda row: ""
    fault: Callable[[Row, Any], bool] = no_fault  # what ctrl+z keeps
    fault_enter: str = ""  # the id of the action enter runs in the faults-only view (containers: the post-mortem)
    filters: Mapping[str, Callable[[Row], Any]] = field(default_factory=dict)  # /field=value
    drill: Callable[[Row, str, Any], Any] = lambda row, rid, ctx: None  # enter: (kind, filter), or a screen to open
    logs: Callable[[Row, str, Any], tuple[str, list[Any]]] | None = None  # l: (title, [sessions.logs.Target])
    stats: bool = False  # rows carry live stats (stats ticks repaint it, the details pane applies)
    poll: bool = False  # no events of its own: the store lists it again every few seconds while wanted
    wants_poll: bool = False  # showing it needs the polled kinds (task and service counts) kept fresh
    repaint_on: tuple[str, ...] = ()  # other kinds whose changes its cells read
    actions: tuple[Action, ...] = ()
    commands: tuple[Command, ...] = ()  # ``:`` commands of its own
    # a kind fed by the engine's event stream (the events timeline): ``feed(batch)`` turns a batch
    # of events into rows (id -> row); the store keeps the newest ``keep`` of them. ``lazy``: ``list``
    # (its history) runs the first time a screen reads the kind, not when the store starts
    feed: Callable[[list[Mapping[str, Any]]], dict[str, Mapping[str, Any]]] | None = None
    keep: int = 0
    lazy: bool = False

    @property
    def singular(self) -> str:
        return self.name[:-1] if self.name.endswith("s") else self.name

    def load(self, client: Client) -> dict[str, Mapping[str, Any]]:
        """Every object of this kind, id -> summary, through the engine client."""
        if self.list is None:
            return {}
        key, summary = self.id_key, self.summary
        if summary is None:
            return {str(r[key]): r for r in self.list(client)}
        return {str(r[key]): summary(r) for r in self.list(client)}

    def applies(self, action: Action, row: Row | None, readonly: bool) -> bool:
        if readonly and action.mutating:
            return False
        if action.states and row is not None:
            st = self.state(row)
            return any(st == s or st.startswith(s) for s in action.states)
        return True

    def actions_for(self, row: Row | None, readonly: bool) -> list[Action]:
        return [a for a in self.actions if self.applies(a, row, readonly)]

    def action_by_key(self, key: str) -> Action | None:
        return next((a for a in self.actions if a.key == key), None)
