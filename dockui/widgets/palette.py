"""Semantic styles: the state colours kinds and widgets name (``state.running``, ``state.failed``...)
resolved from the current Textual theme's variables ($success, $warning, $error, $accent...).

Kinds stay Textual-free: a cell says ``Text("running", style="state.running")``. Here those names
become a Rich theme pushed onto the app's console, which everything rendering through it reads
(the resource table's cells, Static and Content spans). ``apply`` runs again on every theme change,
so a light theme gets its own readable colours, ``ansi-dark``/``ansi-light`` the terminal's own
16 colours (and ``TEXTUAL_COLOR_SYSTEM=standard`` maps a truecolour theme onto 16 as ever).
``NO_COLOR`` still wins: Textual's NoColor filter strips every colour at output; bold stays.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.theme import Theme
from textual.color import Color

# role -> (theme variables, the first whose colour differs from the ok/warn/bad colours wins; extra
# attributes). textual-dark's accent is its warning colour and ansi-dark's its success colour, so
# "restarting" would look "paused" or "running" there: it falls back to the primary colour.
ROLES: dict[str, tuple[tuple[str, ...], str]] = {
    "ok": (("success",), ""),
    "warn": (("warning",), ""),
    "bad": (("error",), ""),
    "fatal": (("error",), "bold"),
    "busy": (("accent", "primary", "secondary"), ""),
    "new": (("secondary", "primary", "accent"), ""),
    "muted": ((), "dim"),
    "chart": (("secondary", "primary"), ""),
    "alarm": (("error",), "bold reverse"),
}
BASIC = ("ok", "warn", "bad")  # the colours the other roles keep apart from

# the names kinds and widgets use -> a role
STYLES: dict[str, str] = {
    "state.running": "ok",
    "state.unhealthy": "fatal",
    "state.paused": "warn",
    "state.restarting": "busy",
    "state.created": "new",
    "state.dead": "fatal",
    "state.removing": "muted",
    "state.exited": "muted",  # exited(0): done, not a fault
    "state.failed": "bad",  # exited non-zero, a failed task, a down node
    "state.ok": "ok",  # generic good: ready, enabled, replicas complete, connected
    "state.partial": "warn",  # generic short of good: some replicas, a pending task
    "state.bad": "bad",
    "state.fatal": "fatal",
    "state.muted": "muted",
    "state.info": "new",
    "state.chart": "chart",
    "state.alarm": "alarm",
}


MIN_CONTRAST = 3.0  # WCAG's minimum for bold/large text and UI parts; state words are short and often bold


def _luminance(c: Color) -> float:
    def channel(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(color: Color, background: Color | None) -> Color:
    """``color``, darkened on a light background (lightened on a dark one) until it reaches
    MIN_CONTRAST: several themes share their success and warning colours between the dark and the
    light variant (textual-light's green on its grey surface is 1.9:1). ANSI colours are the
    terminal's to choose and are left alone."""
    if background is None or color.ansi is not None or background.ansi is not None or background.a == 0:
        return color
    light = _luminance(background) > 0.18
    for _ in range(20):
        if contrast(color, background) >= MIN_CONTRAST:
            break
        color = color.darken(0.05) if light else color.lighten(0.05)
    return color


def styles(variables: dict[str, str]) -> dict[str, Style]:
    """Every semantic name's Rich style from a theme's CSS variables (``App.get_css_variables()``)."""
    try:  # the table's background, which the state words are read on
        background: Color | None = Color.parse(variables.get("surface") or variables.get("background") or "")
    except Exception:  # noqa: BLE001 - no readable background: colours as the theme gives them
        background = None
    by_role: dict[str, Style] = {}
    taken: set[Color] = set()
    for role, (names, extra) in ROLES.items():
        style = Style.parse(extra) if extra else Style()
        colors = []
        for var in names:
            try:
                colors.append(Color.parse(variables[var]))
            except Exception:  # noqa: BLE001 - missing or unreadable: the next candidate
                continue
        pick = next((c for c in colors if c not in taken or role in BASIC), None)
        if pick is None and colors:
            pick = colors[0]
        if pick is not None:
            if role in BASIC:
                taken.add(pick)
            style = Style(color=readable(pick, background).rich_color) + style
        by_role[role] = style
    return {name: by_role[role] for name, role in STYLES.items()}


def apply(app: Any, variables: dict[str, str] | None = None) -> dict[str, Style]:
    """(Re)place the semantic styles on ``app.console`` for its current theme (``variables``: its
    CSS variables, when the caller has them already); the styles."""
    table = styles(app.get_css_variables() if variables is None else variables)
    console = app.console
    if getattr(app, "_dockui_palette", False):
        console.pop_theme()
    console.push_theme(Theme(table, inherit=True))
    app._dockui_palette = True
    from . import table as table_widget

    table_widget.forget_styles()
    return table
