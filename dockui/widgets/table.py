"""ResourceTable: a virtual table of one resource kind, patched in place from store snapshots.

It draws only the lines on screen (Textual's line API, ``render_line``), caches each row's
rendered strip until that row's cells change, and refreshes only the screen lines whose rows
changed. So a stats tick that changes 40 cells re-renders 40 cached rows at most, a cursor move
re-renders two lines, and a filter that narrows 1,000 rows renders one screenful — the cost of
a paint follows what is on screen, not how many rows there are. (Textual's ``DataTable``
re-renders every visible cell after any ``update_cell``, ``add_row`` or ``sort``, and measures
every cell of a new table: 60-175 ms at 1,000 rows, which is why this widget exists.)

``sync`` takes the rows in order as (id, cells); unchanged rows (the same cell tuple) cost an
identity check. The cursor stays on its resource by id when rows move, appear or go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = str | Text

PAD = 1  # blank cells on each side of a cell


def _width(cell: Cell) -> int:
    return cell_len(cell.plain if isinstance(cell, Text) else cell)


_STYLES: dict[str, Style | None] = {}


def forget_styles() -> None:
    """Parse cell styles again: the semantic names (``state.running``) now mean other colours
    (a theme change, see widgets/palette.py)."""
    _STYLES.clear()


def _style(console, style: str | Style) -> Style | None:
    """A cell's style, parsed once per distinct string."""
    if isinstance(style, Style):
        return style
    if not style:
        return None
    hit = _STYLES.get(style, False)
    if hit is False:
        hit = _STYLES[style] = console.get_style(style, default=None)
    return hit


class ResourceTable(ScrollView, can_focus=True):
    """A table of one resource kind, addressed by resource id."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page_up", "page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "page down", show=False, id="table.page_down"),
        Binding("home,g", "scroll_top", "top", show=False, id="table.top"),
        Binding("end,G", "scroll_bottom", "bottom", show=False, id="table.bottom"),
    ]

    COMPONENT_CLASSES = {"resource-table--header", "resource-table--cursor"}

    DEFAULT_CSS = """
    ResourceTable { height: 1fr; background: $surface; color: $foreground; }
    ResourceTable > .resource-table--header { text-style: bold; background: $panel; color: $foreground; }
    ResourceTable:ansi > .resource-table--header { background: ansi_bright_blue; color: ansi_default; }
    ResourceTable > .resource-table--cursor { text-style: reverse bold; }
    """

    class _RowMessage(Message):
        def __init__(self, table: ResourceTable, row_id: str | None) -> None:
            super().__init__()
            self.table = table
            self.row_id = row_id

        @property
        def control(self) -> ResourceTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row (``row_id`` None: the table is empty)."""

    class RowSelected(_RowMessage):
        """A row was double-clicked."""

    class Scrolled(Message):
        """Other rows came on screen (a scroll): the owner may want to refresh what they show."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys: tuple[str, ...] = ()
        self._labels: tuple[str, ...] = ()
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._row_widths: dict[str, tuple[int, ...]] = {}
        self._widths: list[int] = []
        self._strips: dict[str, Strip] = {}  # rows without the cursor, as drawn at _strip_width
        self._header: Strip | None = None
        self.cursor_row = 0
        self._highlighted: str | None = None
        self._fit_timer = None
        self._combos: dict[tuple, Style] = {}
        self._strip_width = 0  # the width the cached strips are extended to
        self._styles: tuple[Style, Style, Style] | None = None  # (base, base+header, base+cursor)

    # --- keys typed ahead of the prompt -------------------------------------------------------
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

    # --- the model ------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[tuple[str, str]], force: bool = False) -> None:
        """(key, label) pairs; resets the table when the columns differ (or ``force``)."""
        keys = tuple(k for k, _ in columns)
        if keys == self._keys and not force:
            return
        self._keys = keys
        self._labels = tuple(label for _, label in columns)
        self.clear()

    def clear(self) -> None:
        """Forget every row (the columns stay)."""
        self._order = []
        self._index = {}
        self._cells.clear()
        self._row_widths.clear()
        self._forget_rendering()
        self._widths = self._label_widths()
        if self._fit_timer is not None:
            self._fit_timer.stop()
            self._fit_timer = None
        self.cursor_row = 0
        self._resize_virtual()
        self.refresh()
        self._announce()

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def row_ids(self) -> list[str]:
        """The ids of the rows, in the order shown."""
        return list(self._order)

    @property
    def columns(self) -> tuple[str, ...]:
        return self._keys

    @property
    def column_widths(self) -> tuple[int, ...]:
        return tuple(self._widths)

    def get_row(self, row_id: str) -> tuple[Cell, ...]:
        """The cells of a row shown (KeyError for one not shown, even if its cells are kept)."""
        if row_id not in self._index:
            raise KeyError(row_id)
        return self._cells[row_id]

    def get_row_index(self, row_id: str) -> int:
        return self._index[row_id]

    @property
    def current_id(self) -> str | None:
        if 0 <= self.cursor_row < len(self._order):
            return self._order[self.cursor_row]
        return None

    def visible_ids(self) -> list[str]:
        top = int(self.scroll_y)
        return self._order[top : top + max(1, self.size.height - 1)]

    HIDDEN_KEEP = 20_000  # rows filtered out whose cells and widths are kept (see ``sync``)

    def sync(self, rows: Sequence[tuple[str, Sequence[Cell]]], style: dict[str, str] | None = None) -> None:
        """Make the table show exactly ``rows`` (id, cells) in that order.

        A row whose cells are the same tuple (or equal) as shown costs nothing; a changed row is
        re-rendered when next drawn, and only its line is refreshed unless the order changed.
        Rows that leave the table (a filter narrowing) keep their cells and measured widths, so
        they cost an identity check when they come back (the filter widening): a keystroke at
        10,000 rows does not measure 10,000 rows again. Columns grow at once with the rows that
        came or changed; they narrow once the rows stop changing (``_schedule_fit``).
        """
        if not isinstance(rows, (list, tuple)):
            rows = list(rows)
        index, cells_of = self._index, self._cells
        changed: list[str] = []
        added: list[str] = []
        order = [rid for rid, _ in rows]
        for rid, cells in rows:
            if cells_of.get(rid) is not cells and self._take(rid, cells):
                changed.append(rid)
            if rid not in index:
                added.append(rid)
        self._apply(order, changed, added)

    def splice(self, order: list[str], cells: dict[str, Sequence[Cell]]) -> None:
        """:meth:`sync` for a caller that knows what changed: ``order`` is every row id in its new
        order, ``cells`` the rows that came or got new cells; every other row keeps what it shows.
        Costs the rows named plus list work in C, not a Python pass over every row (a container
        created at 10,000: ~10 ms less per event)."""
        changed = [rid for rid, c in cells.items() if self._take(rid, c)]
        index = self._index
        self._apply(order, changed, [rid for rid in cells if rid not in index])

    def _apply(self, order: list[str], changed: list[str], added: list[str]) -> None:
        """The new ``order`` (its rows' cells already taken): widths, index, cursor, repaint."""
        current = self.current_id
        cells_of = self._cells
        reorder = order != self._order
        removed = len(order) - len(added) < len(self._order)  # ids are unique: some shown row is gone
        membership = bool(added) or removed
        widths_changed = False
        if membership and len(cells_of) > 2 * len(order) + self.HIDDEN_KEEP:  # forget rows long gone
            wanted = set(order)
            for rid in [r for r in cells_of if r not in wanted]:
                del cells_of[rid]
                self._row_widths.pop(rid, None)
                self._strips.pop(rid, None)
        if added or changed:
            # columns only grow here (the shown rows all fit the old widths); stats values do not make them jitter
            new = self._fitted(self._widths, added + changed if added else changed)
            if new != self._widths:
                self._widths = new
                self._forget_rendering()
                widths_changed = True
        if removed:
            # narrower columns wait until the rows stop changing (typing a filter): columns
            # do not jump on every keystroke, and the cached rows stay valid meanwhile
            self._schedule_fit()
        top, height = int(self.scroll_y), self.size.height
        shown_before = self._order[top : top + max(0, height - 1)] if reorder else None
        cursor_before = self.cursor_row
        if reorder:
            self._order = order
            self._index = dict(zip(order, range(len(order)), strict=True))
        if current is not None and current in self._index:
            self.cursor_row = self._index[current]
        elif self.cursor_row >= len(order):
            self.cursor_row = max(0, len(order) - 1)
        self._resize_virtual()
        self._keep_cursor_visible()
        if widths_changed or (reorder and int(self.scroll_y) != top):
            self.refresh()
        elif reorder:
            # only the screen lines whose row is another (or changed) are drawn again: a filter
            # that keeps the top rows, or a new row far below, repaints next to nothing
            changed_set = set(changed)
            shown = order[top : top + max(0, height - 1)]
            for y in range(max(len(shown), len(shown_before))):
                rid = shown[y] if y < len(shown) else None
                was = shown_before[y] if y < len(shown_before) else None
                if rid != was or rid in changed_set or top + y in (cursor_before, self.cursor_row):
                    self.refresh(Region(0, y + 1, self.size.width, 1))
        else:
            self._refresh_rows(changed)
            if cursor_before != self.cursor_row:
                self._refresh_index(cursor_before)
                self._refresh_index(self.cursor_row)
        if self.current_id != self._highlighted:
            self._announce()

    def _take(self, rid: str, cells: Sequence[Cell]) -> bool:
        """Keep ``cells`` for row ``rid``; True when they differ from what was shown (the row's
        widths are measured and its rendered strip dropped)."""
        old = self._cells.get(rid)
        if old is cells:
            return False
        cells = tuple(cells)
        if old is not None and old == cells:
            self._cells[rid] = cells
            return False
        ncols = len(self._keys)
        if len(cells) < ncols:
            cells = cells + ("",) * (ncols - len(cells))
        self._cells[rid] = cells
        self._row_widths[rid] = tuple(_width(c) for c in cells[:ncols])
        self._strips.pop(rid, None)
        return True

    def _fitted(self, start: Sequence[int], rows: Iterable[str] | None = None) -> list[int]:
        """Column widths: ``start`` widened to the cells of ``rows`` (default: every row shown)."""
        new = list(start)
        widths_of = self._row_widths
        ids = self._order if rows is None else rows
        if ids:  # column by column in C (zip, max): 10,000 rows in ~2 ms, not ~10 ms of Python loops
            for i, w in enumerate(map(max, zip(*[widths_of[r] for r in ids], strict=False))):
                if w > new[i]:
                    new[i] = w
        return new

    def _label_widths(self) -> list[int]:
        return [cell_len(label) for label in self._labels]

    def _forget_rendering(self) -> None:
        """Column widths or styles changed: every cached strip and the header are stale."""
        self._strips.clear()
        self._header = None

    FIT_DELAY = 0.4

    def _schedule_fit(self) -> None:
        if self._fit_timer is not None:
            self._fit_timer.stop()
        self._fit_timer = self.set_timer(self.FIT_DELAY, self._fit)

    def _fit(self) -> None:
        """Columns as narrow as the rows shown now allow."""
        self._fit_timer = None
        new = self._fitted(self._label_widths())
        if new != self._widths:
            self._widths = new
            self._forget_rendering()
            self._resize_virtual()
            self.refresh()

    def update_rows(self, changes: dict[str, Sequence[Cell]]) -> None:
        """New cells for rows already shown, in place (a stats tick): the order stays, rows not
        shown are ignored, and the cost is that of the rows named, not of the table."""
        changed = [rid for rid, cells in changes.items() if rid in self._index and self._take(rid, cells)]
        grown = self._fitted(self._widths, changed)
        if grown != self._widths:
            self._widths = grown
            self._forget_rendering()
            self._resize_virtual()
            self.refresh()
        else:
            self._refresh_rows(changed)

    # --- cursor ---------------------------------------------------------------------------
    def move_cursor(self, row: int | None = None, animate: bool = False, scroll: bool = True, **_: object) -> None:
        if row is None or not self._order:
            return
        row = max(0, min(len(self._order) - 1, row))
        if row == self.cursor_row:
            return
        old = self.cursor_row
        self.cursor_row = row
        self._refresh_index(old)
        self._refresh_index(row)
        if scroll:
            self._keep_cursor_visible()
        self._announce()

    def _announce(self) -> None:
        self._highlighted = self.current_id
        self.post_message(self.RowHighlighted(self, self._highlighted))

    def _page(self) -> int:
        return max(1, self.size.height - 2)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    def _keep_cursor_visible(self) -> None:
        rows_on_screen = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows_on_screen:
            self.scroll_to(y=self.cursor_row - rows_on_screen + 1, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        if row >= len(self._order):
            return
        self.focus()
        self.move_cursor(row=row, scroll=False)
        if getattr(event, "chain", 1) >= 2:
            self.post_message(self.RowSelected(self, self._order[row]))

    # --- drawing --------------------------------------------------------------------------
    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if int(old_value) != int(new_value):
            self.post_message(self.Scrolled())

    def _resize_virtual(self) -> None:
        width = sum(w + 2 * PAD for w in self._widths)
        size = Size(width, len(self._order) + 1)
        old = self.virtual_size
        if size == old:
            return
        lines, cols = self.size.height, self.container_size.width
        bar = self.styles.scrollbar_size_vertical

        def wide(w: int) -> int:  # 0: no horizontal scrollbar either way, 2: one either way, 1: it depends
            return 0 if w <= cols - bar else 2 if w > cols else 1

        if self.is_mounted and wide(old.width) == wide(size.width) != 1 and (
                min(old.height, size.height) > lines + 2 or max(old.height, size.height) < lines - 1):
            # more rows than lines before and after (or fewer, both times): the scrollbars stay as
            # they are, so update them in place; assigning virtual_size lays out the whole screen
            self.set_reactive(ResourceTable.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size

    def _refresh_index(self, index: int) -> None:
        y = index - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _refresh_rows(self, ids: list[str]) -> None:
        if not ids:
            return
        top, height = int(self.scroll_y), self.size.height
        index = self._index
        for rid in ids:
            i = index.get(rid)
            if i is not None and top <= i < top + height - 1:
                self.refresh(Region(0, i - top + 1, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_rendering()
        self._combos.clear()
        self._styles = None

    def _line_styles(self) -> tuple[Style, Style, Style]:
        """(base, header, cursor) styles, worked out once per style change, not once per line:
        ``rich_style`` walks every ancestor's styles (~0.1 ms), and a row inserted near the top
        draws every line below it again (~60 lines at 200x60). Dropped in ``notify_style_update``,
        as Textual drops its own component styles (``_rich_style_cache``)."""
        hit = self._styles
        if hit is None:
            base = self.rich_style
            hit = self._styles = (base, base + self.get_component_rich_style("resource-table--header"),
                                  base + self.get_component_rich_style("resource-table--cursor"))
        return hit

    def _render_cells(self, cells: Sequence[Cell], base: Style, cell_widths: Sequence[int] | None = None) -> Strip:
        """One row as a strip in its final styles (``base`` under each cell's own style).

        Built directly as segments, two or so per cell (~0.1 ms a row): the blank padding
        between cells is one base-style segment, a cell's text one segment in base+its style.
        """
        console = self.app.console
        segments: list[Segment] = []
        append = segments.append
        gap = PAD
        total = 0
        widths = self._widths
        for i, cell in enumerate(cells[: len(widths)]):
            width = widths[i]
            cw = cell_widths[i] if cell_widths is not None else _width(cell)
            if isinstance(cell, Text):
                if cw > width or cell._spans:
                    text = cell
                    if cw > width:
                        text = cell.copy()
                        text.truncate(width, overflow="ellipsis")
                        cw = text.cell_len
                    append(Segment(" " * gap, base))
                    if text._spans:
                        for seg in text.render(console):
                            append(Segment(seg.text, base + seg.style if seg.style else base))
                    else:
                        append(Segment(text.plain, self._combined(base, text.style, console)))
                    total += gap + cw
                    gap = width - cw + 2 * PAD
                    continue
                plain, style = cell.plain, self._combined(base, cell.style, console)
            else:
                plain, style = cell, base
                if cw > width:
                    cut = Text(cell)
                    cut.truncate(width, overflow="ellipsis")
                    plain, cw = cut.plain, cut.cell_len
            if style is base:  # padding and text in one segment
                append(Segment(" " * gap + plain, base))
            else:
                append(Segment(" " * gap, base))
                append(Segment(plain, style))
            total += gap + cw
            gap = width - cw + 2 * PAD
        gap -= PAD
        if gap > 0:
            append(Segment(" " * gap, base))
            total += gap
        return Strip(segments, total)

    def _combined(self, base: Style, style: str | Style, console) -> Style:
        key = (base, style)
        hit = self._combos.get(key)
        if hit is None:
            cell = _style(console, style)
            hit = self._combos[key] = base + cell if cell else base
        return hit

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base, header, cursor = self._line_styles()
        if y == 0:
            if self._header is None:
                self._header = self._render_cells(self._labels, header)
            return self._header.crop_extend(scroll_x, scroll_x + width, header)
        index = scroll_y + y - 1
        if index >= len(self._order):
            return Strip.blank(width, base)
        rid = self._order[index]
        if index == self.cursor_row:
            strip = self._render_cells(self._cells[rid], cursor, self._row_widths.get(rid))
            return strip.crop_extend(scroll_x, scroll_x + width, cursor)
        if scroll_x:
            return self._render_cells(self._cells[rid], base, self._row_widths.get(rid)).crop_extend(scroll_x, scroll_x + width, base)
        if width != self._strip_width:
            self._strips.clear()
            self._strip_width = width
        strip = self._strips.get(rid)
        if strip is None:  # cached as drawn: cut or padded to the widget's width
            strip = self._render_cells(self._cells[rid], base, self._row_widths.get(rid))
            if strip.cell_length != width:
                strip = strip.crop_extend(0, width, base)
            self._strips[rid] = strip
        return strip
