"""A toolong-style log viewer: a Line API ``ScrollView`` over a bounded deque of lines.

The owner reads logs on its own thread, batches lines and hands each batch to
:meth:`LogView.append_lines` on the UI thread. A batch costs one pass over its lines, one
virtual-size update and one refresh, whatever its length; nothing is rendered until a row
scrolls into view, and rendered rows are kept in a small LRU cache.

Lines are data: every line goes through :func:`dockui.ansi.ansi_line`, so SGR colours survive
and no other escape sequence reaches the terminal.

Rows and lines:

* Lines live in a ``deque`` (``max_lines``, default 50,000; the oldest are dropped). Each gets a
  sequence number (``seq``) that never changes, so caches and the search cursor survive drops.
* The *visible items* are every line, or only the matching ones when a hiding filter is set.
* Without wrap, item ``i`` is row ``i``. With wrap, ``_row_starts[i]`` is the (absolute) first
  row of item ``i``: a running sum of each line's row count, extended per batch and trimmed
  from the front when lines drop. Row counts come from arithmetic for ASCII lines and from
  ``rich.cells.chop_cells`` otherwise (cached on the line); rendering cuts at the same places,
  so the count and the drawing always agree.
* The virtual width without wrap is the widest visible line seen since the last rebuild (it
  does not shrink when wide lines drop out).

Filter, selection, JSON:

* A filter either highlights matches (every line stays) or hides the others
  (:meth:`set_filter` ``hide``, :meth:`set_hide` switches without matching again). Matches are
  kept as a sorted list of seqs: a batch is matched once on arrival (never the whole buffer per
  line), dropped lines leave the front of the list.
* A line selection (``v``, ``j``/``k``) is two seqs, the anchor and the cursor, so it survives
  new lines; :meth:`selected_lines`, :meth:`lines_on_screen` and :meth:`copy_text` give what the
  screen copies (escapes removed: each line's ``plain`` text).
* ``J`` shows lines that are JSON objects through :func:`dockui.widgets.logjson.pretty_parts`,
  parsed once per line on first need and kept on the line (text and spans, no ``Text``). Without
  wrap a line is parsed only when drawn: the virtual width starts from the raw widths and grows
  when a drawn pretty line is wider. With wrap every shown line is parsed to count its rows.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable
from itertools import islice

from rich.cells import cell_len, chop_cells
from rich.text import Span, Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dockui import ansi
from dockui.widgets.logjson import pretty_parts

__all__ = ["LogLine", "LogView"]

_STDERR_MARK = "▌"
_REGEX_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\|()]")


def _width(line: LogLine) -> int:
    return line.width


class LogLine:
    """One stored log line and what was measured about it on arrival."""

    __slots__ = ("seq", "stream", "timestamp", "raw", "plain", "width", "ts_width", "simple", "wrap_key", "wrap_cuts",
                 "pretty", "pretty_width", "pretty_simple")

    def __init__(self, seq: int, stream: str, raw: str, timestamp: str | None) -> None:
        self.seq = seq
        self.stream = stream
        self.raw = raw
        plain = ansi.plain_text(raw)
        self.plain = plain
        if timestamp:
            timestamp = ansi.one_line(timestamp)
        self.timestamp = timestamp or None
        ts_ascii = timestamp is None or timestamp.isascii()
        if plain.isascii():
            self.width = len(plain)
            self.simple = ts_ascii
        else:
            self.width = cell_len(plain)
            self.simple = False
        self.ts_width = 0 if not timestamp else (len(timestamp) if ts_ascii else cell_len(timestamp))
        self.wrap_key: tuple[int, bool, bool] | None = None
        self.wrap_cuts: list[int] = []
        self.pretty: tuple[str, list] | bool | None = None  # J: None until parsed, False when not a JSON object
        self.pretty_width = 0
        self.pretty_simple = False

    def text(self, timestamps: bool = False) -> str:
        """The line as copied: its text without escapes, after its timestamp when asked."""
        if timestamps and self.timestamp:
            return f"{self.timestamp} {self.plain}"
        return self.plain


class LogView(ScrollView, can_focus=True):
    """Scrollable, filterable, wrapping view of a container's log lines."""

    BINDINGS = [
        Binding("g,home", "top", "Top", show=False, id="logview.top"),
        Binding("G,end", "bottom", "Follow", id="logview.bottom"),
        Binding("t", "toggle_timestamps", "Timestamps", id="logview.timestamps"),
        Binding("w", "toggle_wrap", "Wrap", id="logview.wrap"),
        Binding("n", "search_next", "Next match", id="logview.next"),
        Binding("N", "search_prev", "Prev match", id="logview.prev"),
        Binding("v", "select", "Select lines", id="logview.select"),
        Binding("j", "line_down", "Down (extend selection)", show=False, id="logview.down"),
        Binding("k", "line_up", "Up (extend selection)", show=False, id="logview.up"),
        Binding("J", "toggle_json", "JSON", id="logview.json"),
    ]

    COMPONENT_CLASSES = {
        "logview--stderr",
        "logview--timestamp",
        "logview--match",
        "logview--current",
        "logview--selected",
    }

    DEFAULT_CSS = """
    LogView {
        scrollbar-gutter: stable;
        background: $surface;
    }
    LogView > .logview--stderr {
        color: $error;
        text-style: bold;
    }
    LogView > .logview--timestamp {
        color: $text-muted;
    }
    LogView > .logview--match {
        background: $warning 60%;
    }
    LogView > .logview--current {
        background: $accent 30%;
    }
    LogView > .logview--selected {
        background: $primary 60%;
    }
    """

    following: reactive[bool] = reactive(True, init=False)
    """Stick to the bottom as lines arrive. Scrolling up clears it; reaching the bottom or
    ``G``/``end`` sets it."""
    wrap: reactive[bool] = reactive(False, init=False)
    """Fold long lines to the width of the view (otherwise: scroll horizontally)."""
    show_timestamps: reactive[bool] = reactive(False, init=False)
    """Show each line's timestamp (when it has one)."""
    json_view: reactive[bool] = reactive(False, init=False)
    """Show lines that are JSON objects as level, message, then key=value (``J``)."""

    def __init__(
        self,
        max_lines: int = 50_000,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.max_lines = max(1, max_lines)
        self._lines: deque[LogLine] = deque(maxlen=self.max_lines)
        self._first_seq = 0  # seq of self._lines[0] (or the next seq when empty)
        self._next_seq = 0
        self._filter_pattern: str | None = None
        self._filter_regex = False
        self._filter_literal: str | None = None  # the filter as a lower-case ASCII literal, when it is one
        self._filter_re: re.Pattern[str] | None = None
        self._filter_hide = True
        self.filter_error: str | None = None
        """Why the last regex filter could not compile (it is then matched literally)."""
        self._matches: list[int] = []  # seqs of matching lines, ascending
        self._current_seq: int | None = None  # the line n/N landed on
        self._row_starts: list[int] = []  # wrap only: absolute first row per visible item
        self._rows_end = 0  # wrap only: absolute row after the last item
        self._wrap_width = 0  # wrap width the rows were computed for
        self._max_width = 0  # widest visible composed line (no-wrap virtual width)
        self._strip_cache: LRUCache[tuple, Strip | list[Strip]] = LRUCache(2048)
        self._internal_scroll = 0
        self._end_pending = False
        self._width_pending = False
        self._sel_anchor: int | None = None  # seq where the selection started
        self._sel_cursor: int | None = None  # seq j/k move

    # ------------------------------------------------------------------ public API

    @property
    def line_count(self) -> int:
        """Lines held (at most ``max_lines``)."""
        return len(self._lines)

    @property
    def shown_count(self) -> int:
        """Lines shown (all of them, or the matching ones under a hiding filter)."""
        return self._item_count()

    @property
    def match_count(self) -> int:
        """Lines matching the filter (0 without one)."""
        return len(self._matches) if self._filter_re is not None else 0

    @property
    def filter_pattern(self) -> str | None:
        """The filter as given to :meth:`set_filter`."""
        return self._filter_pattern

    @property
    def filter_hide(self) -> bool:
        """Whether a filter hides the lines that do not match (else it only highlights)."""
        return self._filter_hide

    @property
    def selecting(self) -> bool:
        """A line selection is active (``v``)."""
        return self._sel_anchor is not None

    @property
    def status(self) -> str:
        """One-line summary for a footer: lines shown/total, follow, wrap, filter, selection."""
        total = len(self._lines)
        if self._filter_re is not None and self._filter_hide:
            parts = [f"{len(self._matches):,}/{total:,} lines"]
        else:
            parts = [f"{total:,} lines"]
        parts.append("following" if self.following else "paused")
        if self.wrap:
            parts.append("wrap")
        if self.show_timestamps:
            parts.append("timestamps")
        if self.json_view:
            parts.append("json")
        if self._filter_pattern is not None:
            kind = "regex" if self._filter_regex and self.filter_error is None else "filter"
            text = f"{kind}: {ansi.one_line(self._filter_pattern, 40)}"
            mode = "only matching" if self._filter_hide else "highlight"
            text += f" ({len(self._matches):,} matches, {mode})"
            if self.filter_error is not None:
                text += " (invalid regex, matched literally)"
            parts.append(text)
        if self.selecting:
            parts.append(f"selected {self._selection_count():,} (y copy, esc cancel)")
        return " · ".join(parts)

    def append_lines(self, lines: Iterable[tuple[str, str, str | None]]) -> None:
        """Append ``(stream, text, timestamp)`` tuples; call on the UI thread, in batches."""
        batch = lines if isinstance(lines, list) else list(lines)
        if not batch:
            return
        if len(batch) > self.max_lines:
            batch = batch[-self.max_lines :]
        seq = self._next_seq
        new: list[LogLine] = []
        add = new.append
        for stream, text, timestamp in batch:
            add(LogLine(seq, stream, text, timestamp))
            seq += 1
        self._next_seq = seq
        self._lines.extend(new)
        dropped_rows = self._drop_before(self._lines[0].seq)

        visible = new
        if self._filter_re is not None:
            search = self._filter_re.search
            matching = [line for line in new if search(line.plain)]
            self._matches.extend(line.seq for line in matching)
            if self._filter_hide:
                visible = matching
        self._add_items(visible)
        self._update_virtual_size(dropped_rows)

    def clear(self) -> None:
        """Forget every line (the filter and toggles stay)."""
        self._sel_anchor = self._sel_cursor = None
        self._lines.clear()
        self._first_seq = self._next_seq
        self._matches.clear()
        self._current_seq = None
        self._row_starts.clear()
        self._rows_end = 0
        self._max_width = 0
        self._strip_cache.clear()
        with self._scrolling():
            self.scroll_to(0, 0, animate=False)
        self.virtual_size = Size(self._wrap_width if self.wrap else 0, 0)
        self.following = True
        self.refresh()

    def set_filter(self, pattern: str | None, regex: bool = False, hide: bool = True) -> None:
        """Show only lines matching ``pattern`` (``None`` or ``""`` removes the filter).

        Matching is case-insensitive, on the text as shown (no escapes, no timestamp): a
        substring by default, a regular expression with ``regex=True``. An invalid regex is
        matched literally and :attr:`filter_error` says why. With ``hide=False`` every line
        stays and matches are only highlighted (``n``/``N`` jump between them).
        """
        self.filter_error = None
        narrow_from = self._filter_literal if self._filter_re is not None else None
        self._filter_literal = None
        if not pattern:
            self._filter_pattern = None
            self._filter_re = None
        else:
            self._filter_pattern = pattern
            self._filter_regex = regex
            self._filter_hide = hide
            compiled: re.Pattern[str] | None = None
            if regex:
                try:
                    compiled = re.compile(pattern, re.IGNORECASE)
                except re.error as exc:
                    self.filter_error = str(exc)
            if compiled is None:
                compiled = re.compile(re.escape(pattern), re.IGNORECASE)
            self._filter_re = compiled
            if pattern.isascii() and (compiled.pattern != pattern or not _REGEX_SPECIAL.search(pattern)):
                self._filter_literal = pattern.lower()
        self._current_seq = None
        self._sel_anchor = self._sel_cursor = None
        # typing on: a literal that contains the previous one can only match lines that matched it
        narrow = narrow_from is not None and self._filter_literal is not None and narrow_from in self._filter_literal
        self._rebuild(refilter=True, narrow=narrow)

    def set_hide(self, hide: bool) -> None:
        """Hide the lines that do not match, or show them all with matches highlighted.

        The matches are kept: only rows are recomputed (no line is matched again).
        """
        if hide == self._filter_hide:
            return
        self._filter_hide = hide
        if self._filter_re is not None:
            self._sel_anchor = self._sel_cursor = None
            self._rebuild()

    # ------------------------------------------------------------------ selection and copy

    def start_selection(self) -> bool:
        """Select one line: the current match if on screen, else the last line on screen.

        Following pauses so the selection stays put; False when nothing is shown.
        """
        count = self._item_count()
        if not count:
            return False
        top, bottom = self._screen_items()
        seq = self._item_seq(bottom)
        current = self._current_seq
        if current is not None and self._item_seq(top) <= current <= seq:
            seq = current
        self._sel_anchor = self._sel_cursor = seq
        self.following = False
        self._strip_cache.clear()
        self.refresh()
        return True

    def clear_selection(self) -> None:
        """End the selection (nothing is copied)."""
        if self._sel_anchor is None:
            return
        self._sel_anchor = self._sel_cursor = None
        self._strip_cache.clear()
        self.refresh()

    def move_selection(self, delta: int) -> None:
        """Move the selection's cursor end by ``delta`` shown lines, keeping it on screen."""
        if self._sel_cursor is None or self._sel_anchor is None:
            return
        count = self._item_count()
        if not count:
            return
        index = min(self._item_index(self._sel_cursor), count - 1)
        index = max(0, min(count - 1, index + delta))
        self._sel_cursor = self._item_seq(index)
        self._sel_anchor = max(self._sel_anchor, self._first_seq)
        self._strip_cache.clear()
        top_row = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        first_row = self._item_row(index)
        last_row = self._item_row(index + 1) - 1
        with self._scrolling():
            if first_row < top_row:
                self.scroll_to(y=first_row, animate=False)
            elif last_row >= top_row + height:
                self.scroll_to(y=min(first_row, last_row - height + 1), animate=False)
        self.refresh()

    def _selection_range(self) -> tuple[int, int] | None:
        if self._sel_anchor is None or self._sel_cursor is None:
            return None
        lo, hi = sorted((self._sel_anchor, self._sel_cursor))
        return max(lo, self._first_seq), hi

    def _selection_count(self) -> int:
        span = self._selection_range()
        if span is None or span[1] < span[0]:
            return 0
        lo, hi = span
        if self._filter_re is not None and self._filter_hide:
            return bisect_right(self._matches, hi) - bisect_left(self._matches, lo)
        return hi - lo + 1

    def _is_selected(self, seq: int) -> bool:
        span = self._selection_range()
        return span is not None and span[0] <= seq <= span[1]

    def _lines_between(self, lo: int, hi: int) -> list[LogLine]:
        """The shown lines with ``lo <= seq <= hi``, in order."""
        if hi < lo or not self._lines:
            return []
        if self._filter_re is not None and self._filter_hide:
            matches = self._matches
            return [self._line_at(seq) for seq in matches[bisect_left(matches, lo) : bisect_right(matches, hi)]]
        first = self._first_seq
        return list(islice(self._lines, max(0, lo - first), hi - first + 1))

    def selected_lines(self) -> list[LogLine]:
        """The selected lines (shown ones only), oldest first; [] without a selection."""
        span = self._selection_range()
        return [] if span is None else self._lines_between(*span)

    def _screen_items(self) -> tuple[int, int]:
        """Indexes of the first and last shown items with a row on screen (the view is not empty)."""
        count = self._item_count()
        top_row = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        top = min(self._row_item(top_row), count - 1)
        bottom = min(self._row_item(min(top_row + height, max(1, self._row_count())) - 1), count - 1)
        return top, max(top, bottom)

    def lines_on_screen(self) -> list[LogLine]:
        """The lines with at least one row on screen, oldest first."""
        if not self._item_count():
            return []
        top, bottom = self._screen_items()
        return self._lines_between(self._item_seq(top), self._item_seq(bottom))

    def copy_text(self, lines: list[LogLine]) -> list[str]:
        """What copying ``lines`` puts on the clipboard, one string per line: the text as shown
        (no escape sequence, no control character), after the timestamp when timestamps show."""
        stamps = self.show_timestamps
        return [line.text(stamps) for line in lines]

    def search_next(self) -> bool:
        """Move to the next line matching the filter (wrapping around); False if none."""
        return self._search(forward=True)

    def search_prev(self) -> bool:
        """Move to the previous line matching the filter (wrapping around); False if none."""
        return self._search(forward=False)

    # ------------------------------------------------------------------ actions

    def action_top(self) -> None:
        """Go to the first line (pauses follow)."""
        self.following = False
        self.scroll_to(0, 0, animate=False)

    def action_bottom(self) -> None:
        """Go to the last line and follow."""
        if self.following:
            self._scroll_end()
        else:
            self.following = True

    def action_toggle_timestamps(self) -> None:
        """Show or hide timestamps."""
        self.show_timestamps = not self.show_timestamps

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or scroll horizontally."""
        self.wrap = not self.wrap

    def action_search_next(self) -> None:
        """Jump to the next match."""
        if not self.search_next():
            self.app.bell()

    def action_search_prev(self) -> None:
        """Jump to the previous match."""
        if not self.search_prev():
            self.app.bell()

    def action_select(self) -> None:
        """Start a line selection (again: end it)."""
        if self.selecting:
            self.clear_selection()
        elif not self.start_selection():
            self.app.bell()

    def action_line_down(self) -> None:
        """Extend the selection down a line, or scroll down a line."""
        if self.selecting:
            self.move_selection(1)
        else:
            self.scroll_down(animate=False)

    def action_line_up(self) -> None:
        """Extend the selection up a line, or scroll up a line."""
        if self.selecting:
            self.move_selection(-1)
        else:
            self.scroll_up(animate=False)

    def action_toggle_json(self) -> None:
        """Show JSON lines as level, message and fields, or as logged."""
        self.json_view = not self.json_view

    # ------------------------------------------------------------------ watchers

    def watch_following(self, following: bool) -> None:
        if following:
            self._current_seq = None
            self._scroll_end()

    def watch_wrap(self, wrap: bool) -> None:
        if wrap:
            with self._scrolling():
                self.scroll_to(x=0, animate=False)
        self._rebuild()

    def watch_show_timestamps(self, show: bool) -> None:
        self._rebuild()

    def watch_json_view(self, on: bool) -> None:
        self._rebuild()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._internal_scroll:
            at_end = round(new_value) >= self.max_scroll_y
            if self.following != at_end:
                self.following = at_end

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap and self._content_width() != self._wrap_width:
            self._rebuild()
        elif self.following:
            self._scroll_end()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip_cache.clear()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self._content_width()
        rich_style = self.rich_style
        row = scroll_y + y
        if row < 0 or row >= self._row_count():
            return Strip.blank(width, rich_style)
        if self.wrap and self._wrap_width > 0:
            index = bisect_right(self._row_starts, row + self._row_starts[0]) - 1
            line = self._line_at(self._item_seq(index))
            strips = self._wrapped_strips(line)
            sub = row + self._row_starts[0] - self._row_starts[index]
            strip = strips[sub] if sub < len(strips) else Strip.blank(0)
            return strip.crop_extend(0, width, rich_style)
        line = self._line_at(self._item_seq(row))
        return self._line_strip(line).crop_extend(scroll_x, scroll_x + width, rich_style)

    def _composed_text(self, line: LogLine) -> Text:
        """The line as drawn: stream mark, optional timestamp, body, highlights."""
        text = Text(style=self.rich_style, no_wrap=True, end="")
        if line.stream == "stderr":
            text.append(_STDERR_MARK, self.get_component_rich_style("logview--stderr", partial=True))
        else:
            text.append(" ")
        if self.show_timestamps and line.timestamp:
            text.append(line.timestamp, self.get_component_rich_style("logview--timestamp", partial=True))
            text.append(" ")
        offset = len(text)
        pretty = self._pretty(line) if self.json_view else None
        if pretty is not None:
            body = Text(pretty[0], spans=[Span(*mark) for mark in pretty[1]], no_wrap=True, end="")
        else:
            body = ansi.ansi_line(line.raw)
        text.append_text(body)
        if self._filter_re is not None:
            match_style = self.get_component_rich_style("logview--match", partial=True)
            for m in self._filter_re.finditer(body.plain):
                if m.end() > m.start():
                    text.stylize(match_style, offset + m.start(), offset + m.end())
        if line.seq == self._current_seq:
            current = self.get_component_rich_style("logview--current", partial=True)
            text.stylize(current, 0, len(text))
        if self._is_selected(line.seq):
            selected = self.get_component_rich_style("logview--selected", partial=True)
            text.stylize(selected, 0, len(text))
        return text

    def _to_strip(self, text: Text) -> Strip:
        console = self.app.console
        return Strip(list(text.render(console)), text.cell_len)

    def _line_strip(self, line: LogLine) -> Strip:
        key = ("n", line.seq, self.show_timestamps, line.seq == self._current_seq, self.json_view, self._is_selected(line.seq))
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self._to_strip(self._composed_text(line))
            self._strip_cache[key] = strip
            if strip.cell_length > self._max_width:  # a JSON line drawn wider than its raw text
                self._max_width = strip.cell_length
                if not self._width_pending:
                    self._width_pending = True
                    self.call_later(self._grow_width)
        return strip  # type: ignore[return-value]

    def _grow_width(self) -> None:
        self._width_pending = False
        if not self._wrapping() and self.virtual_size.width < self._max_width:
            self.virtual_size = Size(self._max_width, self._row_count())

    def _wrapped_strips(self, line: LogLine) -> list[Strip]:
        width = self._wrap_width
        key = ("w", line.seq, self.show_timestamps, line.seq == self._current_seq, width, self.json_view,
               self._is_selected(line.seq))
        strips = self._strip_cache.get(key)
        if strips is None:
            text = self._composed_text(line)
            cuts = self._cuts(line, width)
            pieces = text.divide(cuts[1:]) if len(cuts) > 1 else [text]
            strips = [self._to_strip(piece) for piece in pieces]
            self._strip_cache[key] = strips
        return strips  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def _prefix_width(self, line: LogLine) -> int:
        if self.show_timestamps and line.timestamp:
            return 2 + line.ts_width
        return 1

    def _pretty(self, line: LogLine) -> tuple[str, list] | None:
        """The JSON view of ``line`` as text and spans (parsed once and kept), or None when it
        is not a JSON object."""
        pretty = line.pretty
        if pretty is None:
            parsed = pretty_parts(line.plain) if "{" in line.plain else None
            if parsed is None:
                line.pretty = False
                return None
            plain = parsed[0]
            line.pretty = parsed
            line.pretty_simple = plain.isascii() and (line.timestamp is None or line.timestamp.isascii())
            line.pretty_width = len(plain) if plain.isascii() else cell_len(plain)
            return parsed
        return pretty if pretty is not False else None  # type: ignore[return-value]

    def _shape(self, line: LogLine) -> tuple[str, int, bool]:
        """The shown body of ``line``: its plain text, its width and whether it is simple (ASCII)."""
        if self.json_view:
            pretty = self._pretty(line)
            if pretty is not None:
                return pretty[0], line.pretty_width, line.pretty_simple
        return line.plain, line.width, line.simple

    def _cuts(self, line: LogLine, width: int) -> list[int]:
        """Character offsets where the wrapped rows of ``line`` start (first is 0)."""
        plain, body_width, simple = self._shape(line) if self.json_view else (line.plain, line.width, line.simple)
        if simple:
            total = self._prefix_width(line) + body_width
            return list(range(0, max(total, 1), width))
        key = (width, self.show_timestamps, self.json_view)
        if line.wrap_key != key:
            prefix = " "
            if self.show_timestamps and line.timestamp:
                prefix += line.timestamp + " "
            cuts = [0]
            position = 0
            for piece in chop_cells(prefix + plain, width)[:-1]:
                position += len(piece)
                cuts.append(position)
            line.wrap_key = key
            line.wrap_cuts = cuts
        return line.wrap_cuts

    def _line_rows(self, line: LogLine, width: int) -> int:
        if self.json_view:
            _, body_width, simple = self._shape(line)
        else:
            body_width, simple = line.width, line.simple
        if simple:
            total = self._prefix_width(line) + body_width
            return max(1, -(-total // width))
        return len(self._cuts(line, width))

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _item_count(self) -> int:
        if self._filter_re is not None and self._filter_hide:
            return len(self._matches)
        return len(self._lines)

    def _item_seq(self, index: int) -> int:
        if self._filter_re is not None and self._filter_hide:
            return self._matches[index]
        return self._first_seq + index

    def _item_index(self, seq: int) -> int:
        """Index of the first visible item whose seq is >= ``seq``."""
        if self._filter_re is not None and self._filter_hide:
            return bisect_left(self._matches, seq)
        return max(0, seq - self._first_seq)

    def _line_at(self, seq: int) -> LogLine:
        return self._lines[seq - self._first_seq]

    def _wrapping(self) -> bool:
        return self.wrap and self._wrap_width > 0

    def _row_count(self) -> int:
        if self._wrapping():
            return self._rows_end - self._row_starts[0] if self._row_starts else 0
        return self._item_count()

    def _item_row(self, index: int) -> int:
        if self._wrapping():
            if index >= len(self._row_starts):
                return self._row_count()
            return self._row_starts[index] - self._row_starts[0]
        return index

    def _row_item(self, row: int) -> int:
        if self._wrapping():
            if not self._row_starts:
                return 0
            return max(0, bisect_right(self._row_starts, row + self._row_starts[0]) - 1)
        return row

    def _drop_before(self, first_seq: int) -> int:
        """Forget bookkeeping for lines before ``first_seq``; return the rows that vanished."""
        old_first = self._first_seq
        self._first_seq = first_seq
        if first_seq == old_first:
            return 0
        dropped_matches = 0
        if self._filter_re is not None:
            dropped_matches = bisect_left(self._matches, first_seq)
            del self._matches[:dropped_matches]
        if self._current_seq is not None and self._current_seq < first_seq:
            self._current_seq = None
        if self._sel_anchor is not None and self._sel_cursor is not None and max(self._sel_anchor, self._sel_cursor) < first_seq:
            self._sel_anchor = self._sel_cursor = None  # every selected line dropped out
        items = dropped_matches if self._filter_re is not None and self._filter_hide else first_seq - old_first
        if not self._wrapping():
            return items
        starts = self._row_starts
        if not starts:
            return 0
        end = starts[items] if items < len(starts) else self._rows_end
        rows = end - starts[0]
        del starts[:items]
        return rows

    def _add_items(self, lines: list[LogLine]) -> None:
        """Account for newly visible lines (rows, width); reactives are read once, not per line."""
        if not lines:
            return
        stamps = self.show_timestamps
        wrapping = self._wrapping()
        if not wrapping:  # without wrap, J lines are measured when drawn (see _line_strip)
            if stamps:
                widest = max(line.width + (2 + line.ts_width if line.timestamp else 1) for line in lines)
            else:
                widest = 1 + max(map(_width, lines))
            if widest > self._max_width:
                self._max_width = widest
            return
        use_pretty = self.json_view
        if use_pretty:
            pretty = self._pretty
            for line in lines:
                if line.pretty is None:
                    pretty(line)
        width = self._wrap_width
        rows = self._line_rows
        starts = self._row_starts
        end = self._rows_end
        widest = self._max_width
        for line in lines:
            if use_pretty and line.pretty:
                body, simple = line.pretty_width, line.pretty_simple
            else:
                body, simple = line.width, line.simple
            total = body + (2 + line.ts_width if stamps and line.timestamp else 1)
            if total > widest:
                widest = total
            starts.append(end)
            end += max(1, -(-total // width)) if simple else rows(line, width)
        self._rows_end = end
        self._max_width = widest

    def _update_virtual_size(self, dropped_rows: int = 0) -> None:
        width = self._wrap_width if self._wrapping() else self._max_width
        self.virtual_size = Size(width, self._row_count())
        if self.following:
            self._scroll_end()
        elif dropped_rows:
            with self._scrolling():
                self.scroll_to(y=max(0, self.scroll_y - dropped_rows), animate=False)
        self.refresh()

    def _rebuild(self, refilter: bool = False, narrow: bool = False) -> None:
        """Recompute matches (if asked; with ``narrow`` only among the current ones), rows and
        width, keeping the top line in view."""
        anchor: int | None = None
        if not self.following and self._row_count():
            anchor = self._current_seq
            if anchor is None:
                anchor = self._item_seq(min(self._row_item(int(self.scroll_y)), self._item_count() - 1))
        if refilter:
            old = self._matches
            self._matches = []
            if self._filter_re is not None:
                search = self._filter_re.search
                if narrow:
                    before = set(old)
                    self._matches = [line.seq for line in self._lines if line.seq in before and search(line.plain)]
                else:
                    self._matches = [line.seq for line in self._lines if search(line.plain)]
        self._strip_cache.clear()
        self._wrap_width = self._content_width() if self.wrap else 0
        self._row_starts = []
        self._rows_end = 0
        self._max_width = 0
        if self._filter_re is not None and self._filter_hide:
            wanted = set(self._matches)
            visible = [line for line in self._lines if line.seq in wanted]
        else:
            visible = list(self._lines)
        self._add_items(visible)
        self.virtual_size = Size(self._wrap_width if self._wrapping() else self._max_width, self._row_count())
        if self.following:
            self._scroll_end()
        elif anchor is not None:
            with self._scrolling():
                self.scroll_to(y=self._item_row(self._item_index(anchor)), animate=False)
        self.refresh()

    # ------------------------------------------------------------------ scrolling

    class _ScrollGuard:
        def __init__(self, view: LogView) -> None:
            self.view = view

        def __enter__(self) -> None:
            self.view._internal_scroll += 1

        def __exit__(self, *exc: object) -> None:
            self.view._internal_scroll -= 1

    def _scrolling(self) -> LogView._ScrollGuard:
        """Context in which scroll changes are ours, not the user's (follow is left alone)."""
        return LogView._ScrollGuard(self)

    def _scroll_end(self) -> None:
        """Scroll to the bottom now, and again once layout has settled.

        ``max_scroll_y`` depends on whether a horizontal scrollbar is shown, which layout
        decides after the virtual size changed; without the second pass ``scroll_target_y``
        can be left one row past the end and the next ``up`` would do nothing.
        """
        with self._scrolling():
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        if not self._end_pending:
            self._end_pending = True
            self.call_after_refresh(self._settle_end)

    def _settle_end(self) -> None:
        self._end_pending = False
        if self.following:
            with self._scrolling():
                self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def _search(self, forward: bool) -> bool:
        if self._filter_re is None or not self._matches or not self._lines:
            return False
        matches = self._matches
        top_row = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        top_item = self._row_item(top_row)
        bottom_item = min(self._row_item(top_row + height - 1), self._item_count() - 1)
        count = self._item_count()
        top_seq = self._item_seq(min(top_item, count - 1))
        bottom_seq = self._item_seq(bottom_item)
        current = self._current_seq
        in_view = current is not None and top_seq <= current <= bottom_seq
        if forward:
            index = bisect_right(matches, current) if in_view else bisect_left(matches, top_seq)
            target = matches[index % len(matches)]
        else:
            index = bisect_left(matches, current) if in_view else bisect_right(matches, bottom_seq)
            target = matches[(index - 1) % len(matches)]
        self._current_seq = target
        self._strip_cache.clear()
        self.following = False
        row = self._item_row(self._item_index(target))
        if not top_row <= row < top_row + height:
            with self._scrolling():
                self.scroll_to(y=max(0, row - height // 3), animate=False)
        self.refresh()
        return True
