"""A container's files (``F`` on a container), running or not: the engine's archive endpoints,
through :mod:`dockui.archive`, on worker threads.

Directories first, then files, with size, mode and modification time; ``enter`` descends (or
views a file), ``-`` / ``backspace`` go up, ``v`` views a text file (at most
``archive.VIEW_LIMIT`` bytes, shown as inert text), ``ctrl+s`` copies the focused file or
directory to the local machine (asks where, default the current directory; a progress bar and
the bytes written), ``ctrl+u`` copies a local file or directory into the directory shown (asks
which), ``r`` lists again. Every failure (a missing path, a permission error, a removed
container, an answer that is not a tar) is the engine's or the system's own message on the
status line; a copy that fails or is abandoned leaves nothing behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, ProgressBar, Static

from .. import archive
from .. import format as fmt
from ..ansi import one_line, safe_text

PROGRESS_EVERY = 0.1  # seconds between progress repaints


class Deliver(Message):
    """A worker's result, run on the UI thread by the screen (``post_message`` never blocks)."""

    def __init__(self, fn: Callable[..., None], *args: Any) -> None:
        super().__init__()
        self.fn, self.args = fn, args


class CopyProgress(Message):
    """Bytes done of a copy; a newer one replaces a pending one."""

    def __init__(self, done: int, total: int | None) -> None:
        super().__init__()
        self.done, self.total = done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CopyProgress)


def when(mtime: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(mtime)) if mtime else "-"


def name_cell(e: archive.Entry) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    if e.is_dir:
        t.append(archive.display_name(e.name) + "/", style="bold blue")
    elif e.type == "link":
        t.append(archive.display_name(e.name), style="cyan")
        t.append(" -> " + archive.display_name(e.link), style="dim")
    else:
        t.append(archive.display_name(e.name), style="" if e.type == "file" else "yellow")
    return t


class FileViewScreen(Screen):
    """One file's text (decoded as UTF-8, invalid bytes replaced, escapes inert)."""

    BINDINGS = [Binding("escape,q,v", "app.pop_screen", "back", id="fileview.back")]
    DEFAULT_CSS = """
    FileViewScreen #view-title { height: 1; background: $accent; color: $text; }
    """

    def __init__(self, title: str, data: bytes) -> None:
        super().__init__()
        self.title_text, self.data = title, data

    def compose(self) -> ComposeResult:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {self.title_text}", style="bold")
        binary = b"\0" in self.data[:8192]
        t.append(f"  {len(self.data):,} bytes{'  (binary: shown as text)' if binary else ''}  esc back", style="dim")
        yield Static(t, id="view-title")
        with VerticalScroll(id="view-body"):
            yield Static(safe_text(self.data) if self.data else Text("(empty file)", style="dim"), id="view-text")

    def on_mount(self) -> None:
        self.query_one("#view-body").focus()


class FilesScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "back", "back", id="files.back"),
        Binding("minus,backspace", "up", "up", id="files.up"),
        Binding("v", "view", "view", id="files.view"),
        Binding("ctrl+s", "copy_out", "copy to local", id="files.copy_out"),
        Binding("ctrl+u", "copy_in", "copy into", id="files.copy_in"),
        Binding("r,ctrl+r", "refresh", "refresh", id="files.refresh"),
    ]
    DEFAULT_CSS = """
    FilesScreen #files-title { height: 1; background: $accent; color: $text; }
    FilesScreen #files-table { height: 1fr; }
    FilesScreen #files-status { height: auto; max-height: 3; }
    FilesScreen #files-copy { height: 1; display: none; }
    FilesScreen #files-copy.-visible { display: block; }
    FilesScreen #files-copy ProgressBar { width: 44; }
    FilesScreen #files-bytes { width: 1fr; }
    FilesScreen #files-prompt { dock: bottom; display: none; }
    FilesScreen #files-prompt.-visible { display: block; }
    """

    def __init__(self, cid: str, name: str, path: str = "/") -> None:
        super().__init__()
        self.cid, self.name_ = cid, name
        self.path = path
        self.listing: archive.Listing | None = None
        self.entries: list[archive.Entry] = []
        self.loading = False
        self.error = ""
        self.asking: Callable[[str], None] | None = None
        self.copying = ""  # what is being copied, while it is
        self._stream: Any = None  # the listing's open stream, closed when leaving the directory
        self._generation = 0
        self._closed = False
        self._last_progress = 0.0
        self._cursor_after: str | None = None  # the name to focus once listed (going up)
        self._note: Text | None = None  # what the status line says once listed (a copy's result)
        self._leaving = False  # esc was pressed once while copying
        self._copy_stream: Any = None  # the copy's open stream, closed when the screen goes

    def compose(self) -> ComposeResult:
        yield Static(id="files-title")
        yield DataTable(id="files-table", cursor_type="row", zebra_stripes=False)
        with Horizontal(id="files-copy"):
            yield ProgressBar(id="files-progress", show_eta=False)
            yield Static(id="files-bytes")
        yield Static(id="files-status")
        yield Input(id="files-prompt")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in (("name", "NAME", None), ("size", "SIZE", 9), ("mode", "MODE", 10),
                                  ("mtime", "MODIFIED", 16)):
            table.add_column(label, key=key, width=width)
        self._paint_title()
        self.list_dir(self.path)
        table.focus()

    def on_unmount(self) -> None:
        self._closed = True
        self._close_stream()
        stream, self._copy_stream = self._copy_stream, None
        if stream is not None:  # an abandoned copy: its reader stops, its temporary file goes
            try:
                stream.close()
            except Exception:  # noqa: BLE001
                pass

    # --- listing ------------------------------------------------------------------------------
    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # noqa: BLE001 - closing a stream another thread reads
                pass

    def list_dir(self, path: str, focus: str | None = None) -> None:
        self._close_stream()
        self._generation += 1
        gen = self._generation
        self.loading, self._cursor_after, self._note = True, focus, None
        self._status(Text(f"listing {archive.display_name(path)} ...", style="dim"))
        self._paint_title()
        client = self.app.client

        def opened(stream: Any) -> None:
            self._stream = stream
            if gen != self._generation or self._closed:
                stream.close()

        def work() -> None:
            try:
                listing = archive.list_dir(client, self.cid, path, opened=opened,
                                           cancelled=lambda: gen != self._generation or self._closed)
            except Exception as exc:  # noqa: BLE001 - the engine's or the archive's words, shown
                self.post_message(Deliver(self._list_failed, gen, path, archive.message(exc)))
                return
            self.post_message(Deliver(self._listed, gen, listing))

        self.run_worker(work, thread=True, group="files-list", exit_on_error=False)

    def on_deliver(self, message: Deliver) -> None:
        message.stop()
        if self.is_attached:
            message.fn(*message.args)

    def _listed(self, gen: int, listing: archive.Listing) -> None:
        if gen != self._generation:
            return
        self.loading, self.error = False, ""
        self.listing, self.path, self.entries = listing, listing.path, listing.entries
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for i, e in enumerate(self.entries):
                table.add_row(name_cell(e), fmt.size(e.size) if e.type == "file" else "-", archive.mode_string(e),
                              when(e.mtime), key=str(i))
            if self._cursor_after is not None:
                idx = next((i for i, e in enumerate(self.entries) if e.name == self._cursor_after), 0)
                table.move_cursor(row=idx)
        self._paint_title()
        if self._note is not None:
            self._status(self._note)
            self._note = None
        elif listing.complete:
            self._status(self._hint())
        else:
            self._status(Text(f"partial listing: stopped after reading {fmt.size(listing.read)} of the archive of "
                              f"{archive.display_name(listing.path)}", style="yellow"))

    def _list_failed(self, gen: int, path: str, msg: str) -> None:
        if gen != self._generation:
            return
        self.loading = False
        self.error = msg
        self._paint_title()
        self._status(Text(f"cannot list {archive.display_name(path)}: {msg}", style="bold red"))

    # --- painting -----------------------------------------------------------------------------
    def _paint_title(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" files of {one_line(self.name_, 60)}", style="bold")
        t.append(f"  {archive.display_name(self.path)}", style="bold")
        if self.loading:
            t.append("  loading", style="dim")
        elif self.listing is not None:
            t.append(f"  [{len(self.entries)}]", style="dim")
        t.append("  esc back", style="dim")
        self.query_one("#files-title", Static).update(t)

    def _hint(self) -> Text:
        return Text(f"{len(self.entries)} entries · enter open · - up · v view · ctrl+s copy out"
                    " · ctrl+u copy in · r refresh", style="dim")

    def _status(self, text: Text) -> None:
        self.query_one("#files-status", Static).update(text)

    def current(self) -> archive.Entry | None:
        table = self.query_one(DataTable)
        if not table.row_count or not self.entries:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            return self.entries[int(str(key))]
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None

    # --- keys ---------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.asking is not None:
            self._close_prompt()
            return
        if self.copying and not self._leaving:  # leaving abandons the copy: say so first
            self._leaving = True
            self._status(Text(f"copying {self.copying}: esc again abandons the copy (nothing of it is kept)",
                              style="bold yellow"))
            return
        self.app.pop_screen()

    def action_up(self) -> None:
        if self.path in ("/", ""):
            self._status(Text("at the root: esc goes back to the list", style="dim"))
            return
        self.list_dir(archive.parent(self.path), focus=self.path.rstrip("/").rsplit("/", 1)[-1])

    def action_refresh(self) -> None:
        cur = self.current()
        self.list_dir(self.path, focus=cur.name if cur else None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        e = self.current()
        if e is None:
            return
        target = archive.join(self.path, e.name)
        if e.is_dir:
            self.list_dir(target)
        elif e.type == "link":
            self._open_link(target)
        else:
            self.action_view()

    def _open_link(self, path: str) -> None:
        client = self.app.client

        def work() -> None:
            try:
                real, st = archive.resolve(client, self.cid, path)
            except Exception as exc:  # noqa: BLE001
                self.post_message(Deliver(self._failed, f"cannot open {archive.display_name(path)}", archive.message(exc)))
                return
            if archive.stat_is_dir(st):
                self.post_message(Deliver(self.list_dir, real))
            else:
                self.post_message(Deliver(self._view, path))

        self.run_worker(work, thread=True, group="files-open", exit_on_error=False)

    def _failed(self, what: str, msg: str) -> None:
        self._status(Text(f"{what}: {msg}", style="bold red"))

    def action_view(self) -> None:
        e = self.current()
        if e is None:
            return
        if e.is_dir:
            self._status(Text(f"{archive.display_name(e.name)} is a directory: enter opens it", style="yellow"))
            return
        self._view(archive.join(self.path, e.name))

    def _view(self, path: str) -> None:
        client = self.app.client
        self._status(Text(f"reading {archive.display_name(path)} ...", style="dim"))

        def work() -> None:
            try:
                data = archive.read_file(client, self.cid, path)
            except archive.TooLarge as exc:
                self.post_message(Deliver(self._status, Text(str(exc), style="yellow")))
                return
            except Exception as exc:  # noqa: BLE001
                self.post_message(Deliver(self._failed, f"cannot view {archive.display_name(path)}", archive.message(exc)))
                return
            self.post_message(Deliver(self._show, path, data))

        self.run_worker(work, thread=True, group="files-view", exclusive=True, exit_on_error=False)

    def _show(self, path: str, data: bytes) -> None:
        self._status(self._hint())
        self.app.push_screen(FileViewScreen(f"{one_line(self.name_, 40)}:{archive.display_name(path)}", data))

    # --- the prompt ---------------------------------------------------------------------------
    def _ask(self, placeholder: str, value: str, then: Callable[[str], None]) -> None:
        p = self.query_one("#files-prompt", Input)
        self.asking = then
        p.placeholder = placeholder
        p.value = value
        p.add_class("-visible")
        self._status(Text(placeholder + "  (enter: go · esc: cancel)", style="bold"))
        p.focus()

    def _close_prompt(self) -> None:
        p = self.query_one("#files-prompt", Input)
        self.asking = None
        p.remove_class("-visible")
        self.query_one(DataTable).focus()
        self._status(self._hint())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        then = self.asking
        value = event.value
        self._close_prompt()
        if then is not None:
            then(value)

    def on_key(self, event) -> None:
        if self.asking is not None and event.key == "escape":
            event.stop()
            self._close_prompt()

    # --- copies -------------------------------------------------------------------------------
    def action_copy_out(self) -> None:
        e = self.current()
        if e is None or self.copying:
            if self.copying:
                self._status(Text(f"already copying {self.copying}", style="yellow"))
            return
        src = archive.join(self.path, e.name)
        try:
            here = os.getcwd()
        except OSError:  # dockui's own directory was removed meanwhile
            here = os.path.expanduser("~")
        self._ask(f"copy {archive.display_name(src)} to (a local directory or a new name)", here,
                  lambda dest: self._copy_out(src, dest))

    def _copy_out(self, src: str, dest: str) -> None:
        client = self.app.client
        self._start_copy(archive.display_name(src))
        worker_ref: list[Any] = []

        def work() -> None:
            try:
                res = archive.copy_out(client, self.cid, src, dest.strip() or ".", progress=self._progress,
                                       cancelled=lambda: self._closed or (bool(worker_ref) and worker_ref[0].is_cancelled),
                                       opened=self._copy_opened)
            except Exception as exc:  # noqa: BLE001 - nothing was left behind; the words are shown
                self.post_message(Deliver(self._copy_done, Text(f"copy of {archive.display_name(src)} failed: "
                                                                f"{archive.message(exc)} (nothing written)", style="bold red")))
                return
            t = Text(f"copied {archive.display_name(src)} to {one_line(res.target, 200)}: {res.written:,} bytes written",
                     style="green")
            if res.skipped:
                t.append(f" ({len(res.skipped)} entries left out: links leading outside the copy, device files)",
                         style="yellow")
            self.post_message(Deliver(self._copy_done, t))

        worker_ref.append(self.run_worker(work, thread=True, group="files-copy", exit_on_error=False))

    def action_copy_in(self) -> None:
        if self.app.readonly:
            self._status(Text("read-only mode: copying into a container is disabled", style="yellow"))
            return
        if self.copying:
            self._status(Text(f"already copying {self.copying}", style="yellow"))
            return
        dest = self.path
        self._ask(f"copy into {archive.display_name(dest)} of {one_line(self.name_, 40)}: the local file or directory",
                  "", lambda local: self._copy_in(local, dest))

    def _copy_in(self, local: str, dest: str) -> None:
        local = local.strip()
        if not local:
            return
        client = self.app.client
        self._start_copy(one_line(local, 120))

        def work() -> None:
            try:
                sent = archive.copy_in(client, self.cid, local, dest, progress=self._progress)
            except Exception as exc:  # noqa: BLE001
                self.post_message(Deliver(self._copy_done, Text(f"copy of {one_line(local, 120)} into "
                                                                f"{archive.display_name(dest)} failed: {archive.message(exc)}",
                                                                style="bold red")))
                return
            self.post_message(Deliver(self._copy_done, Text(f"copied {one_line(local, 120)} into "
                                                            f"{archive.display_name(dest)}: {sent:,} bytes sent",
                                                            style="green"), True))

        self.run_worker(work, thread=True, group="files-copy", exit_on_error=False)

    def _copy_opened(self, stream: Any) -> None:
        self._copy_stream = stream
        if self._closed:
            stream.close()

    def _start_copy(self, what: str) -> None:
        self.copying, self._leaving = what, False
        self._last_progress = 0.0
        bar = self.query_one("#files-progress", ProgressBar)
        bar.update(total=None, progress=0)
        self.query_one("#files-bytes", Static).update(Text(f" copying {what}: 0 bytes", style="dim"))
        self.query_one("#files-copy").add_class("-visible")
        self._status(Text(f"copying {what} ...", style="dim"))

    def _progress(self, done: int, total: int | None) -> None:
        """From the copying thread: at most every ``PROGRESS_EVERY`` seconds (and the end)."""
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY and (total is None or done < total):
            return
        self._last_progress = now
        self.post_message(CopyProgress(done, total))

    def on_copy_progress(self, message: CopyProgress) -> None:
        message.stop()
        if not self.is_attached or not self.copying:
            return
        bar = self.query_one("#files-progress", ProgressBar)
        bar.update(total=message.total, progress=message.done if message.total else 0)
        of = f" of {message.total:,}" if message.total else ""
        self.query_one("#files-bytes", Static).update(Text(f" copying {self.copying}: {message.done:,}{of} bytes",
                                                           style="dim"))

    def _copy_done(self, text: Text, refresh: bool = False) -> None:
        self.copying, self._leaving, self._copy_stream = "", False, None
        self.query_one("#files-copy").remove_class("-visible")
        self._status(text)
        if refresh:  # list again; the copy's words stay on the status line
            cur = self.current()
            self.list_dir(self.path, focus=cur.name if cur else None)
            self._note = text
            self._status(text)


def files_view(cid: str, row: Any) -> FilesScreen:
    """``F`` on a container: its files, from the root."""
    from ..kinds.common import plain_name

    return FilesScreen(cid, plain_name(row, cid))
