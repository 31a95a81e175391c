"""Ending promptly when the terminal goes away (SSH drop, tmux kill-session) or on SIGTERM.

Owns two things:

* :class:`HangupDriver`, the Textual driver dockui runs with (``App.driver_class``). It works
  around two faults of Textual 8.2.8's ``LinuxDriver`` that together left dockui blocked for
  ever after its pty closed, ignoring SIGTERM (issue 22):

  1. When a pty hangs up, the kernel sends the foreground process group SIGHUP *and SIGCONT*.
     ``LinuxDriver._sigcont_application`` (``textual/drivers/linux_driver.py:94``) resumes
     application mode on every SIGCONT, suspended or not: ``start_application_mode`` (line 243)
     starts a second ``WriterThread`` on the dead terminal (the first is left waiting on its
     queue) and queues ~16 set-up sequences.
  2. ``WriterThread.run`` (``textual/drivers/_writer_thread.py:60``) does not catch the ``EIO``
     a hung-up tty answers to ``write``/``flush``: the thread dies and its queue
     (``MAX_QUEUED_WRITES`` = 30) is never drained again. Every later ``write`` (line 26:
     repaints, ``stop_application_mode``'s restore sequences) and ``stop`` (line 67,
     ``Queue.put(None)``) blocks the event loop once 30 are queued; SIGTERM, an asyncio
     handler, can then never run.

  The driver resumes on SIGCONT only after it suspended itself on SIGTSTP and only while the
  terminal is still there; its writer thread takes a failed write for the terminal's loss: it
  drops all further output (never blocking a writer again) and sends dockui the SIGHUP that
  loss means; stopping the writer never waits more than ``STOP_TIMEOUT``. The input thread,
  which spun a CPU on the end-of-file a hung-up tty reads as, reports the loss the same way.

* :class:`Watchdog`, a daemon thread that depends on neither the event loop nor Textual. It
  hears SIGHUP and SIGTERM through Python's signal wakeup fd (:func:`hear_signals`), whatever
  the main thread is doing, and hands them to the event loop with ``call_soon_threadsafe``
  (asyncio's own delivery drops a signal when its self-pipe is full of wake-ups, as it was while
  following a chatty log: the third way dockui outlived its terminal); it also checks the
  terminal every ``POLL`` seconds. From the signal (or the loss) on, dockui has ``GRACE``
  seconds to end by itself; if it is still there, the watchdog closes the exec sessions (their
  hang-ups get ``SESSIONS_TIMEOUT``), puts a live terminal's modes back, logs a line and ends
  the process with ``os._exit``: code 129 after a hang-up or a lost terminal, 143 after SIGTERM
  (the shell's 128 + signal number). :func:`stopping_fd` lets code that holds the event loop on
  purpose (the full-terminal hand-over) step aside.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import selectors
import signal
import termios
import threading
import time
from codecs import getincrementaldecoder
from collections.abc import Callable, Iterable
from typing import IO, Any

from textual._xterm_parser import XTermParser
from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver

from . import termdiff
from .termdiff import ScreenDiff

log = logging.getLogger("dockui.hangup")

GRACE = 1.5  # seconds dockui has to end by itself after a hang-up or SIGTERM
POLL = 0.5  # seconds between the watchdog's looks at the terminal
SESSIONS_TIMEOUT = 0.3  # seconds the watchdog waits for the sessions' hang-ups (GRACE + this + 0.15 <= 2 s)
STOP_TIMEOUT = 0.5  # seconds stopping the writer thread may take
EXIT_HANGUP = 128 + signal.SIGHUP  # 129
EXIT_TERM = 128 + signal.SIGTERM  # 143
# what stop_application_mode writes, for the watchdog's last-resort restore of a live terminal
RESTORE = "\x1b[<u\x1b[?2004l\x1b[?7h\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1049l\x1b[?25h\x1b[?1004l"


class SafeWriterThread(WriterThread):
    """Textual's writer thread, but a failed write means the terminal is gone: from then on
    output is dropped (the queue keeps being drained, so no writer ever blocks on it), and
    ``on_lost`` is called once. Writes after ``stop`` are dropped too (nothing drains them)."""

    def __init__(self, file: IO[str], on_lost: Callable[[str], None]) -> None:
        super().__init__(file)
        self.lost = False
        self._stopping = False
        self._on_lost = on_lost

    def write(self, text: str) -> None:
        if self.lost or self._stopping:
            return
        # a live but slow terminal still pushes back (blocks), as in Textual; a lost one never does
        self._queue.put(text)

    def _lose(self, exc: BaseException) -> None:
        if not self.lost:
            self.lost = True
            self._on_lost(f"writing to the terminal failed: {exc}")

    def run(self) -> None:
        write, flush, get, qsize = self._file.write, self._file.flush, self._queue.get, self._queue.qsize
        diff = self._screen_diff()
        while True:
            text = get()
            if text is None:
                break
            if self.lost:
                continue  # drain: nobody may block on a full queue
            if diff is not None:
                try:
                    text = diff.feed(text)
                    if qsize() == 0:
                        text += diff.flush_pending()
                except Exception:  # noqa: BLE001 - never lose output to the diff: write it as it came
                    log.exception("screen diff failed; writing Textual's output unchanged from now on")
                    text, diff = diff.flush_pending() + text, None
            try:
                write(text)
                if qsize() == 0:
                    flush()
            except (OSError, ValueError) as exc:  # EIO from a hung-up tty; ValueError: file closed
                self._lose(exc)
        if not self.lost:
            try:
                flush()
            except (OSError, ValueError) as exc:
                self._lose(exc)

    def _screen_diff(self) -> ScreenDiff | None:
        """Only the changed cells reach the terminal (dockui/termdiff.py), unless DOCKUI_TERMDIFF=0."""
        if not termdiff.enabled():
            return None
        try:
            return ScreenDiff(termdiff.terminal_size(self._file.fileno()))
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Stop the thread; waits at most ``STOP_TIMEOUT`` (a live terminal that stopped reading
        could otherwise hold shutdown for ever)."""
        self._stopping = True
        try:
            self._queue.put(None, timeout=STOP_TIMEOUT)
        except queue.Full:
            pass
        self.join(STOP_TIMEOUT)


class HangupDriver(LinuxDriver):
    """Textual's Linux driver that ends dockui, instead of blocking it, when the terminal goes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lost_reported = False
        super().__init__(*args, **kwargs)

    # start_application_mode builds a plain WriterThread (linux_driver.py:243); take its place
    # before it is started, so every writer this driver runs is a SafeWriterThread
    @property  # type: ignore[override]
    def _writer_thread(self) -> WriterThread | None:
        return self.__dict__.get("_safe_writer")

    @_writer_thread.setter
    def _writer_thread(self, value: WriterThread | None) -> None:
        if value is not None and not isinstance(value, SafeWriterThread):
            value = SafeWriterThread(value._file, self.terminal_lost)
        self.__dict__["_safe_writer"] = value

    def terminal_lost(self, reason: str) -> None:
        """The terminal is gone: arm the watchdog and send ourselves the SIGHUP it means (the
        app's handler ends dockui; the kernel's own SIGHUP may not reach us, e.g. under nohup)."""
        if self._lost_reported:
            return
        self._lost_reported = True
        log.warning("terminal lost (%s): ending", reason)
        arm("terminal lost", EXIT_HANGUP)
        try:
            if signal.getsignal(signal.SIGHUP) not in (signal.SIG_IGN, None):
                os.kill(os.getpid(), signal.SIGHUP)
        except (OSError, ValueError):
            pass

    def terminal_alive(self) -> bool:
        try:
            termios.tcgetattr(self.fileno)
        except (termios.error, OSError, ValueError):
            return False
        return True

    def _sigcont_application(self, *_: object) -> None:
        # Textual resumes on any SIGCONT; a hang-up sends one too, and resuming on the dead
        # terminal started the second writer that blocked dockui (Textual 8.2.8). Resume only
        # what our own SIGTSTP suspended, and only on a terminal that is still there.
        if self._auto_restart and self._must_signal_resume and self.terminal_alive():
            self.resume_application_mode()

    def run_input_thread(self) -> None:
        """Textual's input loop (linux_driver.py:418), except that end-of-file on a terminal (what
        a hung-up tty reads as) reports the loss and waits, instead of spinning a CPU on it."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process(selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> bool:
            """False at end-of-file."""
            for i, (_key, mask) in enumerate(selector_events):
                if mask & selectors.EVENT_READ:
                    try:
                        raw = os.read(fileno, 1024 * 4)
                    except OSError:
                        raw = b""
                    if not raw:
                        return False
                    for event in parser.feed(decode(raw, final=final and i == len(selector_events) - 1)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                if not process(selector.select(0.1)):
                    if self.input_tty:
                        self.terminal_lost("the terminal's input ended")
                    self.exit_event.wait()
                    break
            else:
                selector.unregister(self.fileno)
                process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except Exception:  # noqa: BLE001 - EOFError/ParseError at the end, as in Textual
                pass

    def emergency_restore(self) -> None:
        """Put the terminal's modes back without the writer thread (the watchdog's last resort)."""
        if not self.terminal_alive():
            return
        try:
            if self.attrs_before is not None:
                termios.tcsetattr(self.fileno, termios.TCSANOW, self.attrs_before)
            os.write(self._file.fileno(), RESTORE.encode())
        except (OSError, ValueError, termios.error):
            pass


class Watchdog(threading.Thread):
    """Ends the process if it is still alive ``grace`` seconds after a hang-up or SIGTERM.

    It hears signals through Python's wakeup fd (:meth:`listen`), which the C-level handler
    writes to in whichever thread the signal lands on: a Python-level handler would run only
    when the main thread runs again, and a main thread blocked on a lock is not woken when the
    signal lands on another thread. ``arm`` writes to the same pipe; the thread needs no event
    loop and takes no lock the main thread could hold.

    It also hands the signals it hears to the event loop, reliably: asyncio's own signal
    handling shares its self-pipe with ``call_soon_threadsafe``'s wake-ups, and when a thread
    floods the loop with messages (logs following a chatty container) that socket is full and
    the C handler's signal byte is dropped, so the loop never learns of the SIGHUP (seen: dockui
    running on, alive but deaf, after its terminal closed). Watched signals are scheduled with
    ``call_soon_threadsafe(handler)``, which queues the call whatever the pipe holds; other
    signal bytes are passed on to the previous wakeup fd (asyncio's) as they came."""

    def __init__(self, close_sessions: Callable[[], Iterable[threading.Thread]] = lambda: (),
                 restore: Callable[[], None] = lambda: None, tty_fd: int | None = None, grace: float = GRACE) -> None:
        super().__init__(name="dockui-watchdog", daemon=True)
        self._r, self._w = os.pipe()
        os.set_blocking(self._w, False)
        self.grace = grace
        self.tty_fd = tty_fd if tty_fd is not None and os.isatty(tty_fd) else None
        self._close_sessions = close_sessions
        self._restore = restore
        self._relay = -1
        # readable once the countdown runs: code that blocks the event loop on purpose (the
        # full-terminal hand-over's select) watches it and steps aside
        self.stopping_fd, self._stopping_w = os.pipe()
        self._watched: set[int] = set()
        self._loop: Any = None
        self._handler: Callable[[], object] | None = None
        self.reason = ""

    def listen(self, signals: Iterable[int], loop: Any = None, handler: Callable[[], object] | None = None) -> None:
        """Hear ``signals`` and run ``handler`` on ``loop`` for each (main thread only; after
        asyncio's ``add_signal_handler``, which gives the signals the Python-level handlers
        without which the wakeup fd is not written)."""
        self._watched = {int(s) for s in signals}
        self._loop, self._handler = loop, handler
        old = signal.set_wakeup_fd(self._w, warn_on_full_buffer=False)
        if old not in (-1, self._w):
            self._relay = old

    def arm(self, reason: str, code: int) -> None:
        if not self.reason:
            self.reason = reason
        try:
            os.write(self._w, bytes([code & 0xFF]))
        except OSError:  # the pipe is full: armed many times already
            pass

    def _take(self, data: bytes) -> int | None:
        """Relay the signal numbers (< 128); the exit code to arm with, if any."""
        sigs = bytes(b for b in data if b < 128 and b not in self._watched)
        if sigs and self._relay != -1:
            try:
                os.write(self._relay, sigs)
            except OSError:  # asyncio's socket full or closed: it wakes anyway or is gone
                pass
        code = None
        for b in data:
            if b >= 128:
                code = code or b
            elif b in self._watched:
                if not self.reason:
                    self.reason = signal.Signals(b).name
                code = code or 128 + b
                if self._loop is not None and self._handler is not None:
                    try:
                        self._loop.call_soon_threadsafe(self._handler)
                    except RuntimeError:  # the loop is closed: dockui is ending anyway
                        pass
        return code

    def run(self) -> None:
        deadline: float | None = None
        code = EXIT_HANGUP
        while True:
            wait = POLL if deadline is None else max(0.0, min(POLL, deadline - time.monotonic()))
            ready, _, _ = select.select([self._r], [], [], wait)
            if ready:
                armed = self._take(os.read(self._r, 256))
                if armed is not None and deadline is None:
                    deadline, code = time.monotonic() + self.grace, armed
                    os.write(self._stopping_w, b"x")
            elif deadline is None and self.tty_fd is not None and not os.isatty(self.tty_fd):
                # the terminal went away and no signal told us (SIGHUP ignored, another session)
                self.arm("terminal gone", EXIT_HANGUP)
                try:
                    os.kill(os.getpid(), signal.SIGHUP)
                except OSError:
                    pass
            if deadline is not None and time.monotonic() >= deadline:
                self.fire(code)
                return

    def fire(self, code: int) -> None:
        """Close the sessions (bounded), log, restore a live terminal, and end the process."""
        def last_words() -> None:
            threads = []
            try:
                threads = [t for t in self._close_sessions() if t is not None]
            except Exception:  # noqa: BLE001 - ending the process matters more
                pass
            log.error("dockui did not end within %.1f s after %s; the watchdog ends it (exit code %d)",
                      self.grace, self.reason or "a hang-up", code)
            for h in logging.getLogger().handlers + logging.getLogger("dockui").handlers:
                try:
                    h.flush()
                except Exception:  # noqa: BLE001
                    pass
            end = time.monotonic() + SESSIONS_TIMEOUT
            for t in threads:
                t.join(max(0.0, end - time.monotonic()))
            try:
                self._restore()
            except Exception:  # noqa: BLE001
                pass

        helper = threading.Thread(target=last_words, name="dockui-last-words", daemon=True)
        helper.start()
        helper.join(SESSIONS_TIMEOUT + 0.15)  # the restore and the log line; a stuck write may not hold us
        os._exit(code)


_watchdog: Watchdog | None = None


def stopping_fd() -> int | None:
    """A file descriptor that turns readable once dockui must end (a hang-up, SIGTERM, a lost
    terminal): for ``select`` loops that hold the event loop, such as the hand-over's."""
    return _watchdog.stopping_fd if _watchdog is not None else None


def arm(reason: str, code: int) -> None:
    """Start the watchdog's countdown (no-op when no watchdog runs, e.g. in headless tests)."""
    if _watchdog is not None:
        _watchdog.arm(reason, code)


def start_watchdog(app: Any, grace: float = GRACE) -> Watchdog:
    """Guard ``app`` (a running dockui): its sessions are closed and the process ended if a
    hang-up or SIGTERM does not end it within ``grace`` seconds."""
    global _watchdog

    def close_sessions() -> list[threading.Thread]:
        threads = [t for t in (s.close() for s in list(getattr(app, "sessions", ()))) if t is not None]
        # and the hang-ups the app's own shutdown already started (sessions/terminal.py names them)
        return threads + [t for t in threading.enumerate() if t.name == "term-hangup" and t not in threads]

    def restore() -> None:
        driver = getattr(app, "_driver", None)
        if isinstance(driver, HangupDriver):
            driver.emergency_restore()

    wd = Watchdog(close_sessions, restore, tty_fd=0, grace=grace)
    wd.start()
    _watchdog = wd
    return wd


def hear_signals(loop: Any = None, handler: Callable[[], object] | None = None,
                 signals: Iterable[int] = (signal.SIGHUP, signal.SIGTERM)) -> None:
    """Let the watchdog hear ``signals`` and run ``handler`` on ``loop`` for each (see
    :meth:`Watchdog.listen`). Call on the main thread after asyncio's ``add_signal_handler`` for
    the same signals; a no-op when no watchdog runs (headless tests keep asyncio's handling)."""
    if _watchdog is not None:
        _watchdog.listen(signals, loop, handler)
