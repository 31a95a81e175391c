"""A container's filesystem changes against its image (``D`` on a container, ``:diff
[CONTAINER]``): the engine's ``/changes`` (client ``diff``), read on a worker thread, as A (added),
C (changed) and D (deleted) paths in path order; ``/`` filters as you type (text, or ``A``/``C``/``D``
followed by a space and text, e.g. ``A /tmp``), ``esc`` clears the filter, then goes back; ``r``
reads again. Works on stopped containers too. Paths are shown as inert text.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from ..ansi import one_line

KINDS = {0: "C", 1: "A", 2: "D"}
STYLES = {"A": "green", "C": "yellow", "D": "red"}


def changes(doc: list[dict] | None) -> list[tuple[str, str]]:
    """The engine's changes as ``(A|C|D, path)`` in path order."""
    out = [(KINDS.get(int(c.get("Kind", -1)), "?"), str(c.get("Path") or "")) for c in doc or []]
    return sorted(out, key=lambda kp: kp[1])


def matches(kind: str, path: str, needle: str) -> bool:
    """``needle``: text in the path (case-insensitive), optionally led by a kind letter and a space."""
    needle = needle.strip()
    if not needle:
        return True
    head, _, rest = needle.partition(" ")
    if head.upper() in ("A", "C", "D") and len(head) == 1:
        return kind == head.upper() and rest.strip().lower() in path.lower()
    return needle.lower() in path.lower()


class ChangesScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "back", "back", id="changes.back"),
        Binding("slash", "filter", "filter", id="changes.filter"),
        Binding("r,ctrl+r", "refresh", "refresh", id="changes.refresh"),
    ]
    DEFAULT_CSS = """
    ChangesScreen #changes-title { height: 1; background: $accent; color: $text; }
    ChangesScreen #changes-table { height: 1fr; }
    ChangesScreen #changes-status { height: auto; }
    ChangesScreen #changes-filter { dock: bottom; display: none; }
    ChangesScreen #changes-filter.-visible { display: block; }
    """

    def __init__(self, cid: str, name: str) -> None:
        super().__init__()
        self.cid, self.name_ = cid, name
        self.items: list[tuple[str, str]] = []
        self.filter = ""
        self.loaded = False
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Static(id="changes-title")
        yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="changes-status")
        yield Input(id="changes-filter", placeholder="filter: text, or A|C|D then text")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("KIND", key="kind", width=4)
        table.add_column("PATH", key="path")
        self._paint_title()
        self.action_refresh()
        table.focus()

    def action_refresh(self) -> None:
        self.query_one("#changes-status", Static).update(Text("reading the changes ...", style="dim"))
        self.run_worker(self._load, thread=True, group="changes", exclusive=True, exit_on_error=False)

    def _load(self) -> None:
        try:
            items = changes(self.app.client.diff(self.cid))
        except Exception as exc:  # noqa: BLE001 - the engine's words, shown (a removed container, a lost engine)
            msg = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
            self.app.call_from_thread(self._failed, str(msg))
            return
        self.app.call_from_thread(self._loaded, items)

    def _failed(self, msg: str) -> None:
        if self.is_attached:
            self.error = one_line(msg, 300)
            self.query_one("#changes-status", Static).update(Text(f"changes: {self.error}", style="bold red"))

    def _loaded(self, items: list[tuple[str, str]]) -> None:
        if not self.is_attached:
            return
        self.items, self.loaded, self.error = items, True, ""
        self._paint()

    def shown(self) -> list[tuple[str, str]]:
        return [(k, p) for k, p in self.items if matches(k, p, self.filter)]

    def _paint(self) -> None:
        table = self.query_one(DataTable)
        rows = self.shown()
        with self.app.batch_update():
            table.clear()
            for i, (kind, path) in enumerate(rows):
                table.add_row(Text(kind, style=STYLES.get(kind, "")), Text(one_line(path, 500)), key=str(i))
        self._paint_title()
        counts = {k: sum(1 for kk, _ in self.items if kk == k) for k in ("A", "C", "D")}
        status = Text(f"{counts['A']} added · {counts['C']} changed · {counts['D']} deleted", style="dim")
        if not self.items and self.loaded:
            status = Text("no changes against the image", style="dim")
        self.query_one("#changes-status", Static).update(status)

    def _paint_title(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" changes of {one_line(self.name_, 60)}", style="bold")
        n = len(self.shown())
        t.append(f"  [{n}/{len(self.items)}]" if self.filter else f"  [{len(self.items)}]", style="dim")
        if self.filter:
            t.append(f"  filter: {one_line(self.filter, 40)}", style="bold")
        t.append("  / filter · r refresh · esc back", style="dim")
        self.query_one("#changes-title", Static).update(t)

    def action_filter(self) -> None:
        box = self.query_one("#changes-filter", Input)
        box.value = self.filter
        box.add_class("-visible")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.value != self.filter:
            self.filter = event.input.value
            if self.loaded:
                self._paint()
            else:
                self._paint_title()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_filter()

    def _close_filter(self) -> None:
        box = self.query_one("#changes-filter", Input)
        box.remove_class("-visible")
        self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        box = self.query_one("#changes-filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            self.filter = ""
            box.value = ""
            self._close_filter()
            self._paint()

    def action_back(self) -> None:
        if self.filter:
            self.filter = ""
            self.query_one("#changes-filter", Input).value = ""
            self._paint()
            return
        self.app.pop_screen()


def changes_view(cid: str, row: Any) -> ChangesScreen:
    """``D`` on a container."""
    from ..kinds.common import plain_name

    return ChangesScreen(cid, plain_name(row, cid))


def diff_view(app: Any, args: str) -> ChangesScreen | str:
    """``:diff [NAME|ID]``: the changes of the container named (or of the focused one), found in
    the store's snapshot (no engine call here); a sentence when there is none."""
    snap = app.store.snapshot("containers")
    want = args.strip()
    if not want:
        table = getattr(app.screen, "table", None)
        focused = getattr(table, "current_id", None) or ""
        want = focused if focused in snap else ""
    if not want:
        return "usage: :diff CONTAINER (or D on a container)"
    found = [(cid, c) for cid, c in snap.items() if c.get("Name") == want or cid == want] or \
            [(cid, c) for cid, c in snap.items() if cid.startswith(want) or str(c.get("Name", "")).startswith(want)]
    if len(found) != 1:
        return f"{'no' if not found else 'more than one'} container matches {one_line(want, 60)}"
    cid, c = found[0]
    return ChangesScreen(cid, str(c.get("Name") or cid[:12]))
