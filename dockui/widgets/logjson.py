"""JSON log lines as readable text: the logs view's ``J`` mode.

:func:`pretty_line` (or :func:`pretty_parts`, its text and spans) turns a log line that is one JSON object (optionally after a ``label | ``
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
from collections.abc import Callable
from typing import Any

from rich.style import Style
from rich.text import Span, Text

from ..ansi import one_line

__all__ = ["LEVEL_KEYS", "MESSAGE_KEYS", "pretty_line", "pretty_parts"]

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


def _keep(text: str, max_len: int) -> str:
    """The fast pass: text as it is (the whole result is checked afterwards)."""
    return text if len(text) <= max_len // 2 else one_line(text, max_len)


def _value(value: Any, clean: Callable[[str, int], str]) -> str:
    """One field's value as one line: strings bare unless they need quotes, the rest as JSON."""
    if type(value) is str:
        text = value
        if not text or " " in text or '"' in text or "=" in text or text[0].isspace() or text[-1].isspace():
            text = json.dumps(text, ensure_ascii=False)
    elif value is True or value is False or value is None:
        text = "true" if value is True else "false" if value is False else "null"
    elif type(value) is int:
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return clean(text, _MAX_VALUE)


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


Mark = tuple[int, int, Style]  # a span: start, end, style (a plain tuple: cheaper than Span)


def pretty_parts(plain: str) -> tuple[str, list[Mark]] | None:
    """The pretty form of a log line that is a JSON object as its text and styled ranges, or None.

    Built as one string and a list of ranges (no ``Text`` per line): the logs view calls this for
    every line it must measure. The pieces are first taken as they are and the whole result
    checked once (``str.isprintable``: no control, format or separator character); only a line
    that fails is built again with every piece cleaned by :func:`one_line`.
    """
    split = _split(plain)
    if split is None:
        return None
    prefix, body = split
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not doc:
        return None
    built = _build(prefix, doc, _keep)
    if not built[0].isprintable():
        built = _build(prefix, doc, one_line)
    return built


def _build(prefix: str, doc: dict, clean: Callable[[str, int], str]) -> tuple[str, list[Mark]]:
    pieces: list[str] = [prefix] if prefix else []
    marks: list[Mark] = []
    at = len(prefix)
    fields = doc
    level_key = next((k for k in LEVEL_KEYS if k in fields and not isinstance(fields[k], (dict, list))), None)
    msg_key = next((k for k in MESSAGE_KEYS if k in fields), None)
    if level_key is not None or msg_key is not None:
        fields = dict(doc)
    if level_key is not None:
        name = _level_name(fields.pop(level_key))
        word = name.upper().ljust(5)
        style = _LEVEL_STYLES.get(name.lower())
        if style is not None:
            marks.append((at, at + len(word), style))
        pieces.append(word + " ")
        at += len(word) + 1
    if msg_key is not None:
        msg = fields.pop(msg_key)
        text = clean(msg if type(msg) is str else json.dumps(msg, ensure_ascii=False, default=str), _MAX_VALUE)
        pieces.append(text)
        at += len(text)
    sep = "  " if at > len(prefix) else ""
    for key, value in fields.items():
        name = clean(key, 200)
        value_text = _value(value, clean)
        start = at + len(sep)
        marks.append((start, start + len(name) + 1, _KEY_STYLE))
        pieces.append(f"{sep}{name}={value_text}")
        at = start + len(name) + 1 + len(value_text)
        sep = " "
    return "".join(pieces), marks


def pretty_line(plain: str) -> Text | None:
    """The pretty form of a log line that is a JSON object, or None (show it unchanged)."""
    parts = pretty_parts(plain)
    if parts is None:
        return None
    return Text(parts[0], spans=[Span(*mark) for mark in parts[1]], no_wrap=True, end="")
