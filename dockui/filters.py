"""The filter line's field terms: ``field=value`` as typed, or ``field="..."`` quoted exactly.

A drill-down (enter on a compose project) writes its filter as text that the filter line then
parses. An engine value can hold spaces, quotes or escape sequences (``ESC ] 0 ; my title BEL``):
written bare, it would be split into words and compared with the cells' display form, and match
nothing (issue 24). So a drill-down quotes its value as a JSON string (``\\u001b`` for ESC): the
filter line shows it inertly, and a quoted value is compared with the raw value, exactly (a
bare one, as typed, matches as a case-blind prefix).
"""

from __future__ import annotations

import json
import re

# a term is a run of non-blanks, where a double-quoted JSON string counts as one piece
_TERM = re.compile(r'(?:[^\s"]|"(?:[^"\\]|\\.)*"?)+')


def _escape(ch: str) -> str:
    n = ord(ch)
    if n > 0xFFFF:  # a surrogate pair, as JSON spells it
        n -= 0x10000
        return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"
    return f"\\u{n:04x}"


def term(field: str, value: str) -> str:
    """``field="value"``: the filter line reads it back as exactly ``value`` (not as a prefix),
    a JSON string whose unprintable characters (controls, bidi marks, separators) are spelt
    ``\\uXXXX``, so it shows inertly."""
    quoted = json.dumps(value, ensure_ascii=False)
    return f"{field}=" + "".join(c if c.isprintable() else _escape(c) for c in quoted)


def split_terms(text: str) -> list[str]:
    """The filter text's terms, split on blanks outside double quotes."""
    return _TERM.findall(text)


def unquote(value: str) -> tuple[str, bool]:
    """(value, exact): a JSON-quoted value decoded and matched exactly; a bare one as typed."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value, False
        if isinstance(decoded, str):
            return decoded, True
    return value, False
