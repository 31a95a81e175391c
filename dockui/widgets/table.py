"""ResourceTable: a DataTable patched in place from store snapshots, keeping the cursor on its resource.

``sync`` diffs the wanted rows against what is shown: changed cells are updated, new rows
added, gone rows removed, and the order applied with one sort, inside ``batch_update`` —
so a burst of events costs one repaint and nothing flickers or jumps.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable


def _inert(cell: Cell) -> Text:
    """A cell as Text: DataTable reads a plain ``str`` cell as Rich markup (``[link=...]`` would
    become a hyperlink, ``[bold]`` vanish), and engine strings are data."""
    return Text(cell) if isinstance(cell, str) else cell


class KeyedText(Text):
    """The first cell of a row: carries its row's rank so the table can be ordered by our sort."""

    rank: int = 0


Cell = str | Text


class ResourceTable(DataTable):
    """A table of one resource kind, addressed by resource id."""

    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="table.down"),
        Binding("k", "cursor_up", "up", show=False, id="table.up"),
        Binding("g", "scroll_top", "top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "bottom", show=False, id="table.bottom"),
    ]

    DEFAULT_CSS = """
    ResourceTable { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._firsts: dict[str, KeyedText] = {}  # the first cell of each row, which carries its rank
        self._order: list[str] = []
        self._columns: tuple[str, ...] = ()
        self.can_focus = True

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after ``:`` or ``/`` were queued here before the prompt took focus
        (a fast typist, a paste): hand them on to the prompt, in order, instead of acting on them."""
        screen = self.screen
        prompt_mode = getattr(screen, "prompt_mode", "")
        if not prompt_mode and hasattr(screen, "prompt_key"):
            # open the prompt here, in this widget's own key order, so the keys queued behind
            # ':' are already seen as prompt input (a binding would run only after they were)
            mode = screen.prompt_key(event.key)
            if mode:
                event.stop()
                event.prevent_default()
                screen.action_command() if mode == ":" else screen.action_filter()
            return
        if prompt_mode:
            event.stop()
            event.prevent_default()
            for prompt in self.screen.query("#prompt"):
                prompt.post_message(events.Key(event.key, event.character))

    def set_columns(self, columns: Sequence[tuple[str, str]], force: bool = False) -> None:
        """(key, label) pairs; resets the table when the columns differ (or ``force``: widths change)."""
        keys = tuple(k for k, _ in columns)
        if keys == self._columns and not force:
            return
        self.clear(columns=True)
        self._shown.clear()
        self._firsts.clear()
        self._order = []
        self._columns = keys
        for key, label in columns:
            self.add_column(label, key=key)

    @property
    def current_id(self) -> str | None:
        if not self._order or self.cursor_row < 0:
            return None
        try:
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key
        except Exception:  # noqa: BLE001 - an empty or shrinking table has no current row
            return None
        return key.value

    def visible_ids(self) -> list[str]:
        top = int(self.scroll_y)
        height = max(1, self.size.height)
        return self._order[top : top + height]

    def sync(self, rows: Sequence[tuple[str, Sequence[Cell]]], style: dict[str, str] | None = None) -> None:
        """Make the table show exactly ``rows`` (id, cells) in that order.

        Unchanged cells (the same objects, or equal) are left alone; when many rows go at once the
        table is rebuilt, because DataTable's ``remove_row`` costs O(rows) each (textual#5273).
        """
        current = self.current_id
        wanted = {rid: tuple(cells) for rid, cells in rows}
        order = [rid for rid, _ in rows]
        gone = [r for r in self._shown if r not in wanted]
        with self.app.batch_update():
            if len(gone) > 32 and len(gone) * 4 > len(self._shown):
                self.clear()
                self._shown.clear()
                self._firsts.clear()
                self._order = []
                gone = []
            for rid in gone:
                self.remove_row(rid)
                del self._shown[rid]
                self._firsts.pop(rid, None)
            reorder = order != self._order
            for rank, rid in enumerate(order):
                cells = wanted[rid]
                old = self._shown.get(rid)
                if old is None:
                    self.add_row(self._first(rid, cells[0], rank), *(_inert(c) for c in cells[1:]), key=rid)
                else:
                    if old[0] is not cells[0] and old[0] != cells[0]:
                        self.update_cell(rid, self._columns[0], self._first(rid, cells[0], rank), update_width=True)
                    elif reorder:
                        self._firsts[rid].rank = rank
                    for col, (a, b) in enumerate(zip(old[1:], cells[1:], strict=False), start=1):
                        if a is not b and a != b:
                            self.update_cell(rid, self._columns[col], _inert(b), update_width=True)
                self._shown[rid] = cells
            if reorder:
                self._order = order
                self.sort(self._columns[0], key=lambda first: first.rank)
            if current is not None and current in self._shown:
                idx = self.get_row_index(current)
                if idx != self.cursor_row:
                    self.move_cursor(row=idx, animate=False, scroll=False)

    def _first(self, rid: str, cell: Cell, rank: int) -> KeyedText:
        """The first cell of a row, carrying its rank for ``sort``; remembered per row."""
        first = KeyedText(cell) if isinstance(cell, str) else self._keyed(cell)
        first.rank = rank
        self._firsts[rid] = first
        return first

    @staticmethod
    def _keyed(t: Text) -> KeyedText:
        k = KeyedText(t.plain, style=t.style, justify=t.justify, no_wrap=t.no_wrap, end=t.end)
        k._spans = list(t._spans)
        return k
