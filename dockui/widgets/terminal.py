"""The TTY pane: a Textual widget that draws a ``pyte`` terminal and talks bytes.

This module owns terminal *emulation and presentation* and nothing else: it does not know
about Docker, sockets or threads. Its owner (an exec or attach session) wires two callables
in and pushes output bytes out:

* ``send(data: bytes)`` -- the widget calls it on the UI thread with the bytes a terminal
  would write to the process: key presses, pastes, and the answers to the program's queries
  (cursor position report ``ESC[6n``, device status, device attributes). It must not block;
  queueing the write is the owner's job.
* ``on_resize(rows, cols)`` -- called (debounced, ~75 ms) when the pane's size changes, so
  the owner can resize the process's TTY (``exec_resize``). :attr:`TerminalView.terminal_size`
  gives the current size for the first request (``ConsoleSize``).
* :meth:`TerminalView.feed` -- thread-safe: the owner's reader thread hands it raw output
  bytes. They wait in a lock-protected buffer; one coalesced wake-up message starts a ~60 Hz
  timer that feeds at most a bounded amount per tick into a ``pyte.ByteStream`` (so UTF-8
  split across reads decodes correctly) and repaints only the rows ``pyte`` marks dirty.
  If the backlog grows past :attr:`TerminalView.HIGH_WATER` bytes, ``feed`` called from a
  non-UI thread waits (back-pressure, like a real terminal), so a flood cannot eat memory.
* :meth:`TerminalView.closed` -- the session ended: a dim banner is shown on the bottom row
  and key presses are no longer sent (they bubble up, so the owner can bind ``q``/``esc``).

Keys: every key is translated to xterm bytes and consumed (``ctrl+c`` goes to the process
as ``\\x03``), except the *escape-hatch* keys in :attr:`TerminalView.escape_keys` (default
:data:`DEFAULT_ESCAPE_KEYS`: ``ctrl+right_square_bracket`` and ``ctrl+q``), which are left to
bubble so the user can always leave the pane. ``shift+pageup``/``shift+pagedown`` scroll
through a bounded scrollback (2000 lines by default); any other key returns to the live view.

Emulation beyond ``pyte``: an alternate screen buffer (private modes 47/1047/1049), DECCKM
(application cursor keys), bracketed paste (2004), scrollback, O(1) scrolling and a fast path
for plain ASCII text so a flood of output stays cheap. Everything on screen is drawn from
``pyte``'s cells (control characters stripped), never passed through to the real terminal.

Known limitation: ``pyte``'s parser drops the ``>`` of ``CSI > ...`` sequences, so a program
that sends xterm's modifyOtherKeys (``ESC[>4;2m``) sets SGR attributes until its next reset.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import pyte
from pyte import modes as pyte_modes
from pyte.charsets import LAT1_MAP
from pyte.screens import Char, Cursor, StaticDefaultDict
from rich.cells import cell_len
from rich.color import Color, ColorParseError
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.types import NoActiveAppError
from textual.widget import Widget

__all__ = ["DEFAULT_ESCAPE_KEYS", "TerminalView", "TerminalScreen", "key_to_bytes"]

DEFAULT_ESCAPE_KEYS: frozenset[str] = frozenset({"ctrl+right_square_bracket", "ctrl+q"})
"""Keys the pane never consumes, so the app can use them to leave it (``ctrl+]``, ``ctrl+q``)."""

_ALT_SCREEN_MODES = frozenset({47, 1047, 1049})
_DECCKM = 1
_BRACKETED_PASTE = 2004

Line = StaticDefaultDict[int, Char]
_BLANK = Char(" ")
_BLANK_REVERSE = Char(" ", reverse=True)


# --------------------------------------------------------------------------------------------
# Emulation: pyte screen with alternate buffer, scrollback and cheap scrolling
# --------------------------------------------------------------------------------------------


class _LineBuffer:
    """The rows of a screen, addressed 0..lines-1, that scroll up in O(1).

    Behaves like the ``defaultdict`` ``pyte.Screen`` uses for ``buffer`` (missing rows are
    created on access), but keys are stored offset by ``_base`` so scrolling the whole screen
    by one row is ``_base += 1`` instead of moving every row.
    """

    __slots__ = ("_rows", "_base", "_factory")

    def __init__(self, factory: Callable[[], Line]) -> None:
        self._rows: dict[int, Line] = {}
        self._base = 0
        self._factory = factory

    def __getitem__(self, y: int) -> Line:
        key = y + self._base
        line = self._rows.get(key)
        if line is None:
            line = self._rows[key] = self._factory()
        return line

    def __setitem__(self, y: int, line: Line) -> None:
        self._rows[y + self._base] = line

    def __delitem__(self, y: int) -> None:
        del self._rows[y + self._base]

    def __contains__(self, y: object) -> bool:
        return isinstance(y, int) and (y + self._base) in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[int]:
        base = self._base
        return iter([key - base for key in self._rows])

    def get(self, y: int, default: Line | None = None) -> Line | None:
        return self._rows.get(y + self._base, default)

    def pop(self, y: int, *default: Any) -> Any:
        return self._rows.pop(y + self._base, *default)

    def keys(self) -> list[int]:
        return list(self)

    def values(self) -> Iterable[Line]:
        return self._rows.values()

    def items(self) -> list[tuple[int, Line]]:
        base = self._base
        return [(key - base, line) for key, line in self._rows.items()]

    def clear(self) -> None:
        self._rows.clear()
        self._base = 0

    def scroll_up(self, bottom: int) -> Line | None:
        """Drop row 0 (returned, or ``None`` if it was never written) and shift rows up;
        row ``bottom`` becomes empty."""
        line = self._rows.pop(self._base, None)
        self._base += 1
        self._rows.pop(self._base + bottom, None)
        return line


class _ByteStream(pyte.ByteStream):
    """``pyte.ByteStream`` that runs the common C0 controls (CR, LF, BS, HT, BEL) directly
    while the parser is idle instead of through its generator: same result, less overhead."""

    def feed(self, data: bytes) -> None:  # type: ignore[override]
        if not self.use_utf8:
            super().feed(data)
            return
        text = self.utf8_decoder.decode(data)
        listener = self.listener
        assert listener is not None
        draw = listener.draw
        controls = {
            "\r": listener.carriage_return,
            "\n": listener.linefeed,
            "\x0b": listener.linefeed,
            "\x0c": listener.linefeed,
            "\x08": listener.backspace,
            "\t": listener.tab,
            "\x07": listener.bell,
        }
        get_control = controls.get
        carriage_return = listener.carriage_return
        linefeed = listener.linefeed
        send = self._send_to_parser
        match_text = self._text_pattern.match
        taking_plain_text = self._taking_plain_text
        length = len(text)
        offset = 0
        while offset < length:
            if taking_plain_text:
                control = get_control(text[offset])
                if control is not None:
                    control()
                    offset += 1
                    continue
                match = match_text(text, offset)
                if match:
                    end = match.end()
                    draw(text[offset:end])
                    if text.startswith("\r\n", end):  # the usual end of a line
                        carriage_return()
                        linefeed()
                        end += 2
                    offset = end
                    continue
                taking_plain_text = False
            else:
                try:
                    taking_plain_text = send(text[offset])
                except Exception:  # pyte reset its parser: drop the malformed sequence
                    taking_plain_text = True
                offset += 1
        self._taking_plain_text = taking_plain_text


_NOT_PLAIN = re.compile(rb"[^\x20-\x7e\r\n]")


def flood_skip(data: bytes, screen: TerminalScreen, stream: _ByteStream) -> int:
    """How many leading bytes of ``data`` (output not yet fed) can be left out unseen: plain text
    (printable ASCII, CR, LF) ending in CR LF and followed by at least ``2 * lines + history + 1``
    more plain lines. Fed or not, those bytes end up nowhere: the lines after them scroll every row
    they would write off the screen and out of the scrollback (half of that count covers the rows
    already on screen, whatever the cursor's row). So a flood (``seq 1 200000``, a chatty build)
    costs the emulator the last screenful and scrollback instead of every line. 0 when the parser
    is inside a sequence or a UTF-8 character, a scroll region is set, or there is too little."""
    if screen.margins is not None or not stream._taking_plain_text or stream.utf8_decoder.getstate()[0]:
        return 0
    keep = 2 * screen.lines + (screen.history.maxlen or 0) + 1
    end = data.rfind(b"\n")
    if end < 0:
        return 0
    bad = _NOT_PLAIN.search(data, 0, end)
    if bad is not None:
        end = data.rfind(b"\n", 0, bad.start())  # the plain run ends before the first other byte
    cut = end + 1
    for _ in range(keep + 1):  # the newline with ``keep`` plain lines after it
        cut = data.rfind(b"\n", 0, cut)
        if cut < 1:
            return 0
    if data[cut - 1] != 0x0D:  # after a bare LF the column depends on the line before
        return 0
    return cut + 1


class _CharCache(dict):
    """``Char`` objects for one set of attributes, built once per character."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: Char) -> None:
        super().__init__()
        self.attrs = attrs

    def __missing__(self, char: str) -> Char:
        value = self[char] = self.attrs._replace(data=char)
        return value


class TerminalScreen(pyte.Screen):
    """A ``pyte.Screen`` with what a real terminal needs and ``pyte`` lacks.

    * ``reply(data)`` receives the answers to the program's queries (``write_process_input``).
    * Alternate screen buffer for private modes 47, 1047 and 1049.
    * ``app_cursor_keys`` (DECCKM) and ``bracketed_paste`` (mode 2004) flags.
    * Bounded scrollback in :attr:`history` (rows that scroll off the top of the main screen).
    * O(1) full-screen scrolling and a fast path for ASCII text.
    """

    def __init__(self, columns: int, lines: int, reply: Callable[[bytes], None] | None = None, history: int = 2000) -> None:
        self.reply = reply
        self.history: deque[Line | None] = deque(maxlen=max(0, history))
        self.history_pushed = 0
        """Rows ever pushed to :attr:`history` (monotonic; lets a scrolled view stay put)."""
        self.app_cursor_keys = False
        self.bracketed_paste = False
        self._alt: tuple[_LineBuffer, Cursor, int] | None = None
        self._char_caches: dict[Char, _CharCache] = {}
        super().__init__(columns, lines)
        self.buffer = _LineBuffer(self._new_line)  # type: ignore[assignment]

    @property
    def default_char(self) -> Char:
        return _BLANK_REVERSE if pyte_modes.DECSCNM in self.mode else _BLANK

    def _new_line(self) -> Line:
        return StaticDefaultDict(_BLANK_REVERSE if pyte_modes.DECSCNM in self.mode else _BLANK)

    # -- state ----------------------------------------------------------------------------

    @property
    def in_alternate_screen(self) -> bool:
        return self._alt is not None

    def reset(self) -> None:
        alt = getattr(self, "_alt", None)
        if alt is not None:
            self.buffer = alt[0]  # type: ignore[assignment]
            self._alt = None
        self.app_cursor_keys = False
        self.bracketed_paste = False
        super().reset()

    # -- answers to the program -------------------------------------------------------------

    def write_process_input(self, data: str) -> None:
        if self.reply is not None:
            self.reply(data.encode("utf-8"))

    def report_device_status(self, mode: int = 0, **kwargs: Any) -> None:
        if mode == 5:
            self.write_process_input("\x1b[0n")
        elif mode == 6:
            x = min(self.cursor.x, self.columns - 1) + 1
            y = self.cursor.y + 1
            if pyte_modes.DECOM in self.mode and self.margins is not None:
                y -= self.margins.top
            self.write_process_input(f"\x1b[{y};{x}R")

    # -- modes ------------------------------------------------------------------------------

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
            for mode in modes:
                if mode in _ALT_SCREEN_MODES:
                    self._enter_alternate(mode)
                elif mode == _DECCKM:
                    self.app_cursor_keys = True
                elif mode == _BRACKETED_PASTE:
                    self.bracketed_paste = True
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
            for mode in modes:
                if mode in _ALT_SCREEN_MODES:
                    self._leave_alternate()
                elif mode == _DECCKM:
                    self.app_cursor_keys = False
                elif mode == _BRACKETED_PASTE:
                    self.bracketed_paste = False
        super().reset_mode(*modes, **kwargs)

    def _enter_alternate(self, mode: int) -> None:
        if self._alt is not None:
            return
        c = self.cursor
        saved = Cursor(c.x, c.y, c.attrs)
        saved.hidden = c.hidden
        self._alt = (self.buffer, saved, mode)  # type: ignore[arg-type]
        self.buffer = _LineBuffer(self._new_line)  # type: ignore[assignment]
        self.dirty.update(range(self.lines))

    def _leave_alternate(self) -> None:
        if self._alt is None:
            return
        main, saved, mode = self._alt
        self._alt = None
        for y in [y for y in main if y >= self.lines or y < 0]:
            main.pop(y, None)
        for line in main.values():
            for x in [x for x in line if x >= self.columns]:
                line.pop(x, None)
        self.buffer = main  # type: ignore[assignment]
        if mode == 1049:
            self.cursor.x = min(saved.x, self.columns - 1)
            self.cursor.y = min(saved.y, self.lines - 1)
            self.cursor.attrs = saved.attrs
        self.dirty.update(range(self.lines))

    # -- scrolling and scrollback -----------------------------------------------------------

    def skipped_plain(self, newlines: int) -> None:
        """Plain text of ``newlines`` lines was left out (:func:`flood_skip`): put the cursor where
        it would be (column 0 after its CR LF; the row does not matter, the lines that follow
        scroll every row away) and count the rows it would have pushed to the scrollback."""
        self.cursor.x = 0
        self.cursor.y = min(self.cursor.y + newlines, self.lines - 1)
        if self._alt is None and self.history.maxlen:
            self.history_pushed += newlines
        self.dirty.update(range(self.lines))

    def _push_history(self, line: Line | None) -> None:
        if self._alt is None and self.history.maxlen:
            self.history.append(line)
            self.history_pushed += 1

    def index(self) -> None:
        cursor = self.cursor
        lines = self.lines
        margins = self.margins
        if margins is None:
            if cursor.y < lines - 1:
                cursor.y += 1
                return
            line = self.buffer.scroll_up(lines - 1)  # type: ignore[attr-defined]
            if self._alt is None and self.history.maxlen:
                self.history.append(line)
                self.history_pushed += 1
        else:
            top, bottom = margins
            if cursor.y != bottom:
                self.cursor_down()
                return
            buffer: _LineBuffer = self.buffer  # type: ignore[assignment]
            if top == 0:
                self._push_history(buffer.get(0))
            for y in range(top, bottom):
                nxt = buffer.get(y + 1)
                if nxt is None:
                    buffer.pop(y, None)
                else:
                    buffer[y] = nxt
            buffer.pop(bottom, None)
        if len(self.dirty) < lines:
            self.dirty.update(range(lines))

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        super().erase_in_display(how, *args, **kwargs)
        if how == 3:
            self.history.clear()

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """Resize like a terminal: when rows shrink, rows above the cursor go to scrollback
        (only as many as needed to keep the cursor on screen); rows below are dropped."""
        lines = lines or self.lines
        columns = columns or self.columns
        if lines == self.lines and columns == self.columns:
            return
        buffer: _LineBuffer = self.buffer  # type: ignore[assignment]
        if lines < self.lines:
            excess = self.cursor.y - (lines - 1)
            for _ in range(max(0, excess)):
                self._push_history(buffer.scroll_up(self.lines - 1))
            if excess > 0:
                self.cursor.y -= excess
            for y in range(lines, self.lines):
                buffer.pop(y, None)
        if columns < self.columns:
            for line in buffer.values():
                for x in [x for x in line if x >= columns]:
                    line.pop(x, None)
        elif columns > self.columns:
            self.tabstops.update(range(self.columns - self.columns % 8 + 8, columns, 8))
        self.lines, self.columns = lines, columns
        self.margins = None
        self.cursor.x = min(self.cursor.x, columns - 1)
        self.cursor.y = min(self.cursor.y, lines - 1)
        self.dirty.update(range(lines))

    # -- drawing ----------------------------------------------------------------------------

    def draw(self, data: str) -> None:
        """Fast path for plain ASCII in the default charset; everything else goes to pyte."""
        if not (data.isascii() and data.isprintable()) or self.charset or self.g0_charset is not LAT1_MAP or pyte_modes.IRM in self.mode:
            super().draw(data)
            return
        cursor = self.cursor
        attrs = cursor.attrs
        cache = self._char_caches.get(attrs)
        if cache is None:
            if len(self._char_caches) > 256:
                self._char_caches.clear()
            cache = self._char_caches[attrs] = _CharCache(attrs)
        columns = self.columns
        x = cursor.x
        n = len(data)
        if x + n <= columns:  # the common case: it fits on the line
            line = self.buffer[cursor.y]
            if n == 1:
                line[x] = cache[data]
            else:
                line.update(zip(range(x, x + n), map(cache.__getitem__, data), strict=True))
            cursor.x = x + n
            self.dirty.add(cursor.y)
            return
        autowrap = pyte_modes.DECAWM in self.mode
        dirty = self.dirty
        i = 0
        while i < n:
            if cursor.x >= columns:
                if autowrap:
                    dirty.add(cursor.y)
                    cursor.x = 0
                    self.linefeed()
                else:
                    # Without autowrap every further character overwrites the last column.
                    self.buffer[cursor.y][columns - 1] = cache[data[n - 1]]
                    break
            x = cursor.x
            take = min(n - i, columns - x)
            line = self.buffer[cursor.y]
            line.update(zip(range(x, x + take), map(cache.__getitem__, data[i : i + take]), strict=True))
            cursor.x = x + take
            i += take
            dirty.add(cursor.y)


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------

_SIMPLE_KEYS: dict[str, bytes] = {
    "enter": b"\r",
    "ctrl+m": b"\r",
    "tab": b"\t",
    "ctrl+i": b"\t",
    "shift+tab": b"\x1b[Z",
    "backspace": b"\x7f",
    "shift+backspace": b"\x7f",
    "ctrl+backspace": b"\x08",
    "ctrl+h": b"\x08",
    "escape": b"\x1b",
    "ctrl+left_square_bracket": b"\x1b",
    "space": b" ",
    "shift+space": b" ",
    "ctrl+@": b"\x00",
    "ctrl+at": b"\x00",
    "ctrl+space": b"\x00",
    "ctrl+backslash": b"\x1c",
    "ctrl+right_square_bracket": b"\x1d",
    "ctrl+circumflex_accent": b"\x1e",
    "ctrl+underscore": b"\x1f",
    "ctrl+j": b"\n",
    "newline": b"\n",
}
_CURSOR_KEYS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}
_TILDE_KEYS = {
    "insert": 2,
    "delete": 3,
    "pageup": 5,
    "pagedown": 6,
    "f5": 15,
    "f6": 17,
    "f7": 18,
    "f8": 19,
    "f9": 20,
    "f10": 21,
    "f11": 23,
    "f12": 24,
}
_SS3_KEYS = {"f1": "P", "f2": "Q", "f3": "R", "f4": "S"}
_MODIFIER_BITS = {"shift": 1, "alt": 2, "meta": 2, "ctrl": 4}


def key_to_bytes(key: str, character: str | None = None, app_cursor_keys: bool = False) -> bytes | None:
    """The bytes an xterm sends for a Textual key, or ``None`` if it sends nothing.

    ``key`` is a Textual key name (``"ctrl+c"``, ``"up"``, ``"alt+x"``, ``"f5"``),
    ``character`` the event's character, ``app_cursor_keys`` the DECCKM state.
    """
    simple = _SIMPLE_KEYS.get(key)
    if simple is not None:
        return simple
    *mods, base = key.split("+") if key != "+" else ("+",)
    modifier = 1 + sum(_MODIFIER_BITS.get(m, 0) for m in set(mods))
    if base in _CURSOR_KEYS:
        final = _CURSOR_KEYS[base]
        if modifier > 1:
            return f"\x1b[1;{modifier}{final}".encode()
        return (("\x1bO" if app_cursor_keys else "\x1b[") + final).encode()
    if base in _TILDE_KEYS:
        number = _TILDE_KEYS[base]
        return (f"\x1b[{number};{modifier}~" if modifier > 1 else f"\x1b[{number}~").encode()
    if base in _SS3_KEYS:
        final = _SS3_KEYS[base]
        return (f"\x1b[1;{modifier}{final}" if modifier > 1 else f"\x1bO{final}").encode()
    if "alt" in mods or "meta" in mods:
        rest = "+".join([m for m in mods if m not in ("alt", "meta")] + [base])
        inner = key_to_bytes(rest, character, app_cursor_keys)
        return b"\x1b" + inner if inner else None
    if "ctrl" in mods and len(base) == 1 and "a" <= base.lower() <= "z":
        return bytes([ord(base.lower()) - 96])
    if character:
        if character.isprintable() or (len(character) == 1 and ord(character) < 32):
            return character.encode("utf-8")
        return None
    if len(base) == 1 and (not mods or mods == ["shift"]):
        return (base.upper() if mods else base).encode("utf-8")
    return None


# --------------------------------------------------------------------------------------------
# Rendering helpers
# --------------------------------------------------------------------------------------------

_NAMED_COLORS = {
    "black": "black",
    "red": "red",
    "green": "green",
    "brown": "yellow",
    "yellow": "yellow",
    "blue": "blue",
    "magenta": "magenta",
    "cyan": "cyan",
    "white": "white",
}


def _to_color(name: str) -> Color | None:
    """A Rich colour for a pyte colour name (``"red"``, ``"brightbrown"``, ``"ff8700"``)."""
    if name == "default":
        return None
    if name in _NAMED_COLORS:
        return Color.parse(_NAMED_COLORS[name])
    if name.startswith(("bright", "bfight")):  # pyte spells bright magenta background "bfightmagenta"
        plain = _NAMED_COLORS.get(name[6:])
        return Color.parse("bright_" + plain) if plain else None
    if len(name) == 6:
        try:
            return Color.parse("#" + name)
        except ColorParseError:
            return None
    try:
        return Color.parse(name)
    except ColorParseError:
        return None


def _clean(data: str) -> str:
    """Cell text with control and format characters removed (never reaches the terminal)."""
    cleaned = "".join(c for c in data if c.isprintable())
    return cleaned or " "


class _Wake(Message, bubble=False):
    """Output (or a close) is pending; one is enough, newer ones replace older."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _Wake)


# --------------------------------------------------------------------------------------------
# The widget
# --------------------------------------------------------------------------------------------


class TerminalView(Widget, can_focus=True):
    """A terminal pane drawn from a ``pyte`` screen; transport-agnostic (see module doc).

    Args:
        send: Writes bytes to the process; called on the UI thread, must not block.
        on_resize: Called as ``on_resize(rows, cols)`` after the size settles (debounced).
        escape_keys: Keys left to bubble (default :data:`DEFAULT_ESCAPE_KEYS`).
        history: Scrollback rows to keep.
    """

    is_terminal: ClassVar[bool] = True
    """Screens check this instead of importing the class (pyte loads with the first pane)."""

    DEFAULT_CSS = """
    TerminalView {
        width: 1fr;
        height: 1fr;
        background: $background;
        color: $foreground;
    }
    """

    TICK_HZ: ClassVar[float] = 60.0
    """Screen updates per second while output is pending."""
    FEED_BYTES_PER_TICK: ClassVar[int] = 256 * 1024
    """Most bytes fed to pyte in one tick; the rest waits for the next."""
    FEED_SECONDS_PER_TICK: ClassVar[float] = 0.010
    """Most time spent feeding pyte in one tick (checked between slices)."""
    FEED_SLICE: ClassVar[int] = 4 * 1024
    HIGH_WATER: ClassVar[int] = 8 * 1024 * 1024
    """Backlog above which :meth:`feed` from a non-UI thread waits for the UI to catch up."""
    FLOOD_SKIP_BYTES: ClassVar[int] = 64 * 1024
    """Backlog from which plain lines that could only scroll past unseen are left out (:func:`flood_skip`)."""
    FLOOD_PAINT_INTERVAL: ClassVar[float] = 0.05
    """Least time between repaints while a backlog of output is draining."""
    RESIZE_DEBOUNCE: ClassVar[float] = 0.075
    """Seconds the size must stay still before ``on_resize`` is called."""

    def __init__(
        self,
        send: Callable[[bytes], None],
        on_resize: Callable[[int, int], None] | None = None,
        *,
        escape_keys: Iterable[str] | None = None,
        history: int = 2000,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._send = send
        self._resize_callback = on_resize
        self.escape_keys: frozenset[str] = frozenset(DEFAULT_ESCAPE_KEYS if escape_keys is None else escape_keys)
        self._screen = TerminalScreen(80, 24, reply=self._reply, history=history)
        self._stream = _ByteStream(self._screen)
        # Shared with the reader thread (guarded by _lock):
        self._lock = threading.Lock()
        self._drained = threading.Condition(self._lock)
        self._pending: deque[bytes] = deque()
        self._pending_len = 0
        self._received = 0  # bytes fed in, ever
        self._skip_tried_at = 0  # _received when the flood skip last looked
        self._wake_posted = False
        self._detached = False
        # UI thread only:
        self._ended = False
        self._end_message: str | None = None
        self._banner: str | None = None
        self._timer: Timer | None = None
        self._resize_timer: Timer | None = None
        self._reported_size: tuple[int, int] | None = None
        self._scroll = 0
        self._last_cursor: tuple[int, int] = (0, 0)
        self._painted_at = 0.0
        self._pushed_at_paint = 0
        self._styles: dict[tuple[Any, ...], Style] = {}
        self._styles_base: Style | None = None
        self.skipped_bytes = 0
        """Output left out unseen by the flood skip (:func:`flood_skip`), for tests and benchmarks."""

    # -- public API ---------------------------------------------------------------------------

    @property
    def terminal_size(self) -> tuple[int, int]:
        """``(rows, cols)`` of the emulated terminal."""
        return self._screen.lines, self._screen.columns

    @property
    def screen_state(self) -> TerminalScreen:
        """The emulated screen (read on the UI thread only)."""
        return self._screen

    @property
    def is_closed(self) -> bool:
        return self._ended

    @property
    def pending_bytes(self) -> int:
        """Output received but not yet fed to the emulator."""
        with self._lock:
            return self._pending_len

    @property
    def output_idle(self) -> bool:
        """True when every byte fed so far has been drawn (nothing pending, no tick due)."""
        with self._lock:
            return not self._pending and not self._wake_posted

    @property
    def scrollback_offset(self) -> int:
        """Rows the view is scrolled back from the live screen (0 = live)."""
        return self._scroll

    @property
    def terminal_title(self) -> str:
        """The title the program set (OSC 0/2), cleaned of control characters."""
        return "".join(c for c in self._screen.title if c.isprintable())

    def display_lines(self) -> list[str]:
        """The live screen as plain text, one string per row (for tests and debugging)."""
        return [self._row_text(self._screen.buffer.get(y)) for y in range(self._screen.lines)]  # type: ignore[attr-defined]

    def feed(self, data: bytes) -> None:
        """Queue output bytes from the process. Thread-safe; cheap; never touches the UI.

        Called from a non-UI thread while the backlog exceeds :attr:`HIGH_WATER`, it waits
        for the UI to drain it (back-pressure), unless the pane is closed or unmounted.
        """
        if not data:
            return
        post = False
        with self._lock:
            self._pending.append(bytes(data))
            self._pending_len += len(data)
            self._received += len(data)
            if not self._wake_posted:
                self._wake_posted = post = True
        if post:
            self._post_wake()
        if self._pending_len > self.HIGH_WATER and threading.get_ident() != self._thread_id:
            with self._drained:
                while self._pending_len > self.HIGH_WATER and not (self._detached or self._ended) and self.is_attached:
                    self._drained.wait(0.25)

    def closed(self, message: str) -> None:
        """The session ended: stop sending keys and show ``[session ended: message]``.

        Safe to call from any thread; output still pending is drawn first.
        """
        self._ended = True
        self._end_message = message
        with self._drained:
            self._drained.notify_all()
        self._wake()

    # -- lifecycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        # skip=False: while a backlog drains, a late tick is followed by the next one at once
        # (after yielding to the event loop) instead of waiting for the next 1/60 s slot.
        self._timer = self.set_interval(1 / self.TICK_HZ, self._tick, pause=True, name="terminal-tick")
        with self._lock:
            busy = self._wake_posted
        if busy or self._ended:
            self._timer.resume()

    def on_unmount(self) -> None:
        with self._drained:
            self._detached = True
            self._drained.notify_all()

    def _wake(self) -> None:
        with self._lock:
            if self._wake_posted:
                return
            self._wake_posted = True
        self._post_wake()

    def _post_wake(self) -> None:
        try:
            self.post_message(_Wake())
        except NoActiveAppError:
            pass  # not mounted yet (or removed): on_mount starts the timer if output waits

    @on(_Wake)
    def _on_wake(self, event: _Wake) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.resume()

    # -- the tick: feed pyte, repaint dirty rows ------------------------------------------------

    def _take(self, limit: int) -> bytes:
        with self._lock:
            if not self._pending:
                return b""
            chunk = self._pending.popleft()
            if len(chunk) > limit:
                self._pending.appendleft(chunk[limit:])
                chunk = chunk[:limit]
            else:
                parts = [chunk]
                size = len(chunk)
                while self._pending and size + len(self._pending[0]) <= limit:
                    nxt = self._pending.popleft()
                    parts.append(nxt)
                    size += len(nxt)
                chunk = b"".join(parts) if len(parts) > 1 else chunk
            self._pending_len -= len(chunk)
            if self._pending_len <= self.HIGH_WATER:
                self._drained.notify_all()
            return chunk

    def _skip_flood(self) -> None:
        """A backlog of output: leave out the plain lines that could only scroll past unseen."""
        with self._lock:
            self._skip_tried_at = self._received  # tried again only after another FLOOD_SKIP_BYTES came
            data = b"".join(self._pending)
            cut = flood_skip(data, self._screen, self._stream)
            if not cut:
                return
            self._pending.clear()
            self._pending.append(data[cut:])
            self._pending_len -= cut
            self._drained.notify_all()
        self._screen.skipped_plain(data.count(b"\n", 0, cut))
        self.skipped_bytes += cut

    def _tick(self) -> None:
        screen = self._screen
        if self._pending_len > self.FLOOD_SKIP_BYTES and self._received - self._skip_tried_at >= self.FLOOD_SKIP_BYTES:
            self._skip_flood()
        deadline = time.perf_counter() + self.FEED_SECONDS_PER_TICK
        budget = self.FEED_BYTES_PER_TICK
        while budget > 0:
            chunk = self._take(min(self.FEED_SLICE, budget))
            if not chunk:
                break
            budget -= len(chunk)
            try:
                self._stream.feed(chunk)
            except Exception as error:  # a pyte bug must not take the app down
                self.log.error(f"terminal: pyte failed on output: {error!r}")
                self._stream = _ByteStream(screen)
            if time.perf_counter() >= deadline:
                break
        with self._lock:
            idle = not self._pending
            if idle:
                self._wake_posted = False
        if idle and self._ended and self._banner is None:
            self._show_banner()
        now = time.perf_counter()
        # a screenful or more scrolled by since the last paint: output floods in (the backlog may
        # be drained on every tick now that flood_skip leaves most of it out), so it is drawn at
        # the flood rate too; a paint of every tick took the UI thread from the session's reader
        flooding = screen.history_pushed - self._pushed_at_paint >= screen.lines
        painted = False
        if (idle and not flooding) or now - self._painted_at >= self.FLOOD_PAINT_INTERVAL:
            # While a backlog drains, repaint at a lower rate: feeding gets the time.
            self._painted_at = now
            self._repaint()
            painted = True
        if idle and self._timer is not None and painted:
            # A feed() after the check above posts a new _Wake, handled after this tick. Not
            # painted yet: the timer runs on, and the last screen is drawn when the interval is up.
            self._timer.pause()

    def _repaint(self) -> None:
        screen = self._screen
        dirty = set(screen.dirty)
        screen.dirty.clear()
        pushed = screen.history_pushed - self._pushed_at_paint
        self._pushed_at_paint = screen.history_pushed
        if self._scroll:
            if pushed or dirty:
                self._scroll = min(self._scroll + pushed, len(screen.history))
                self.refresh()
            return
        cursor = (screen.cursor.y, screen.cursor.x)
        if cursor != self._last_cursor:
            dirty.add(cursor[0])
            dirty.add(self._last_cursor[0])
            self._last_cursor = cursor
        if not dirty:
            return
        height = self.size.height
        if len(dirty) * 2 >= max(1, screen.lines):
            self.refresh()
            return
        width = self.size.width
        rows = sorted(y for y in dirty if 0 <= y < height)
        start = prev = None
        for y in rows:
            if start is None:
                start = prev = y
            elif y == prev + 1:
                prev = y
            else:
                self.refresh(Region(0, start, width, prev - start + 1))
                start = prev = y
        if start is not None:
            self.refresh(Region(0, start, width, prev - start + 1))

    def _show_banner(self) -> None:
        message = "".join(c if c.isprintable() else " " for c in (self._end_message or ""))
        self._banner = f"[session ended: {message}] press q/esc to close"
        screen = self._screen
        last = screen.buffer.get(screen.lines - 1)  # type: ignore[attr-defined]
        if last is not None and self._row_text(last).strip():
            # Make room on the bottom row so the banner hides no output.
            screen.margins = None
            screen.cursor.y = screen.lines - 1
            screen.index()
        self._scroll = 0
        self.refresh()

    # -- rendering --------------------------------------------------------------------------

    def _row_text(self, line: Line | None) -> str:
        if line is None:
            return " " * self._screen.columns
        parts = []
        for x in range(self._screen.columns):
            data = line[x].data
            if data:
                parts.append(data if data.isprintable() else _clean(data))
        return "".join(parts)

    def _style(self, base: Style, key: tuple[Any, ...]) -> Style:
        if base is not self._styles_base:
            self._styles.clear()
            self._styles_base = base
        style = self._styles.get(key)
        if style is None:
            fg, bg, bold, italics, underscore, strikethrough, reverse, blink = key
            style = base + Style(
                color=_to_color(fg),
                bgcolor=_to_color(bg),
                bold=bold or None,
                italic=italics or None,
                underline=underscore or None,
                strike=strikethrough or None,
                reverse=reverse or None,
                blink=blink or None,
            )
            if len(self._styles) > 4096:
                self._styles.clear()
            self._styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        screen = self._screen
        if self._banner is not None and y == self.size.height - 1:
            text = self._banner[:width]
            return Strip([Segment(text, base + Style(dim=True))]).adjust_cell_length(width, base)
        line: Line | None = None
        live = self._scroll == 0
        if live:
            if y < screen.lines:
                line = screen.buffer.get(y)  # type: ignore[attr-defined]
        else:
            history = screen.history
            index = len(history) - self._scroll + y
            if index < len(history):
                line = history[index] if index >= 0 else None
            elif index - len(history) < screen.lines:
                line = screen.buffer.get(index - len(history))  # type: ignore[attr-defined]
        cursor_x = -1
        if live and self.has_focus and not self._ended and not screen.cursor.hidden and y == screen.cursor.y:
            cursor_x = min(screen.cursor.x, screen.columns - 1)
        if line is None and cursor_x < 0:
            return Strip.blank(width, base)
        return self._render_row(line, screen.columns, cursor_x, base).adjust_cell_length(width, base)

    def _render_row(self, line: Line | None, columns: int, cursor_x: int, base: Style) -> Strip:
        default = line.default if line is not None else self._screen.default_char
        segments: list[Segment] = []
        run: list[str] = []
        run_key: tuple[Any, ...] | None = None
        wide = False
        for x in range(columns):
            char = line[x] if line is not None else default
            data = char.data
            if not data:
                if wide:  # the stub cell after a wide character
                    wide = False
                    continue
                data = " "
            elif not data.isprintable():
                data = _clean(data)
            wide = not data.isascii() and cell_len(data) == 2
            key = char[1:]
            if x == cursor_x:
                key = (*key[:6], not key[6], key[7])
            if key != run_key:
                if run:
                    segments.append(Segment("".join(run), self._style(base, run_key)))  # type: ignore[arg-type]
                run = [data]
                run_key = key
            else:
                run.append(data)
        if run:
            segments.append(Segment("".join(run), self._style(base, run_key)))  # type: ignore[arg-type]
        return Strip(segments)

    # -- size -------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        rows, cols = self.size.height, self.size.width
        if rows <= 0 or cols <= 0:
            return
        self._screen.resize(rows, cols)
        self._screen.dirty.clear()
        self._last_cursor = (self._screen.cursor.y, self._screen.cursor.x)
        self._scroll = min(self._scroll, len(self._screen.history))
        self.refresh()
        if self._resize_timer is not None:
            self._resize_timer.stop()
        self._resize_timer = self.set_timer(self.RESIZE_DEBOUNCE, self._report_size, name="terminal-resize")

    def _report_size(self) -> None:
        self._resize_timer = None
        size = self.terminal_size
        if size == self._reported_size or self._ended:
            return
        self._reported_size = size
        if self._resize_callback is not None:
            try:
                self._resize_callback(*size)
            except Exception as error:
                self.log.error(f"terminal: on_resize callback failed: {error!r}")

    # -- input ------------------------------------------------------------------------------

    def _reply(self, data: bytes) -> None:
        """Answers from the emulator (cursor position reports...) go to the process."""
        if not self._ended:
            self._write(data)

    def _write(self, data: bytes) -> None:
        try:
            self._send(data)
        except Exception as error:
            self.log.error(f"terminal: send failed: {error!r}")

    def _scroll_view(self, delta: int) -> None:
        limit = len(self._screen.history)
        new = max(0, min(limit, self._scroll + delta))
        if new != self._scroll:
            self._scroll = new
            self.refresh()

    def on_key(self, event: events.Key) -> None:
        if any(key in self.escape_keys for key in event.aliases):
            return  # the escape hatch: let the app have it
        page = max(1, self.size.height // 2)
        if event.key == "shift+pageup":
            event.stop()
            event.prevent_default()
            self._scroll_view(page)
            return
        if event.key == "shift+pagedown":
            event.stop()
            event.prevent_default()
            self._scroll_view(-page)
            return
        if self._ended:
            return  # nothing to send to; let the owner's bindings (q, esc) act
        event.stop()
        event.prevent_default()
        if self._scroll:
            self._scroll = 0
            self.refresh()
        data = key_to_bytes(event.key, event.character, self._screen.app_cursor_keys)
        if data:
            self._write(data)

    def on_paste(self, event: events.Paste) -> None:
        if self._ended:
            return
        event.stop()
        event.prevent_default()
        text = event.text.replace("\r\n", "\r").replace("\n", "\r")
        if not text:
            return
        if self._screen.bracketed_paste:
            text = "\x1b[200~" + text.replace("\x1b[201~", "") + "\x1b[201~"
        if self._scroll:
            self._scroll = 0
            self.refresh()
        self._write(text.encode("utf-8"))

    def on_focus(self, event: events.Focus) -> None:
        self.refresh(Region(0, self._screen.cursor.y, self.size.width, 1))

    def on_blur(self, event: events.Blur) -> None:
        self.refresh(Region(0, self._screen.cursor.y, self.size.width, 1))
