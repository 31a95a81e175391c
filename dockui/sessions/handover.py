"""Full-screen hand-over: the real terminal talks to an exec shell directly (raw mode, our client).

Runs while the dashboard is suspended: stdin goes to the exec socket, the socket's bytes go
to stdout untouched (this is the user's own terminal, as with ``docker exec -it``), window
size changes are passed on with ``exec_resize``. Returns a line saying how it ended.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import termios
import threading
import tty
import uuid

from ..engine import EngineClient, EngineError
from .terminal import hangup_script, shell_command


def run_handover(client: EngineClient, container: str, shells: tuple[str, ...]) -> str:
    if not sys.stdin.isatty():
        raise RuntimeError("standard input is not a terminal")
    fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    cols, rows = os.get_terminal_size(fd_out)
    marker = uuid.uuid4().hex  # DOCKUI_SESSION, to hang the shell up if the terminal goes first
    ex = client.exec_create(container, shell_command(shells), stdin=True, tty=True, console_size=(rows, cols),
                            environment=[f"TERM={os.environ.get('TERM', 'xterm')}", f"DOCKUI_SESSION={marker}"])
    sock = client.exec_start(ex["Id"], tty=True, socket=True, console_size=(rows, cols))
    old = termios.tcgetattr(fd_in)
    r_wake, w_wake = os.pipe()

    def on_winch(signum, frame) -> None:
        os.write(w_wake, b"w")

    prev = signal.signal(signal.SIGWINCH, on_winch)
    from ..hangup import stopping_fd

    stopping = stopping_fd()  # a hang-up or SIGTERM: end the hand-over (the event loop waits on us)
    watched = [fd_in, sock.sock, r_wake] + ([stopping] if stopping is not None else [])
    os.write(fd_out, b"\r\n[dockui: full-terminal shell; exit the shell to return to the dashboard]\r\n")
    try:
        tty.setraw(fd_in)
        raw_sock = sock.sock
        pending = sock._response.rest  # bytes that came with the upgrade headers
        sock._response.rest = b""
        if pending:
            os.write(fd_out, pending)
        while True:
            ready, _, _ = select.select(watched, [], [])
            if stopping is not None and stopping in ready:
                break
            if r_wake in ready:
                os.read(r_wake, 64)
                c2, r2 = os.get_terminal_size(fd_out)
                try:
                    client.exec_resize(ex["Id"], height=r2, width=c2)
                except EngineError:
                    pass
            if fd_in in ready:
                data = os.read(fd_in, 65536)
                if not data:
                    break
                sock.write(data)
            if raw_sock in ready:
                try:
                    data = raw_sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                os.write(fd_out, data)
    finally:
        try:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, old)
        except termios.error:  # the terminal is gone (SSH dropped): the rest must still run
            pass
        signal.signal(signal.SIGWINCH, prev)
        os.close(r_wake)
        os.close(w_wake)
        sock.close()
        # the terminal went away under a live shell: closing the socket does not end an exec,
        # so hang it up as a shell pane's close does (issue 22); the watchdog waits for it too
        hangup = threading.Thread(target=_hang_up, args=(client, container, ex["Id"], marker), name="term-hangup", daemon=True)
        hangup.start()
        hangup.join(1.0)
    try:
        code = client.exec_inspect(ex["Id"]).get("ExitCode")
    except EngineError:
        code = None
    return f"shell exited with code {code}"


def _hang_up(client: EngineClient, container: str, exec_id: str, marker: str) -> None:
    try:
        if client.exec_inspect(exec_id).get("Running"):
            client.exec_start(client.exec_create(container, ["/bin/sh", "-c", hangup_script(marker)])["Id"])
    except EngineError:
        pass  # the container or the engine is gone: nothing left to end
