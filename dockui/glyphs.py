"""The few symbols dockui draws itself, chosen so every terminal shows them one cell wide.

Markers are plain ASCII. Sparklines use the eighth blocks (U+2581..U+2588) that every common
terminal font has; on the Linux console (TERM=linux) or with ``DOCKUI_GLYPHS=ascii`` they fall
back to ASCII. ``DOCKUI_GLYPHS=braille`` opts in to finer braille sparklines.
"""

from __future__ import annotations

import os

ELLIPSIS = "~"
DOT = "*"
UP, DOWN = "^", "v"

SPARKS = {
    "blocks": " ▁▂▃▄▅▆▇█",
    "braille": " ⡀⣀⣄⣤⣦⣶⣷⣿",
    "ascii": " .:-=+*#@",
}


def spark_set() -> str:
    choice = os.environ.get("DOCKUI_GLYPHS", "").lower()
    if choice in SPARKS:
        return SPARKS[choice]
    if os.environ.get("TERM", "") in ("linux", "vt100", "vt220", "dumb"):
        return SPARKS["ascii"]
    return SPARKS["blocks"]
