"""PromptInput: the ``:`` command line and the ``/`` filter line at the bottom of a screen.

Its screen says what the prompt is for (``prompt_mode``) and takes its text: ``prompt_typed``
for each keystroke, ``on_input_submitted`` on enter and ``action_clear`` on escape, called in
key order (as bindings they would run only after the keys typed behind them).
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.widgets import Input


class PromptInput(Input):
    """The ``:`` command line and the ``/`` filter line (focusable only while open)."""

    def on_mount(self) -> None:
        self.can_focus = False

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual size on every change, and that reactive asks for a layout of the
        # whole screen (~5 ms of a keystroke's frame at 1,000 rows); a one-line prompt at the
        # bottom needs none, so the size is stored without it and Input's own setting is a no-op
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    async def _on_key(self, event: events.Key) -> None:
        if not getattr(self.screen, "prompt_mode", ""):
            # keys queued here after the prompt closed (typed ahead): they belong to the table
            event.stop()
            event.prevent_default()
            for table in self.screen.query("#table"):
                table.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("enter", "escape"):
            # act here, in key order: as a binding it would run only after the keys typed behind it
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                self.screen.on_input_submitted(Input.Submitted(self, self.value))
            else:
                self.screen.action_clear()
            return
        await super()._on_key(event)
        # the filter follows the keystroke in the same step, not when the Changed message has
        # bubbled up: then the prompt, the header and the table are drawn in one frame (waiting
        # for the message, the table came a frame, ~12 ms, after the prompt's echo); the Changed
        # messages that follow find the filter applied and paint nothing more
        typed = getattr(self.screen, "prompt_typed", None)
        if typed is not None:
            typed(self.value)

    DEFAULT_CSS = """
    PromptInput, PromptInput:focus { dock: bottom; width: 1fr; height: 0; border: none; padding: 0 1; }
    PromptInput.-visible, PromptInput.-visible:focus { height: 1; }
    """
