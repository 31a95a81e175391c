"""Processes of one container (``P`` on a running container, or ``:top NAME``): the engine's
``top`` (PID, user, CPU time, command), read again every 2 s on a worker thread, sortable
(``P`` pid, ``U`` user, ``T`` CPU time, ``N`` command; again: reverse). ``ctrl+k`` asks, then
sends SIGTERM through exec (``kill -TERM``).

``top`` shows the engine host's PIDs; inside the container the same process has another PID
(its own PID namespace). The kill therefore runs a small script in the container that finds
the process by its command line and its rank among processes with that command line (PIDs are
handed out in the same order in both namespaces), then runs ``kill -TERM`` on the PID it found.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ..ansi import one_line

REFRESH = 2.0
KILL_SCRIPT = r"""want="$1"; rank="$2"; n=0
for p in $(ls /proc | grep -E '^[0-9]+$' | sort -n); do
  c=$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null); c="${c% }"
  if [ "$c" = "$want" ]; then n=$((n+1)); if [ "$n" -eq "$rank" ]; then kill -TERM "$p" && echo "$p"; exit $?; fi; fi
done
echo "no such process in the container" >&2; exit 1"""
SORTS = {"P": "pid", "U": "user", "T": "time", "N": "command"}


def _time_secs(t: str) -> int:
    """ps TIME (``[dd-]hh:mm:ss``) in seconds, for sorting."""
    days, _, rest = t.rpartition("-")
    secs = 0
    for part in rest.split(":"):
        secs = secs * 60 + (int(part) if part.isdigit() else 0)
    return secs + (int(days) * 86400 if days.isdigit() else 0)


def processes(doc: dict[str, Any]) -> list[dict[str, str]]:
    """``top``'s titles and rows as dicts with pid, user, time, command (ps -ef's columns by name)."""
    titles = [str(t).upper() for t in doc.get("Titles") or []]
    idx = {name: titles.index(name) for name in titles}

    def pick(row: list, *names: str) -> str:
        for n in names:
            if n in idx and idx[n] < len(row):
                return str(row[idx[n]])
        return ""

    out = []
    for row in doc.get("Processes") or []:
        out.append({"pid": pick(row, "PID"), "user": pick(row, "UID", "USER"), "time": pick(row, "TIME"),
                    "command": pick(row, "CMD", "COMMAND", "ARGS")})
    return out


def kill_in_container(client: Any, cid: str, procs: list[dict[str, str]], pid: str) -> str:
    """SIGTERM to the process ``pid`` of ``top`` (a host PID), through exec in the container."""
    target = next((p for p in procs if p["pid"] == pid), None)
    if target is None:
        raise ValueError(f"process {pid} is gone")
    same = sorted((p for p in procs if p["command"] == target["command"]), key=lambda p: int(p["pid"] or 0))
    rank = next(i for i, p in enumerate(same, 1) if p["pid"] == pid)
    ex = client.exec_create(cid, ["sh", "-c", KILL_SCRIPT, "sh", target["command"], str(rank)], stdout=True, stderr=True)
    out = client.exec_start(ex["Id"])
    text = (out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out or "")).strip()
    code = client.exec_inspect(ex["Id"]).get("ExitCode")
    if code:
        raise RuntimeError(text or f"kill exited with code {code}")
    return text


class ProcessesScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", id="top.back"),
        Binding("ctrl+k", "kill", "kill (TERM)", id="top.kill"),
        Binding("ctrl+r", "refresh", "refresh", id="top.refresh", show=False),
    ]
    DEFAULT_CSS = """
    ProcessesScreen #top-title { height: 1; background: $accent; color: $text; }
    ProcessesScreen #top-status { height: 1; color: $text-muted; }
    ProcessesScreen DataTable { height: 1fr; }
    """

    def __init__(self, cid: str, name: str) -> None:
        super().__init__()
        self.cid, self.name_ = cid, name
        self.procs: list[dict[str, str]] = []
        self.sort_key, self.reverse = "pid", False
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Static(id="top-title")
        yield DataTable(id="top-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="top-status")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (("pid", "PID"), ("user", "USER"), ("time", "TIME"), ("command", "COMMAND")):
            table.add_column(label, key=key)
        self._paint_title()
        self.action_refresh()
        self.set_interval(REFRESH, self.action_refresh)
        table.focus()

    def _paint_title(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" processes of {one_line(self.name_, 60)}", style="bold")
        t.append(f"  [{len(self.procs)}]  sort: {self.sort_key} {'desc' if self.reverse else 'asc'}", style="dim")
        t.append("  P U T N sort · ctrl+k kill · esc back", style="dim")
        self.query_one("#top-title", Static).update(t)

    def action_refresh(self) -> None:
        self.run_worker(self._load, thread=True, group="top", exclusive=True, exit_on_error=False)

    def _load(self) -> None:
        client = self.app.client
        try:
            procs = processes(client.top(self.cid))
        except Exception as exc:  # noqa: BLE001 - shown, never raised (a stopped container, a lost engine)
            msg = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
            self.app.call_from_thread(self._failed, str(msg))
            return
        self.app.call_from_thread(self._loaded, procs)

    def _failed(self, msg: str) -> None:
        if self.is_attached:
            self.error = one_line(msg, 200)
            self.query_one("#top-status", Static).update(Text(f"top: {self.error}", style="bold red"))

    def _sort(self, procs: list[dict[str, str]]) -> list[dict[str, str]]:
        key = {"pid": lambda p: int(p["pid"]) if p["pid"].isdigit() else 0, "time": lambda p: _time_secs(p["time"]),
               "user": lambda p: p["user"], "command": lambda p: p["command"].lower()}[self.sort_key]
        return sorted(procs, key=key, reverse=self.reverse)

    def _loaded(self, procs: list[dict[str, str]]) -> None:
        if not self.is_attached:
            return
        self.procs, self.error = procs, ""
        self._paint()
        self.query_one("#top-status", Static).update(Text(f"refreshed every {REFRESH:g} s", style="dim"))

    def _paint(self) -> None:
        table = self.query_one(DataTable)
        current = self._current_pid()
        with self.app.batch_update():
            table.clear()
            for p in self._sort(self.procs):
                table.add_row(p["pid"], one_line(p["user"], 20), p["time"], Text(one_line(p["command"], 200)), key=p["pid"])
            if current is not None:
                try:
                    table.move_cursor(row=table.get_row_index(current))
                except Exception:  # noqa: BLE001 - the process is gone: the cursor stays where it was
                    pass
        self._paint_title()

    def _current_pid(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # noqa: BLE001
            return None

    def on_key(self, event) -> None:
        key = event.key[-1].upper() if re.fullmatch(r"(shift\+)?[a-zA-Z]", event.key) else ""
        if key in SORTS and (event.key.isupper() or event.key.startswith("shift+")):
            event.stop()
            name = SORTS[key]
            self.reverse = not self.reverse if self.sort_key == name else False
            self.sort_key = name
            self._paint()

    def action_kill(self) -> None:
        from .dialogs import ConfirmScreen

        pid = self._current_pid()
        proc = next((p for p in self.procs if p["pid"] == pid), None)
        if proc is None:
            return
        if self.app.readonly:
            self.notify("read-only mode: kill is disabled", severity="warning", markup=False)
            return
        procs = list(self.procs)

        def answered(choice: str | None) -> None:
            if choice:
                self.run_worker(lambda: self._kill(procs, proc), thread=True, group="top-kill", exit_on_error=False)

        self.app.push_screen(ConfirmScreen(f"kill -TERM process {pid} ({one_line(proc['command'], 80)}) in "
                                           f"{one_line(self.name_, 60)}?"), answered)

    def _kill(self, procs: list[dict[str, str]], proc: dict[str, str]) -> None:
        try:
            inner = kill_in_container(self.app.client, self.cid, procs, proc["pid"])
            msg, sev = f"sent TERM to process {proc['pid']} (PID {inner} in the container)", "information"
        except Exception as exc:  # noqa: BLE001 - the engine's or the shell's words
            msg, sev = f"kill {proc['pid']}: {one_line(getattr(exc, 'explanation', '') or str(exc), 200)}", "error"
        self.app.call_from_thread(self.notify, msg, severity=sev, markup=False)
        self.app.call_from_thread(self.action_refresh)


def top_view(app: Any, args: str) -> ProcessesScreen | str:
    """``:top [NAME|ID]``: the processes of the container named (or of the focused one), from
    the store's snapshot (no engine call here); a sentence when there is none."""
    snap = app.store.snapshot("containers")
    want = args.strip()
    if not want:  # the focused row, when it is a container
        table = getattr(app.screen, "table", None)
        focused = getattr(table, "current_id", None) or ""
        want = focused if focused in snap else ""
    if not want:
        return "usage: :top CONTAINER (or P on a running container)"
    found = [(cid, c) for cid, c in snap.items() if c.get("Name") == want or cid == want] or \
            [(cid, c) for cid, c in snap.items() if cid.startswith(want) or str(c.get("Name", "")).startswith(want)]
    if len(found) != 1:
        return f"{'no' if not found else 'more than one'} container matches {one_line(want, 60)}"
    cid, c = found[0]
    if c.get("State") not in ("running", "paused"):
        return f"{one_line(str(c.get('Name') or cid[:12]), 60)} is not running"
    return ProcessesScreen(cid, str(c.get("Name") or cid[:12]))
