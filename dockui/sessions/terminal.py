"""TermSession: an exec shell, an exec command, or an attach, on daemon threads.

A reader thread feeds output bytes to the pane (``on_output``); a writer thread drains a
queue of keystrokes and resizes, so the UI thread never waits on the socket. Exec sessions
use the hijacked exec socket (TTY, raw bytes); attach uses the engine's websocket endpoint.
The session ends when the process exits, the container dies, or ``close`` is called; the
reason goes to ``on_closed`` exactly once. A typed command (``exec``) that fails leaves the
last line it (or the engine, for a command that does not exist) printed in ``detail``.
"""

from __future__ import annotations

import queue
import shlex
import threading
import time
import uuid
from collections.abc import Callable

from ..engine import EngineClient, EngineError, EngineUnreachable, NotFound

_RESIZE = object()
READ_PAUSE = 0.002  # after each read, output this young waits to join the next one (see _run_exec)


def hangup_script(marker: str) -> str:
    """Shell that sends SIGHUP to the processes whose environment holds ``DOCKUI_SESSION=marker``."""
    return (f'for e in /proc/[0-9]*/environ; do if tr "\\0" "\\n" < "$e" 2>/dev/null | grep -qx "DOCKUI_SESSION={marker}"; '
            'then p=${e#/proc/}; kill -HUP "${p%/environ}" 2>/dev/null; fi; done')


def last_line(output: bytes) -> str:
    """The last non-blank line of terminal output, as plain one-line text (escapes taken out)."""
    from ..ansi import one_line, plain_text

    for raw in reversed(output.replace(b"\r", b"\n").split(b"\n")):
        text = one_line(plain_text(raw), 300)
        if text.strip():
            return text
    return ""


def shell_command(shells: tuple[str, ...]) -> list[str]:
    """A ``sh -c`` script trying each shell in order (``bash`` then ``sh`` by default)."""
    tries = " ".join(shlex.quote(s) for s in shells)
    script = f'for s in {tries}; do if command -v "$s" >/dev/null 2>&1; then exec "$s"; fi; done; exec sh'
    return ["/bin/sh", "-c", script]


class TermSession:
    def __init__(
        self,
        client: EngineClient,
        container: str,
        mode: str = "shell",  # shell | exec | attach
        command: list[str] | None = None,
        shells: tuple[str, ...] = ("bash", "sh"),
        size: tuple[int, int] = (24, 80),
        on_output: Callable[[bytes], None] = lambda b: None,
        on_closed: Callable[[str], None] = lambda m: None,
    ) -> None:
        self.client = client
        self.container = container
        self.mode = mode
        self.command = command
        self.shells = shells
        self.size = size
        self.on_output = on_output
        self._on_closed = on_closed
        self._q: queue.Queue = queue.Queue()
        self._sock = None
        self._ws = None
        self.exec_id: str | None = None
        self._ended = threading.Event()
        self._closing = False
        self._lock = threading.Lock()
        self.exit_code: int | None = None
        self.detail = ""  # a failed exec's last output line (the engine's message for a missing command)
        self._tail = bytearray()  # the last bytes of an exec's output, for ``detail``
        self.marker = uuid.uuid4().hex  # DOCKUI_SESSION in the exec's environment, to find it again

    # --- UI-thread side: never blocks -------------------------------------------------------
    def start(self) -> None:
        threading.Thread(target=self._run, name=f"term-{self.container[:12]}", daemon=True).start()

    def send(self, data: bytes) -> None:
        if not self._ended.is_set():
            self._q.put(data)

    def resize(self, rows: int, cols: int) -> None:
        self.size = (rows, cols)
        if not self._ended.is_set():
            self._q.put((_RESIZE, rows, cols))

    def close(self) -> threading.Thread | None:
        """End the session from our side (closing the pane, quitting dockui).

        Closing the hijacked socket does not end an exec's process (the engine keeps it), so a
        second, short exec sends SIGHUP to every process that carries this session's marker in
        its environment, as a terminal hang-up would. Returns that thread so a quitting app can
        wait for it briefly.
        """
        self._closing = True
        self._q.put(None)
        with self._lock:
            sock, ws = self._sock, self._ws
        if sock is not None:
            sock.close()
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - already closed
                pass
        if self.mode == "attach" or self.exec_id is None:
            return None  # detaching from an attach never stops the container
        t = threading.Thread(target=self._hang_up, name="term-hangup", daemon=True)
        t.start()
        return t

    def _hang_up(self) -> None:
        try:
            info = self.client.exec_inspect(self.exec_id)
            if not info.get("Running"):
                return
            ex = self.client.exec_create(self.container, ["/bin/sh", "-c", hangup_script(self.marker)])
            self.client.exec_start(ex["Id"])
        except EngineError:
            pass  # the container is gone or the engine with it: nothing left to end

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    @property
    def closing(self) -> bool:
        """True once ``close`` was called (the session is ended from our side)."""
        return self._closing

    # --- threads ---------------------------------------------------------------------------
    def _finish(self, message: str) -> None:
        if self._ended.is_set():
            return
        self._ended.set()
        self._q.put(None)
        self._on_closed(message)

    def _run(self) -> None:
        try:
            if self.mode == "attach":
                self._run_attach()
            else:
                self._run_exec()
        except NotFound:
            self._finish("the container no longer exists")
        except EngineUnreachable as exc:
            self._finish(f"cannot reach the engine: {exc.cause}")
        except EngineError as exc:
            self._finish(f"{getattr(exc, 'explanation', '') or exc}")
        except Exception as exc:  # noqa: BLE001 - the pane shows why; the app goes on
            self._finish(f"session failed: {type(exc).__name__}: {exc}")

    def _run_exec(self) -> None:
        c = self.client
        cmd = self.command or shell_command(self.shells)
        ex = c.exec_create(self.container, cmd, stdin=True, tty=True, console_size=self.size,
                           environment=["TERM=xterm-256color", f"DOCKUI_SESSION={self.marker}"])
        self.exec_id = ex["Id"]
        sock = c.exec_start(self.exec_id, tty=True, socket=True, console_size=self.size)
        with self._lock:
            self._sock = sock
        if self._closing:
            sock.close()
        threading.Thread(target=self._writer, args=(sock.write, self._resize_exec), daemon=True).start()
        try:
            while True:
                chunks = sock.read()
                if not chunks:
                    break
                for _, data in chunks:
                    self.on_output(data)
                    if self.command:
                        self._tail += data
                        del self._tail[:-2048]
                # a flood (seq 1 200000) came in ~1,800 reads of ~830 bytes, and each read had to
                # take the GIL back from a UI thread busy drawing it (a wait of up to a switch
                # interval); a pause lets the output pile up into far fewer reads. A key's echo
                # was read at once, the pause only comes after it
                time.sleep(READ_PAUSE)
        except EngineError:
            pass
        sock.close()
        if self._closing:
            self._finish("closed")
            return
        def ended_state() -> dict:
            self.exit_code = c.exec_inspect(self.exec_id).get("ExitCode")
            state = c.inspect_container(self.container).get("State", {})
            # a killed container ends its execs (by a signal: 128 + its number) a moment before
            # its own state says so; an exec that exited by itself (exit 3) is not waited on: every
            # command that failed showed its end a second late
            deadline = time.monotonic() + 1.0
            while (self.exit_code or 0) >= 128 and state.get("Running") and time.monotonic() < deadline:
                time.sleep(0.1)
                state = c.inspect_container(self.container).get("State", {})
            return state

        state = self._state_or_finish(ended_state)
        if state is None:
            return
        if not state.get("Running"):
            self._finish(f"the container stopped (exit code {state.get('ExitCode')})")
        elif self.exit_code in (126, 127) and not self.command:
            self._finish("no shell found in the container (tried " + ", ".join(self.shells) + ")")
        else:
            if self.command and self.exit_code not in (0, None):
                self.detail = last_line(bytes(self._tail))
            self._finish(f"exited with code {self.exit_code}")

    def _resize_exec(self, rows: int, cols: int) -> None:
        if self.exec_id:
            self.client.exec_resize(self.exec_id, height=rows, width=cols)

    def _run_attach(self) -> None:
        c = self.client
        info = c.inspect_container(self.container)
        tty = bool(info.get("Config", {}).get("Tty"))
        if not info.get("State", {}).get("Running"):
            self._finish("the container is not running")
            return
        ws = c.attach_websocket(self.container, stdin=True, logs=False)
        with self._lock:
            self._ws = ws
        if self._closing:
            ws.close()

        def write(data: bytes) -> None:
            ws.send_binary(data)

        def resize(rows: int, cols: int) -> None:
            if tty:
                c.resize(self.container, rows, cols)

        threading.Thread(target=self._writer, args=(write, resize), daemon=True).start()
        if tty:
            self._q.put((_RESIZE, *self.size))
        else:
            self.on_output(b"[attached to a container without a TTY: output only; input goes to its stdin]\r\n")
        import websocket

        try:
            while True:
                data = ws.recv()
                if not data:
                    break
                self.on_output(data.encode() if isinstance(data, str) else data)
        except (websocket.WebSocketException, OSError):
            pass
        try:
            ws.close()
        except Exception:  # noqa: BLE001 - already closed
            pass
        if self._closing:
            self._finish("detached")
            return
        state = self._state_or_finish(lambda: c.inspect_container(self.container).get("State", {}))
        if state is None:
            return
        self._finish("the container stopped" + (f" (exit code {state.get('ExitCode')})" if not state.get("Running") else ""))

    def _state_or_finish(self, read: Callable[[], dict]) -> dict | None:
        """The container's state after the session's stream ended, or None once the reason the
        engine gave instead (removed, unreachable, an error) has ended the session."""
        try:
            return read()
        except NotFound:
            self._finish("the container was removed")
        except EngineUnreachable as exc:
            self._finish(f"session ended: lost the connection to the engine ({exc.cause})")
        except EngineError as exc:
            self._finish(f"session ended ({exc})")
        return None

    def _writer(self, write: Callable[[bytes], None], resize: Callable[[int, int], None]) -> None:
        while True:
            item = self._q.get()
            if item is None or self._ended.is_set():
                return
            try:
                if isinstance(item, tuple) and item and item[0] is _RESIZE:
                    resize(item[1], item[2])
                else:
                    write(item)
            except EngineError:
                continue
            except Exception:  # noqa: BLE001 - a write to a closed socket ends the writer
                return
