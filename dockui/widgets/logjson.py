"""JSON log lines as readable text: the logs view's ``J`` mode.

:func:`pretty_line` turns a log line that is one JSON object (optionally after a ``label | ``
prefix the logs feed adds for services and merged targets) into a ``Text``: the level first
(from ``level``/``lvl``/``severity``/..., numeric pino/bunyan levels named), then the message
(``msg``/``message``/...), then every other field as ``key=value`` in the order logged. Any
other line gives ``None`` and is shown unchanged.

Keys and values are untrusted: JSON can carry ``\\u001b`` that ``json.loads`` turns into a real
ESC, so every piece goes through :func:`dockui.ansi.one_line` and is appended as plain text
(never markup).
"""

from __future__ import annotations

import json
from typing import Any

from rich.style import Style
from rich.text import Text

from ..ansi import one_line

__all__ = ["LEVEL_KEYS", "MESSAGE_KEYS", "pretty_line"]

LEVEL_KEYS = ("level", "lvl", "severity", "levelname", "log.level", "loglevel", "@level")
MESSAGE_KEYS = ("msg", "message", "@message", "@m", "text")

_NUMERIC_LEVELS = {10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal"}  # pino, bunyan
_LEVEL_STYLES = {
    "trace": Style(dim=True), "debug": Style(dim=True),
    "info": Style(color="green"), "notice": Style(color="green"),
    "warn": Style(color="yellow", bold=True), "warning": Style(color="yellow", bold=True),
    "error": Style(color="red", bold=True), "err": Style(color="red", bold=True),
    "fatal": Style(color="red", bold=True, reverse=True), "critical": Style(color="red", bold=True, reverse=True),
    "crit": Style(color="red", bold=True, reverse=True), "panic": Style(color="red", bold=True, reverse=True),
    "alert": Style(color="red", bold=True, reverse=True), "emergency": Style(color="red", bold=True, reverse=True),
}
_KEY_STYLE = Style(dim=True)
_MAX_VALUE = 2_000  # a huge field is cut (the raw line is still what `y` copies)


def _value(value: Any) -> str:
    """One field's value as one safe line: strings bare unless they need quotes, the rest as JSON."""
    if isinstance(value, str):
        text = value
        if text == "" or any(ch in text for ch in ' "=') or text != text.strip():
            text = json.dumps(text, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return one_line(text, _MAX_VALUE)


def _level_name(value: Any) -> str:
    if isinstance(value, bool):
        return one_line(str(value), 12)
    if isinstance(value, int) and value in _NUMERIC_LEVELS:
        return _NUMERIC_LEVELS[value]
    return one_line(value if isinstance(value, str) else json.dumps(value, default=str), 12)


def _split(plain: str) -> tuple[str, str] | None:
    """(prefix, JSON text) when ``plain`` looks like one JSON object, else None."""
    start = plain.find("{")
    if start < 0:
        return None
    prefix = plain[:start]
    if prefix and not prefix.endswith("| ") and prefix.strip():
        return None
    body = plain[start:].rstrip()
    if not body.endswith("}"):
        return None
    return prefix, body


def pretty_line(plain: str) -> Text | None:
    """The pretty form of a log line that is a JSON object, or None (show it unchanged)."""
    split = _split(plain)
    if split is None:
        return None
    prefix, body = split
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    text = Text(no_wrap=True, end="")
    if prefix:
        text.append(prefix)
    fields = dict(doc)
    level_key = next((k for k in LEVEL_KEYS if k in fields and not isinstance(fields[k], (dict, list))), None)
    if level_key is not None:
        name = _level_name(fields.pop(level_key))
        text.append(name.upper().ljust(5), _LEVEL_STYLES.get(name.lower()))
        text.append(" ")
    msg_key = next((k for k in MESSAGE_KEYS if k in fields), None)
    if msg_key is not None:
        msg = fields.pop(msg_key)
        text.append(one_line(msg if isinstance(msg, str) else json.dumps(msg, ensure_ascii=False, default=str), _MAX_VALUE))
    first = True
    for key, value in fields.items():
        if not first or len(text) > len(prefix):
            text.append("  " if first else " ")
        first = False
        text.append(one_line(str(key), 200) + "=", _KEY_STYLE)
        text.append(_value(value))
    return text
