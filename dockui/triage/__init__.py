"""Triage: why a container is in its state (the "Why?" post-mortem, issue 19 section 1).

Pure functions over what the engine tells (the inspect document, the container's events, the
stats samples dockui kept) explain an exit code, an OOM kill, who sent a signal, a restart loop
and a failing health check, as a one-line verdict (the REASON column) and a full post-mortem.
``postmortem_text`` gathers the evidence (blocking: call it on a worker thread) and returns the
post-mortem as plain text.
"""

from __future__ import annotations

from typing import Any

from .explain import explain_exit, health, restart_loop, signal_name, signal_source, verdict
from .gather import Evidence, gather
from .report import Section, sections, text


def postmortem_text(client: Any, rid: str, store: Any | None = None) -> str:
    """The whole post-mortem of container ``rid`` as plain text (blocking: for a worker thread).
    ``store``: the app, its ViewContext, its Store or its StatsHub (optional): the stats samples
    dockui kept and the events timeline it already holds. Raises the engine's error (NotFound)
    when the container cannot be inspected."""
    return text(gather(client, rid, store))


__all__ = ["Evidence", "Section", "explain_exit", "gather", "health", "postmortem_text", "restart_loop", "sections",
           "signal_name", "signal_source", "text", "verdict"]
