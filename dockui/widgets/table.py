"""ResourceTable: a DataTable patched in place from store snapshots, keeping the cursor on its resource.

``sync`` diffs the wanted rows against what is shown: changed cells are updated, new rows
added, gone rows removed, and the order applied with one sort, inside ``batch_update`` —
so a burst of events costs one repaint and nothing flickers or jumps.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.widgets import DataTable


class KeyedText(Text):
    """The first cell of a row: carries its row's rank so the table can be ordered by our sort."""

    rank: int = 0


Cell = str | Text


class ResourceTable(DataTable):
    """A table of one resource kind, addressed by resource id."""

    DEFAULT_CSS = """
    ResourceTable { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._shown: dict[str, tuple[Cell, ...]] = {}
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
        """Make the table show exactly ``rows`` (id, cells) in that order."""
        current = self.current_id
        wanted = {rid: tuple(cells) for rid, cells in rows}
        order = [rid for rid, _ in rows]
        with self.app.batch_update():
            for rid in [r for r in self._shown if r not in wanted]:
                self.remove_row(rid)
                del self._shown[rid]
            for rank, rid in enumerate(order):
                cells = wanted[rid]
                first = KeyedText(cells[0]) if isinstance(cells[0], str) else self._keyed(cells[0])
                first.rank = rank
                old = self._shown.get(rid)
                if old is None:
                    self.add_row(first, *cells[1:], key=rid)
                else:
                    if old[0] != cells[0]:
                        self.update_cell(rid, self._columns[0], first, update_width=True)
                    else:
                        self.get_row(rid)[0].rank = rank  # type: ignore[attr-defined]
                    for col, (a, b) in enumerate(zip(old[1:], cells[1:], strict=False), start=1):
                        if a != b:
                            self.update_cell(rid, self._columns[col], b, update_width=True)
                self._shown[rid] = cells
            if order != self._order:
                self._order = order
                self.sort(self._columns[0], key=lambda first: first.rank)
            if current is not None and current in self._shown:
                idx = self.get_row_index(current)
                if idx != self.cursor_row:
                    self.move_cursor(row=idx, animate=False, scroll=False)

    @staticmethod
    def _keyed(t: Text) -> KeyedText:
        k = KeyedText(t.plain, style=t.style, justify=t.justify, no_wrap=t.no_wrap, end=t.end)
        k._spans = list(t._spans)
        return k
