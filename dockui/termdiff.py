"""What reaches the terminal: only the cells that changed (a curses-style screen diff on Textual's output).

Textual repaints a changed widget region line by line from the widget's left edge: a stats tick
that changes the CPU, sparkline and memory cells of 55 rows rewrites those 55 rows from column 0,
each cell wrapped in its own SGR sequence (~280 bytes a row; 15 KB/s at 200x60 with 100 busy
containers, over an SSH link). :class:`ScreenDiff` sits between Textual's output and the
terminal (in the writer thread, see ``dockui/hangup.py``): it keeps what it last wrote to every
cell (text and SGR), and re-emits only the runs of cells whose text or style differ, with a
cursor move before each run and a style change only where the style differs.

It understands exactly what Textual writes for content -- cursor positioning (``CSI r;c H``),
SGR (``CSI ... m``), text, ``\\n`` and ``\\r`` between lines -- and passes everything else
through unchanged. Anything that could change the screen behind its back (clearing, the
alternate screen switch, scrolling, an unknown escape, a control character, a hyperlink, a
resize, a chunk cut inside an escape sequence) makes it forget the screen, so the next output
is written in full: the cost of not knowing is bytes, never a wrong screen.
``DOCKUI_TERMDIFF=0`` turns it off.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable

from rich.cells import cell_len, get_character_cell_size

_TOKEN = re.compile(
    r"\x1b\[(\d*)(?:;(\d*))?H"  # 1, 2: cursor position
    r"|\x1b\[([0-9;:]*)m"  # 3: SGR
    r"|([^\x00-\x1f\x7f\x1b]+)"  # 4: text
    r"|(\n)|(\r)"  # 5, 6
    r"|(\x1b\[[?>=<][0-9;:$ ]*[@-~])"  # 7: private CSI (modes, queries)
    r"|(\x1b\][^\x07\x1b]*(?:\x07|\x1b\\))"  # 8: OSC string
    r"|(\x1b[P_^X][^\x1b]*\x1b\\)"  # 9: DCS/APC/PM/SOS string
    r"|(\x1b\[[0-9;:]*[ -/]*[@-~]|\x1b[ -/]*[0-~]|[\x00-\x1f\x7f])"  # 10: anything else: forget the screen
)
_INCOMPLETE = re.compile(r"\x1b(?:\[[0-9;:?>=<$ ]*|\][^\x07\x1b]*|[P_^X][^\x1b]*)?$")
_ALT_SCREEN = re.compile(r"\x1b\[\?(?:1049|1047|47)[hl]")


def _width(ch: str, cache: dict[str, int] = {}) -> int:  # noqa: B006 - a deliberate shared cache
    w = cache.get(ch)
    if w is None:
        w = cache[ch] = get_character_cell_size(ch)
    return w


def _cells(text: str) -> list[str]:
    """``text`` as one entry per screen cell: a wide character then "" for its second cell;
    zero-width characters join the character before them."""
    if text.isascii():
        return list(text)
    out: list[str] = []
    for ch in text:
        w = _width(ch)
        if w == 0 and out:
            i = len(out) - 1
            while i > 0 and out[i] == "":
                i -= 1
            out[i] += ch
        elif w == 2:
            out += (ch, "")
        else:
            out.append(ch)
    return out


def _first_difference(a: list, b: list) -> int:
    """The first index where two lists of one length differ (they do differ somewhere)."""
    lo, hi = 0, len(b) - 1
    while lo < hi:  # invariant: a[:lo] == b[:lo], and they differ at or before hi
        mid = (lo + hi) // 2
        if a[lo : mid + 1] == b[lo : mid + 1]:
            lo = mid + 1
        else:
            hi = mid
    return lo


REST_CHUNK = 4096  # a chunk this big ...
REST_RATIO = 0.6  # ... that the diff could not shrink below this share of it ...
REST_SECONDS = 0.5  # ... makes the diff rest (pass output through) for this long


class ScreenDiff:
    """Feed it Textual's output chunks; it returns what to write instead."""

    def __init__(self, size: Callable[[], tuple[int, int] | None] = lambda: None) -> None:
        self._size_of = size
        self._size: tuple[int, int] | None = None
        self._chars: dict[int, list[str | None]] = {}
        self._styles: dict[int, list[str | None]] = {}
        self._pending = ""
        self._resting_until = 0.0
        self.forget()
        self.bytes_in = 0
        self.bytes_out = 0

    def forget(self) -> None:
        """Nothing is known about the screen, the cursor or the terminal's style."""
        self._chars.clear()
        self._styles.clear()
        self._y: int | None = None  # where the output being read has put the cursor (None: unknown)
        self._x = 0
        self._ty: int | None = None  # where the terminal's cursor is (None: unknown)
        self._tx = 0
        self._style = ""  # the style the output being read has set (SGR sequences since a reset)
        self._tstyle: str | None = ""  # the terminal's current style (None: unknown)

    # ------------------------------------------------------------------ feeding
    def feed(self, data: str) -> str:
        self.bytes_in += len(data)
        size = self._size_of()
        if size != self._size:
            self._size = size
            self.forget()
        if self._pending:
            data, self._pending = self._pending + data, ""
        now = time.monotonic()
        if now < self._resting_until:  # a flood: the terminal gets Textual's output as it is
            self._tstyle = None  # (Textual resets its style after every segment, but be sure)
            self.bytes_out += len(data)
            return data
        result = self._feed(data)
        if len(data) > REST_CHUNK and len(result) > REST_RATIO * len(data):
            # nearly everything changed (a shell pane flooding, a new screen): comparing costs
            # CPU the UI needs and saves nothing, so rest a while; the screen is re-learnt after
            self.forget()
            self._resting_until = now + REST_SECONDS
        return result

    def _feed(self, data: str) -> str:
        if "\x1b]8;" in data:  # hyperlinks: their state is not modelled
            self.forget()
            self.bytes_out += len(data)
            return data
        last = data.rfind("\x1b")
        if last >= 0 and _INCOMPLETE.match(data, last):
            data, self._pending = data[:last], data[last:]
        out: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(data):
            if m.start() != pos:  # not understood: pass it on and forget the screen
                out.append(data[pos : m.start()])
                self._lost()
            pos = m.end()
            kind = m.lastindex
            if kind == 4:
                self._text(m.group(4), out)
            elif kind == 3:
                params = m.group(3)
                if params in ("", "0"):
                    self._style = ""
                elif params.startswith("0;"):
                    self._style = f"\x1b[{params[2:]}m"
                else:
                    self._style += m.group(0)
            elif kind == 1 or kind == 2:
                self._y = int(m.group(1) or 1) - 1
                self._x = int(m.group(2) or 1) - 1
            elif kind == 5:
                if self._y is None or self._size is None or self._y >= self._size[1] - 1:
                    # from an unknown place, or at the bottom (where a line feed scrolls): as it came
                    self._sync_cursor(out)
                    out.append("\n")
                    self._lost(styled=True)
                else:
                    self._y += 1
            elif kind == 6:
                if self._y is None:
                    self._sync_cursor(out)
                    out.append("\r")
                else:
                    self._x = 0
            elif kind == 7:
                self._sync_cursor(out)
                out.append(m.group(7))
                if _ALT_SCREEN.fullmatch(m.group(7)):
                    self.forget()
            elif kind == 8 or kind == 9:
                self._sync_cursor(out)
                out.append(m.group(0))
            else:
                self._sync_cursor(out)
                out.append(m.group(0))
                self._lost()
        if pos != len(data):
            out.append(data[pos:])
            self._lost()
        self._sync_cursor(out)
        result = "".join(out)
        self.bytes_out += len(result)
        return result

    def flush_pending(self) -> str:
        """A chunk ended inside an escape sequence and nothing followed: write it as it was."""
        data, self._pending = self._pending, ""
        if data:
            self._lost()
        return data

    def _lost(self, y: int | None = None, x: int = 0, styled: bool = False) -> None:
        """Something was written that is not modelled: forget the screen and the terminal's
        cursor and style; the output's cursor is unknown too unless given (``styled``: plain
        text, which left the terminal's style as it was)."""
        style, tstyle = self._style, self._tstyle
        self.forget()
        self._y, self._x, self._style, self._tstyle = y, x, style, tstyle if styled else None

    def _sync_cursor(self, out: list[str]) -> None:
        """Put the terminal's cursor and style where the output being read left them (before
        anything that is passed through -- an erase paints in the current style -- and at the
        end of each chunk)."""
        if self._y is not None and (self._ty != self._y or self._tx != self._x):
            out.append(f"\x1b[{self._y + 1};{self._x + 1}H")
            self._ty, self._tx = self._y, self._x
        if self._tstyle != self._style:
            out.append(self._style if self._tstyle == "" else "\x1b[0m" + self._style)
            self._tstyle = self._style

    # ------------------------------------------------------------------ text
    def _text(self, text: str, out: list[str]) -> None:
        cells = _cells(text)
        n = len(cells)
        y, x, style = self._y, self._x, self._style
        if y is None or self._size is None or x + n > self._size[0] or y >= self._size[1] or not _width(text[0]):
            # from an unknown place, past the right edge (the terminal wraps), or a combining
            # character that joins a cell written before: write it as it came
            self._sync_cursor(out)
            out.append(text)
            inside = y is not None and self._size is not None and x + cell_len(text) < self._size[0]
            self._lost(y if inside else None, x + cell_len(text), styled=True)
            return
        chars = self._chars.get(y)
        if chars is None:
            chars = self._chars[y] = []
            self._styles[y] = []
        styles = self._styles[y]
        end = x + n
        if len(chars) < end + 1:
            grow = end + 1 - len(chars)
            chars += [None] * grow
            styles += [None] * grow
        self._x = end
        if chars[x:end] == cells and styles[x:end] == [style] * n:
            return
        # a wide character half overwritten leaves its other half blank on the terminal
        if x > 0 and chars[x] == "":
            chars[x - 1] = None
        if chars[end] == "":
            chars[end] = None
        # the changed part: from the first cell that differs to the last (Textual writes each
        # cell of a table as its own segment, so a segment's changes are seldom far apart);
        # found with slice comparisons, which run at C speed
        if styles[x:end] == [style] * n:
            old = chars[x:end]
            start = _first_difference(old, cells)
            old.reverse()
            rcells = cells[::-1]
            stop = n - _first_difference(old, rcells)
        else:
            start, stop = 0, n
        while start > 0 and cells[start] == "":  # never start on the second half of a wide char
            start -= 1
        while stop < n and cells[stop] == "":
            stop += 1
        self._emit(y, x + start, cells[start:stop], style, out)
        chars[x + start : x + stop] = cells[start:stop]
        styles[x + start : x + stop] = [style] * (stop - start)

    def _emit(self, y: int, x: int, cells: list[str], style: str, out: list[str]) -> None:
        if self._ty != y or self._tx != x:
            out.append(f"\x1b[{y + 1};{x + 1}H")
        if self._tstyle != style:
            out.append(style if self._tstyle == "" else "\x1b[0m" + style)
            self._tstyle = style
        out.append("".join(cells))
        self._ty, self._tx = y, x + len(cells)


def enabled() -> bool:
    return os.environ.get("DOCKUI_TERMDIFF", "1") not in ("0", "off", "no", "false")


def terminal_size(fd: int) -> Callable[[], tuple[int, int] | None]:
    def size() -> tuple[int, int] | None:
        try:
            s = os.get_terminal_size(fd)
        except OSError:
            return None
        return s.columns, s.lines

    return size
