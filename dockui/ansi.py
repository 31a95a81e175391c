"""Turn untrusted text into safe Rich ``Text``.

Everything dockui shows that came from a container or the engine (names, labels, log lines,
exec output) is *data*: it must never move the cursor, set the window title, emit a hyperlink,
switch character sets, reorder text with bidi overrides or be read as Rich markup.

Three entry points:

* :func:`safe_text` -- multi-line text with every escape sequence removed (``\\n`` kept).
* :func:`one_line` -- the same cleaning folded into a single line for table cells, optionally
  truncated with an ellipsis.
* :func:`ansi_line` -- one log line: SGR colours and attributes (16, 256 and truecolor) become
  Rich styles; every other escape sequence and control character is removed; a carriage return
  keeps only what follows the last one (progress bars).

What happens to each kind of character:

* Escape sequences -- CSI (``ESC [`` or 8-bit ``0x9b``), OSC (``ESC ]`` or ``0x9d``, ended by
  BEL, ``ESC \\``, ``0x9c``, a newline or the end of the string), DCS/SOS/PM/APC (``ESC P``,
  ``ESC X``, ``ESC ^``, ``ESC _`` or their 8-bit forms) and two-character ``ESC x`` sequences
  -- are removed whole. An unterminated sequence is removed up to where it stops.
* Other C1 controls (U+0080-U+009F) are dropped.
* Bidi embedding/override/isolate controls (U+202A-U+202E, U+2066-U+2069) are dropped.
* Other C0 controls and DEL become their visible Unicode "control picture" (NUL -> U+2400,
  BEL -> U+2407, ..., DEL -> U+2421), so tampering shows instead of vanishing. Exceptions:
  tab is expanded to spaces (8-column stops); ``\\n`` is a line break in :func:`safe_text`;
  ``\\r\\n`` is a line break; in :func:`one_line` tab/CR/LF/VT/FF fold to one space; in
  :func:`ansi_line` CR means "overwrite" (see above). U+2028/U+2029 count as line breaks.

Strings are built into ``Text`` directly; markup is never parsed. Bytes are decoded as UTF-8
with ``errors="replace"``. Each function first runs one precompiled regex search for any
character that needs care and returns straight away when there is none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.cells import cell_len, chop_cells
from rich.color import Color
from rich.style import Style
from rich.text import Span, Text

from .glyphs import ELLIPSIS

__all__ = ["ansi_line", "one_line", "plain_text", "safe_text", "visible_width"]

# Any character that needs attention: C0, DEL, C1, line/paragraph separators, bidi controls.
_NEEDS_CARE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Escape sequences, as alternatives; the SGR branch must come before the other CSI branch.
_ESCAPE_BRANCHES = (
    # SGR: the only sequence ansi_line keeps (as a style).
    r"(?:\x1b\[|\x9b)(?P<sgr>[0-9;:]*)m"
    # Any other CSI, complete or cut short.
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    # OSC, DCS, SOS, PM, APC (7- and 8-bit introducers) with their string and terminator.
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # Other escape sequences (ESC 7, ESC ( B, ESC # 8, ESC c, ...) or a lone ESC.
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# The look-aheads let the regex engine skip ordinary characters quickly (about 2x faster).
_ESCAPES = re.compile("(?=[\x1b\x90-\x9f])(?:" + _ESCAPE_BRANCHES + ")")

_SGR7 = re.compile(r"\x1b\[[0-9;:]*m")

# Single characters that need care, as alternatives.
_CONTROL_BRANCHES = (
    r"(?P<crlf>\r\n)"
    r"|(?P<cr>\r)"
    r"|(?P<nl>[\n\u2028\u2029])"
    r"|(?P<tab>\t)"
    r"|(?P<pic>[\x00-\x08\x0b-\x1f\x7f])"
    # Left: C1 controls and bidi controls, which are dropped.
    r"|[\x80-\x9f\u202a-\u202e\u2066-\u2069]"
)

# One token of "something that is not plain text".
_TOKEN = re.compile(f"(?={_NEEDS_CARE.pattern})(?:{_ESCAPE_BRANCHES}|{_CONTROL_BRANCHES})")

_TAB_SIZE = 8


def _picture(ch: str) -> str:
    """The Unicode control picture standing for a C0 control or DEL."""
    code = ord(ch)
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def _expand_tabs(chunk: str, column: int) -> str:
    """Expand tabs in ``chunk`` as if it started at ``column``."""
    pad = column % _TAB_SIZE
    return ("x" * pad + chunk).expandtabs(_TAB_SIZE)[pad:]


def _decode(s: str | bytes) -> str:
    if isinstance(s, (bytes, bytearray, memoryview)):
        return bytes(s).decode("utf-8", errors="replace")
    return s


def _clean(s: str, *, single_line: bool) -> str:
    """Remove escapes and controls from ``s`` (which needs care); see the module docstring."""
    out: list[str] = []
    append = out.append
    column = 0  # characters since the last line break, for tab stops
    last = 0
    for m in _TOKEN.finditer(s):
        start = m.start()
        if start > last:
            chunk = s[last:start]
            append(chunk)
            column += len(chunk)
        last = m.end()
        token = m.lastgroup
        if token is None or token == "sgr":
            continue
        if token in ("nl", "crlf"):
            append("\n")
            column = 0
        elif token == "tab":
            if single_line:
                append("\n")
            else:
                spaces = _TAB_SIZE - column % _TAB_SIZE
                append(" " * spaces)
                column += spaces
        elif token == "cr":
            append("\n" if single_line else "\u240d")
            column += 1
        elif single_line and m.group() in "\x0b\x0c":
            append("\n")
        else:  # pic
            append(_picture(m.group()))
            column += 1
    if last < len(s):
        append(s[last:])
    return "".join(out)


def safe_text(s: str | bytes, style: str = "") -> Text:
    """Return untrusted (possibly multi-line) text as a ``Text`` with no escape sequences.

    Newlines (and CRLF) are kept as line breaks; a lone CR shows as U+240D; tabs become
    spaces; other C0 controls show as control pictures; C1 and bidi controls are dropped.
    Markup in ``s`` is never interpreted.
    """
    s = _decode(s)
    if _NEEDS_CARE.search(s) is None:
        return Text(s, style=style)
    return Text(_clean(s, single_line=False), style=style)


_FOLD = re.compile(r" *\n[ \n]*")


def one_line(s: str | bytes, max_len: int | None = None) -> str:
    """Clean untrusted text for a one-line table cell.

    Cleans like :func:`safe_text`, except that tab, CR, LF, VT, FF and U+2028/U+2029 fold,
    together with any spaces around them, into one space (or nothing at either end). With
    ``max_len``, a result wider than ``max_len`` terminal cells is cut and ends with ``glyphs.ELLIPSIS``.
    """
    s = _decode(s)
    if _NEEDS_CARE.search(s) is not None:
        s = _clean(s, single_line=True)
        if "\n" in s:
            s = _FOLD.sub("\n", s).strip("\n").replace("\n", " ")
    if max_len is not None:
        s = _truncate(s, max_len)
    return s


def _truncate(s: str, max_len: int) -> str:
    if max_len <= 0:
        return ""
    if s.isascii():
        return s if len(s) <= max_len else s[: max_len - 1] + ELLIPSIS
    if cell_len(s) <= max_len:
        return s
    if max_len == 1:
        return ELLIPSIS
    return chop_cells(s, max_len - 1)[0] + ELLIPSIS


def plain_text(s: str | bytes) -> str:
    """The characters :func:`ansi_line` would show for ``s``, without building styles.

    Lines whose only special characters are escape sequences (the usual coloured log line)
    take one C-level regex substitution.
    """
    s = _decode(s)
    if _NEEDS_CARE.search(s) is None:
        return s
    # If removing the 7-bit SGR sequences leaves nothing special, the tokenizer would have
    # seen exactly those sequences (it tries SGR first at every ESC), so this is the answer.
    stripped = _SGR7.sub("", s)
    if _NEEDS_CARE.search(stripped) is None:
        return stripped
    stripped = _ESCAPES.sub("", s)
    if _NEEDS_CARE.search(stripped) is None:
        return stripped
    return ansi_line(s).plain


def visible_width(s: str | bytes) -> int:
    """Cell width of what :func:`ansi_line` would show for ``s``."""
    plain = plain_text(s)
    return len(plain) if plain.isascii() else cell_len(plain)


# --- SGR ---------------------------------------------------------------------------------

# State: (fg, bg, bold, dim, italic, underline, underline2, reverse, strike, overline).
# fg/bg: None, an int 0-255 (palette) or an (r, g, b) tuple.
_State = tuple
_DEFAULT_STATE: _State = (None, None, False, False, False, False, False, False, False, False)


def _to_int(s: str) -> int:
    return int(s) if s else 0


def _extended_colour(args: list[str]) -> tuple[object, int]:
    """Parse the parameters after 38/48 (``5;n`` or ``2;r;g;b``) given as separate items.

    Returns the colour (or None if invalid) and how many items were consumed.
    """
    if not args:
        return None, 0
    mode = args[0]
    if mode == "5":
        if len(args) < 2:
            return None, len(args)
        n = _to_int(args[1])
        return (n if 0 <= n <= 255 else None), 2
    if mode == "2":
        if len(args) < 4:
            return None, len(args)
        rgb = tuple(_to_int(v) for v in args[1:4])
        if all(0 <= v <= 255 for v in rgb):
            return rgb, 4
        return None, 4
    return None, 1


def _colon_colour(sub: list[str]) -> object:
    """Parse a colon form such as ``38:5:n``, ``38:2::r:g:b`` or ``38:2:r:g:b``."""
    if len(sub) >= 3 and sub[1] == "5":
        n = _to_int(sub[2])
        return n if 0 <= n <= 255 else None
    if len(sub) >= 5 and sub[1] == "2":
        values = sub[3:6] if len(sub) >= 6 else sub[2:5]
        rgb = tuple(_to_int(v) for v in values)
        if all(0 <= v <= 255 for v in rgb):
            return rgb
    return None


def _apply_sgr(state: _State, params: str) -> _State:
    """Return the state after applying one SGR parameter string."""
    if not params or params == "0":
        return _DEFAULT_STATE
    fg, bg, bold, dim, italic, underline, underline2, reverse, strike, overline = state
    items = params.split(";")
    i = 0
    n_items = len(items)
    while i < n_items:
        item = items[i]
        i += 1
        if ":" in item:
            sub = item.split(":")
            code = _to_int(sub[0])
            if code == 38:
                fg = _colon_colour(sub)
            elif code == 48:
                bg = _colon_colour(sub)
            elif code == 4:
                style_n = _to_int(sub[1]) if len(sub) > 1 else 1
                underline = style_n != 0 and style_n != 2
                underline2 = style_n == 2
            # 58 (underline colour) and unknown colon forms: ignored
            continue
        if len(item) > 3:  # absurd numbers: ignore
            continue
        code = _to_int(item)
        if code == 0:
            fg = bg = None
            bold = dim = italic = underline = underline2 = reverse = strike = overline = False
        elif 30 <= code <= 37:
            fg = code - 30
        elif 90 <= code <= 97:
            fg = code - 90 + 8
        elif 40 <= code <= 47:
            bg = code - 40
        elif 100 <= code <= 107:
            bg = code - 100 + 8
        elif code == 39:
            fg = None
        elif code == 49:
            bg = None
        elif code in (38, 48, 58):
            colour, used = _extended_colour(items[i:])
            i += used
            if code == 38:
                fg = colour
            elif code == 48:
                bg = colour
        elif code == 1:
            bold = True
        elif code == 2:
            dim = True
        elif code == 3:
            italic = True
        elif code == 4:
            underline = True
        elif code == 21:
            underline2 = True
        elif code == 7:
            reverse = True
        elif code == 9:
            strike = True
        elif code == 53:
            overline = True
        elif code == 22:
            bold = dim = False
        elif code == 23:
            italic = False
        elif code == 24:
            underline = underline2 = False
        elif code == 27:
            reverse = False
        elif code == 29:
            strike = False
        elif code == 55:
            overline = False
        # 5/6 blink and 8 conceal are ignored on purpose: data must not hide or flash.
    return (fg, bg, bold, dim, italic, underline, underline2, reverse, strike, overline)


def _colour(value: object) -> Color | None:
    if value is None:
        return None
    if isinstance(value, int):
        return Color.from_ansi(value)
    r, g, b = value  # type: ignore[misc]
    return Color.from_rgb(r, g, b)


@lru_cache(maxsize=1024)
def _style_for(state: _State) -> Style | None:
    if state == _DEFAULT_STATE:
        return None
    fg, bg, bold, dim, italic, underline, underline2, reverse, strike, overline = state
    return Style(
        color=_colour(fg),
        bgcolor=_colour(bg),
        bold=bold or None,
        dim=dim or None,
        italic=italic or None,
        underline=underline or None,
        underline2=underline2 or None,
        reverse=reverse or None,
        strike=strike or None,
        overline=overline or None,
    )


def ansi_line(s: str | bytes) -> Text:
    """Render one untrusted log line: SGR styles kept, every other escape removed.

    A trailing newline or CRLF is ignored. After a CR only the text that follows the last one
    is kept (the style in force carries over, as on a terminal). Tabs become spaces; other C0
    controls show as control pictures; C1 and bidi controls are dropped.
    """
    s = _decode(s)
    if _NEEDS_CARE.search(s) is None:
        return Text(s)
    s = s.rstrip("\r\n")
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    state = _DEFAULT_STATE
    style: Style | None = None
    last = 0

    def emit(chunk: str) -> None:
        nonlocal length
        if "\t" in chunk:
            chunk = _expand_tabs(chunk, length)
        parts.append(chunk)
        end = length + len(chunk)
        if style is not None:
            if spans and spans[-1].end == length and spans[-1].style is style:
                spans[-1] = Span(spans[-1].start, end, style)
            else:
                spans.append(Span(length, end, style))
        length = end

    for m in _TOKEN.finditer(s):
        start = m.start()
        if start > last:
            emit(s[last:start])
        last = m.end()
        token = m.lastgroup
        if token is None:
            continue
        if token == "sgr":
            state = _apply_sgr(state, m.group("sgr"))
            style = _style_for(state)
        elif token == "cr":
            parts.clear()
            spans.clear()
            length = 0
        elif token == "tab":
            emit("\t")
        elif token in ("nl", "crlf"):
            emit("\u2424")
        else:  # pic
            emit(_picture(m.group()))
    if last < len(s):
        emit(s[last:])
    return Text("".join(parts), spans=spans)
