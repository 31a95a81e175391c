"""QuietStatic: a Static that ignores an update with the same text and never asks for a re-layout.

The header, breadcrumb and key hints are rebuilt on every paint (every stats tick); most of the
time their text is unchanged, and a needless update costs a refresh of the whole screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class QuietStatic(Static):
    _last_text: Text | None = None

    def show(self, text: Text) -> None:
        last = self._last_text
        if last is not None and last.plain == text.plain and last.spans == text.spans and last.style == text.style:
            return
        self._last_text = text
        self.update(text, layout=False)
