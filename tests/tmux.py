"""A tiny tmux harness for end-to-end tests: run a command in a real terminal and look at it.

Each ``Tmux`` owns a private tmux server (``tmux -L dockui-test-<uuid>``, its own config), so
tests never see or touch the user's sessions and can run in parallel. The command runs under
a controlled environment (``env -i`` with PATH, HOME, a UTF-8 locale, TERM and what the test
adds) inside a small ``sh`` wrapper that writes its exit status to a file, prints a marker
line and then sleeps: the pane stays alive, so a test can check what the terminal shows after
the program left and its modes (``modes()``: alternate screen, cursor, mouse, keypad), which a
dead pane would no longer report. ``remain-on-exit`` keeps the pane if the wrapper dies too.

    with Tmux(["dockui", "--host", host], size=(160, 45), term="xterm-256color") as t:
        t.wait_for("Containers [")
        t.send_keys(":")                 # key names: Enter, Escape, C-q, Up ...
        t.send_text("images")            # literal text
        t.send_keys("Enter")
        t.wait_for(re.compile(r"dockui/busybox"), timeout=5)
        t.send_keys("C-q")
        assert t.wait_exit() == 0 and t.modes()["alternate_on"] == "0"
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

DONE_MARKER = "__TMUX_HARNESS_DONE__"
LINGER = 600  # seconds the pane stays alive after the command ended
BASE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
    "HOME": os.environ.get("HOME", "/root"),
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


def ensure_tmux() -> bool:
    """tmux on PATH, installing it with apt-get when we can (root on Debian); False if not."""
    if have_tmux():
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "install", "-y", "-qq", "tmux"], ["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "tmux"]):
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False)
        if have_tmux():
            return True
    return have_tmux()


class TmuxError(AssertionError):
    pass


class Tmux:
    """One detached tmux session running one command in a terminal of a given size."""

    def __init__(
        self,
        command: Sequence[str] | str,
        size: tuple[int, int] = (80, 24),
        env: Mapping[str, str | None] | None = None,
        term: str | None = None,
        cwd: str | None = None,
        inherit_env: Iterable[str] = (),
    ) -> None:
        """``size`` is (columns, rows). ``env`` is added to a minimal environment (PATH, HOME,
        LANG); a None value leaves the variable out. ``inherit_env`` copies variables from ours.
        ``cwd``: the directory the command starts in (default: ours)."""
        self.command = command if isinstance(command, str) else shlex.join(command)
        self.cols, self.rows = size
        self.socket = f"dockui-test-{uuid.uuid4().hex[:12]}"
        self.session = "e2e"
        self.dir = Path(tempfile.mkdtemp(prefix="dockui-tmux-"))
        self.exit_file = self.dir / "exit"
        e = dict(BASE_ENV)
        for k in inherit_env:
            if k in os.environ:
                e[k] = os.environ[k]
        e["TERM"] = term or "xterm-256color"
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        self.env = e
        self.cwd = str(cwd) if cwd is not None else None
        self.started = False

    # --- plumbing -------------------------------------------------------------------------------
    def tmux(self, *args: str, check: bool = True, timeout: float = 10) -> str:
        # -u: UTF-8 in captures whatever our own locale; -f: our config only, never the user's
        r = subprocess.run(["tmux", "-u", "-f", str(self.conf), "-L", self.socket, *args], capture_output=True, text=True,
                           timeout=timeout, env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}, check=False)
        if check and r.returncode != 0:
            raise TmuxError(f"tmux {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    @property
    def conf(self) -> Path:
        return self.dir / "tmux.conf"

    @property
    def target(self) -> str:
        return f"{self.session}:0.0"

    def start(self) -> Tmux:
        # read when the server starts, so they hold before the command runs: the dead pane stays
        # for capture, no status line, no escape delay, the window keeps the size we give it
        # (window-size manual here makes tmux 3.3a's server exit at once: resize-window sets it)
        self.conf.write_text("set-option -g remain-on-exit on\nset-option -g status off\nset-option -sg escape-time 0\n"
                             "set-option -g history-limit 2000\n")
        exit_file = shlex.quote(str(self.exit_file))
        # after the command: its status to a file, a marker on the screen, then a live pane (a
        # dead one hides the cursor, hiding whether the program restored the terminal modes)
        script = (f"{self.command}\nrc=$?\necho \"EXIT=$rc\" > {exit_file}\nprintf '%s %s\\n' {DONE_MARKER} \"$rc\"\n"
                  f"exec sleep {LINGER}\n")
        env_args = [f"{k}={v}" for k, v in self.env.items()]
        try:
            self.started = True
            self.tmux("new-session", "-d", "-s", self.session, "-x", str(self.cols), "-y", str(self.rows), "-c", self.cwd or str(Path.cwd()),
                      "env", "-i", *env_args, "sh", "-c", script)
            self.resize(self.cols, self.rows)  # and window-size manual: no client ever resizes it
        except BaseException:
            self.kill()
            raise
        return self

    def __enter__(self) -> Tmux:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()

    def kill(self) -> None:
        """Kill the command (SIGKILL to whatever still runs in the pane) and the tmux server."""
        if self.started:
            for pid in self.pane_processes():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.tmux("kill-server", check=False)
            self.started = False
        sock = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.geteuid()}" / self.socket
        sock.unlink(missing_ok=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- input ----------------------------------------------------------------------------------
    def send_keys(self, *keys: str) -> None:
        """Key names as tmux spells them (``Enter``, ``Escape``, ``C-q``, ``Up``) one by one."""
        for k in keys:
            self.tmux("send-keys", "-t", self.target, k)

    def send_text(self, text: str) -> None:
        """Literal text, no key-name lookup (``-l``)."""
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def type(self, text: str, delay: float = 0.0) -> None:
        """Literal text one character at a time (for inputs that react on each key)."""
        for ch in text:
            self.send_text(ch)
            if delay:
                time.sleep(delay)

    # --- output ---------------------------------------------------------------------------------
    def capture(self, escapes: bool = False) -> str:
        """The visible screen; with ``escapes`` the SGR sequences too (``capture-pane -e``)."""
        args = ["capture-pane", "-p", "-t", self.target]
        if escapes:
            args.append("-e")
        return self.tmux(*args)

    def lines(self) -> list[str]:
        return self.capture().splitlines()

    def wait_for(self, what: str | re.Pattern[str], timeout: float = 10.0, escapes: bool = False, interval: float = 0.05) -> str:
        """Poll the screen until it shows ``what`` (substring or regex); the screen, or TmuxError."""
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            screen = self.capture(escapes=escapes)
            if (what.search(screen) if isinstance(what, re.Pattern) else what in screen):
                return screen
            if time.monotonic() >= deadline:
                raise TmuxError(f"timed out after {timeout}s waiting for {what!r}; screen:\n{screen}")
            time.sleep(interval)

    def wait_gone(self, what: str | re.Pattern[str], timeout: float = 10.0, interval: float = 0.05) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if not (what.search(screen) if isinstance(what, re.Pattern) else what in screen):
                return screen
            if time.monotonic() >= deadline:
                raise TmuxError(f"timed out after {timeout}s waiting for {what!r} to go; screen:\n{screen}")
            time.sleep(interval)

    def wait_until(self, pred, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            if time.monotonic() >= deadline:
                raise TmuxError(f"timed out after {timeout}s waiting for {what}; screen:\n{self.capture()}")
            time.sleep(interval)

    def fmt(self, fmt: str) -> str:
        """A tmux format of the pane, e.g. ``#{alternate_on}``, ``#{cursor_flag}``, ``#{pane_dead}``."""
        return self.tmux("display-message", "-p", "-t", self.target, fmt).strip()

    MODES = ("alternate_on", "cursor_flag", "mouse_any_flag", "mouse_all_flag", "mouse_button_flag", "mouse_standard_flag",
             "mouse_sgr_flag", "keypad_cursor_flag", "keypad_flag", "insert_flag", "wrap_flag", "origin_flag")

    def modes(self) -> dict[str, str]:
        """The pane's terminal modes as tmux sees them: alternate screen, cursor shown, mouse…"""
        vals = self.fmt(" ".join("#{" + m + "}" for m in self.MODES)).split(" ")
        return dict(zip(self.MODES, vals, strict=True))

    # --- size -----------------------------------------------------------------------------------
    def resize(self, cols: int, rows: int) -> None:
        self.tmux("resize-window", "-t", self.session, "-x", str(cols), "-y", str(rows))
        self.cols, self.rows = cols, rows

    # --- the command's life ---------------------------------------------------------------------
    @property
    def pane_pid(self) -> int:
        return int(self.fmt("#{pane_pid}"))

    def pane_processes(self) -> list[int]:
        """Every live process under the pane (the wrapper shell and its descendants)."""
        try:
            root = self.pane_pid
        except (TmuxError, ValueError, subprocess.TimeoutExpired):
            return []
        return [root, *descendants(root)] if Path(f"/proc/{root}").exists() else descendants(root)

    def exit_status(self) -> int | None:
        """The command's exit status once it ended (from the wrapper's file), else None."""
        try:
            text = self.exit_file.read_text()
        except FileNotFoundError:
            return None
        m = re.search(r"EXIT=(\d+)", text)
        return int(m.group(1)) if m else None

    @property
    def dead(self) -> bool:
        return self.fmt("#{pane_dead}") == "1"

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for the command to end; its exit status (128+N when killed by signal N)."""
        deadline = time.monotonic() + timeout
        while True:
            rc = self.exit_status()
            if rc is not None:
                return rc
            if time.monotonic() >= deadline:
                raise TmuxError(f"the command did not exit within {timeout}s; screen:\n{self.capture()}")
            time.sleep(0.05)


def descendants(pid: int) -> list[int]:
    """All live descendants of ``pid`` (from /proc), children first."""
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        # the comm field may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) >= 2:
            children.setdefault(int(fields[1]), []).append(int(p.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        cur = todo.pop(0)
        for c in children.get(cur, ()):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid: int) -> list[str]:
    try:
        return [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return []
