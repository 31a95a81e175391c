"""A small, safe YAML emitter for JSON-like data (the describe view's ``y``): dicts, lists,
strings, numbers, booleans and None, no new dependency.

A string is written plain only when YAML would read it back as the same string (not a number,
boolean, null, not starting with an indicator, no ``: `` or `` #``, no leading or trailing
blanks); a multi-line printable string becomes a literal block (``|``/``|-``); anything else is
double-quoted with JSON's escapes, and characters a terminal must not get raw (C0/C1 controls,
DEL, bidi controls, line separators) are written as ``\\uXXXX`` escapes. The text is shown as
text (never markup) by the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# plain only from a letter, "_" or "/": anything from a digit, a sign or a dot may read as a
# number, a date or a sexagesimal (YAML 1.1 reads 2026-12-04T15:05:19Z as a timestamp, 1:20 as 80)
_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_ ./@:=,+()$~%^-]*$")
_RESERVED = re.compile(r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$")
_NUMBER = re.compile(r"^[-+]?(?:\.?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$")


def _escape(ch: str) -> str:
    return f"\\u{ord(ch):04x}"


def quote(s: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes are YAML's), inert on a terminal."""
    return _UNSAFE.sub(lambda m: _escape(m.group(0)), json.dumps(s, ensure_ascii=False))


def scalar(s: str) -> str:
    """``s`` plain when that reads back as the same string, else quoted."""
    if (s and _PLAIN.match(s) and not _RESERVED.match(s) and not _NUMBER.match(s) and ": " not in s
            and " #" not in s and not s.endswith((" ", ":")) and not s.startswith(("- ", "? "))):
        return s
    return quote(s)


def _block(s: str, indent: int) -> str | None:
    """A literal block for a printable multi-line string, or None when one would not round-trip."""
    if "\n" not in s or _UNSAFE.search(s) or "\t" in s or s.startswith((" ", "\n")) or s.endswith("\n\n"):
        return None
    body = s[:-1] if s.endswith("\n") else s
    if any(line.endswith(" ") for line in body.split("\n")):
        return None
    pad = " " * indent
    head = "|" if s.endswith("\n") else "|-"
    return head + "".join("\n" + (pad + line if line else "") for line in body.split("\n"))


def _value(v: Any, indent: int) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    s = str(v)
    return _block(s, indent) or scalar(s)


def _emit(doc: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(doc, Mapping):
        for k, v in doc.items():
            key = scalar(str(k))
            if isinstance(v, Mapping) and v:
                out.append(f"{pad}{key}:")
                _emit(v, indent + 2, out)
            elif isinstance(v, (list, tuple)) and v:
                out.append(f"{pad}{key}:")
                _emit(v, indent, out)  # block sequences sit at the key's indentation
            else:
                out.append(f"{pad}{key}: {_empty(v) or _value(v, indent + 2)}")
    elif isinstance(doc, (list, tuple)):
        for v in doc:
            if isinstance(v, (Mapping, list, tuple)) and v:
                sub: list[str] = []
                _emit(v, indent + 2, sub)
                first = sub[0][indent + 2:]
                out.append(f"{pad}- {first}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {_empty(v) or _value(v, indent + 2)}")
    else:
        out.append(pad + _value(doc, indent))


def _empty(v: Any) -> str:
    if isinstance(v, Mapping) and not v:
        return "{}"
    if isinstance(v, (list, tuple)) and not v:
        return "[]"
    return ""


def to_yaml(doc: Any) -> str:
    """``doc`` as YAML text (block style, keys in their order)."""
    out: list[str] = []
    if isinstance(doc, (Mapping, list, tuple)) and not doc:
        return _empty(doc)
    _emit(doc, 0, out)
    return "\n".join(out)
