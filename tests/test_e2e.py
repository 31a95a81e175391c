"""End to end: the installed ``dockui`` in a real terminal (tmux) against the sandbox engine.

Every test makes its own containers (``dockui-e2e-*``, labelled ``dockui.test=1``, removed
afterwards) and never relies on the seeded ones. Checks that find a known, reported dockui
bug end in ``pytest.xfail`` with the reason, after the hard guarantees were asserted; they
turn into plain passes once the bug is fixed.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dockui.engine import EngineClient, NotFound

from .conftest import engine_host
from .tmux import DONE_MARKER, Tmux, cmdline, ensure_tmux

pytestmark = [
    pytest.mark.skipif(not ensure_tmux(), reason="tmux is missing and apt-get could not install it"),
    pytest.mark.timeout(60),
]

LINES_CMD = "i=0; while true; do i=$((i+1)); echo e2e-line-$i; sleep 0.2; done"
LIST = re.compile(r"Containers \[")
PROMPT = re.compile(r"(?m)^ ?/ # ?$")  # busybox ash's prompt in the shell pane
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
UI_MARKERS = ("Containers [", "Images [", " dockui ")


def dockui_exe() -> str:
    """The installed entry point next to the running interpreter (.venv/bin/dockui)."""
    exe = Path(sys.executable).parent / "dockui"
    return str(exe) if exe.exists() else str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "dockui")


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def containers(client: EngineClient) -> Iterator[Callable[..., tuple[str, str]]]:
    """make(cmd) -> (id, name): a running busybox container, removed after the test."""
    made: list[str] = []

    def make(cmd: str = "sleep 600", suffix: str = "") -> tuple[str, str]:
        name = f"dockui-e2e-{uuid.uuid4().hex[:8]}{suffix}"
        cid = client.create_container("dockui/busybox:latest", ["sh", "-c", cmd], name=name, labels={"dockui.test": "1"})["Id"]
        made.append(cid)
        client.start(cid)
        return cid, name

    yield make
    for cid in made:
        try:
            client.remove_container(cid, force=True, v=True)
        except NotFound:
            pass


@pytest.fixture
def run_dockui(tmp_path: Path) -> Iterator[Callable[..., Tmux]]:
    """run(size=, term=, env=) -> a started Tmux running dockui on the sandbox; killed afterwards."""
    sessions: list[Tmux] = []

    def run(size: tuple[int, int] = (160, 45), term: str = "xterm-256color", env: dict[str, str] | None = None) -> Tmux:
        marker = uuid.uuid4().hex
        base = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
                "DOCKUI_E2E_RUN": marker}
        t = Tmux([dockui_exe(), "--host", engine_host()], size=size, term=term, env={**base, **(env or {})})
        sessions.append(t)
        return t.start()

    yield run
    for t in sessions:
        t.kill()


# --- helpers -----------------------------------------------------------------------------------
def dockui_pids(t: Tmux) -> list[int]:
    """Live dockui processes of this session (found by the marker in their environment)."""
    needle = f"DOCKUI_E2E_RUN={t.env['DOCKUI_E2E_RUN']}".encode()
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            env = (p / "environ").read_bytes()
            stat = (p / "stat").read_text()
        except OSError:
            continue
        if needle in env.split(b"\0") and stat[stat.rfind(")") + 2:].split()[0] != "Z":
            args = cmdline(int(p.name))
            if args[:1] != ["sh"] and args[:1] != ["sleep"] and args[:1] != ["env"]:
                out.append(int(p.name))
    return out


def bottom(t: Tmux, n: int = 3) -> list[str]:
    return t.lines()[-n:]


def settled_bottom(t: Tmux, n: int = 3, quiet: float = 0.15, timeout: float = 5.0) -> list[str]:
    """The bottom lines once they stopped changing for ``quiet`` seconds (a hint line repaints late)."""
    last, since = bottom(t, n), time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        time.sleep(0.03)
        cur = bottom(t, n)
        if cur != last:
            last, since = cur, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def prompt(t: Tmux, key: str, text: str) -> None:
    """``:`` or ``/``, wait until the prompt line opened (the settled bottom lines change), type, Enter.

    Waiting first matters: keys that arrive before the prompt has focus go to the table (see
    test_typeahead_after_colon_goes_to_the_prompt), and keys right after enter to the prompt."""
    before = settled_bottom(t)
    t.send_keys(key)
    t.wait_until(lambda: bottom(t) != before, timeout=5, what=f"the {key} prompt to open")
    time.sleep(0.1)
    t.send_text(text)
    if key == "/":
        t.wait_for(re.compile(r"filter:\s*" + re.escape(text)), timeout=5)  # applied as typed, shown in the crumbs
    else:
        time.sleep(0.05)
    opened = bottom(t)
    t.send_keys("Enter")
    # and the same after enter: a key sent before the prompt has closed and given the focus
    # back lands in the hidden prompt (see test_keys_right_after_enter_reach_the_list)
    t.wait_until(lambda: bottom(t) != opened, timeout=5, what=f"the {key} prompt to close")
    time.sleep(0.15)


def filter_to(t: Tmux, name: str) -> None:
    prompt(t, "/", name)
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)
    t.wait_for(name)


def table_names(screen: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"(?m)^ ?(dockui-e2e-[0-9a-f]{8}[-a-z]*)", screen)}


def quit_and_check_restored(t: Tmux, clean: bool = True) -> None:
    """ctrl+q: exit status 0, the alternate screen left, modes reset, no UI left on the shell's screen
    (``clean=False``: output written to the main screen on purpose, by a hand-over, may stay)."""
    t.send_keys("C-q")
    assert t.wait_exit(timeout=5) == 0
    screen = t.wait_for(DONE_MARKER, timeout=5)
    modes = t.modes()
    assert modes["alternate_on"] == "0", f"still in the alternate screen: {modes}"
    assert modes["cursor_flag"] == "1", f"cursor left hidden: {modes}"
    assert all(modes[m] == "0" for m in ("mouse_any_flag", "mouse_all_flag", "mouse_button_flag", "mouse_standard_flag",
                                          "mouse_sgr_flag")), f"mouse reporting left on: {modes}"
    assert modes["keypad_cursor_flag"] == "0", f"application cursor keys left on: {modes}"
    assert modes["wrap_flag"] == "1", f"line wrap left off: {modes}"
    lines = [ln for ln in screen.splitlines() if ln.strip()]
    if clean:
        assert lines and lines[0].startswith(DONE_MARKER), f"the shell's screen is not clean after exit:\n{screen}"
    assert not any(m in screen for m in UI_MARKERS), f"UI left on the screen after exit:\n{screen}"


def sgr_colours(screen: str) -> list[tuple[str, tuple[int, ...]]]:
    """Every colour in the SGR sequences of a ``capture-pane -e``: (kind, values), kind in 16/256/rgb."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for m in SGR.finditer(screen):
        ps = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", m.group(1))] if m.group(1) else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 2:
                    out.append(("rgb", tuple(ps[i + 2:i + 5])))
                    i += 5
                    continue
                if ps[i + 1] == 5:
                    out.append(("256", (ps[i + 2],)))
                    i += 3
                    continue
            if 30 <= p <= 37 or 40 <= p <= 47 or 90 <= p <= 97 or 100 <= p <= 107:
                out.append(("16", (p,)))
            i += 1
    return out


def is_grey(kind: str, v: tuple[int, ...]) -> bool:
    if kind == "rgb":
        return len(set(v)) == 1
    if kind == "256":
        return v[0] in (0, 7, 8, 15, 16, 231) or 232 <= v[0] <= 255
    return v[0] % 10 in (0, 7)  # black, white, bright black (grey), bright white


def running_execs(client: EngineClient, cid: str) -> list[str]:
    try:
        ids = client.inspect_container(cid).get("ExecIDs") or []
    except NotFound:
        return []
    out = []
    for e in ids:
        try:
            if client.exec_inspect(e).get("Running"):
                out.append(e)
        except NotFound:
            pass
    return out


def known_bug(problems: list[str]) -> None:
    if problems:
        pytest.xfail("known dockui bug(s): " + "; ".join(problems))


# --- 1: the main flow -----------------------------------------------------------------------------
def test_browse_filter_describe_help_and_quit(containers, run_dockui):
    cid, name = containers()
    _, other = containers(suffix="-other")
    t = run_dockui(size=(160, 45))
    screen = t.wait_for(name, timeout=15)
    assert LIST.search(screen) and other in screen

    # :images, then q goes back to the containers
    prompt(t, ":", "images")
    screen = t.wait_for("Images [", timeout=5)
    t.wait_for("dockui/busybox")
    t.send_keys("q")
    t.wait_for(LIST, timeout=5)

    # / narrows to one row; the other container is gone from the table
    filter_to(t, name)
    assert other not in t.capture()

    # d: the inspect document of the selected container
    t.send_keys("d")
    screen = t.wait_for(f'"Id": "{cid}"', timeout=10)
    assert f'"Name": "/{name}"' in screen or t.wait_for(f'"/{name}"', timeout=5)
    t.send_keys("Escape")
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)

    # ?: help, q closes it
    t.send_keys("?")
    t.wait_for("dockui keys", timeout=5)
    t.send_keys("q")
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)

    # esc clears the filter: both rows again
    t.send_keys("Escape")
    t.wait_until(lambda: {name, other} <= table_names(t.capture()), timeout=5, what="both containers after esc")

    quit_and_check_restored(t)
    assert not dockui_pids(t)


# --- 2: shell pane and logs ---------------------------------------------------------------------
def test_shell_pane_then_logs(client, containers, run_dockui):
    cid, name = containers(LINES_CMD)
    t = run_dockui(size=(160, 45))
    t.wait_for(name, timeout=15)
    filter_to(t, name)

    t.send_keys("s")
    t.wait_for(PROMPT, timeout=10)
    assert len(running_execs(client, cid)) == 1
    t.send_text("echo $((6*7))")
    t.send_keys("Enter")
    t.wait_for(re.compile(r"(?m)^ ?42\s*$"), timeout=5)

    t.send_text("exit")
    t.send_keys("Enter")
    t.wait_gone(PROMPT, timeout=5)
    t.wait_until(lambda: not running_execs(client, cid), timeout=5, what="the exec to end")
    # the pane closes when dockui has seen the end (its notice says so); a key typed before that
    # still goes to the pane (the list's header shows all along, so it says nothing about focus)
    t.wait_for(f"shell {name}: exited with code 0", timeout=10)
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)

    # focus is back on the list: l opens the logs of the selected container, following
    t.send_keys("l")
    screen = t.wait_for(re.compile(r"e2e-line-\d+"), timeout=10)
    seen = {int(n) for n in re.findall(r"e2e-line-(\d+)", screen)}
    assert len(seen) >= 3, screen
    t.wait_until(lambda: max(int(n) for n in re.findall(r"e2e-line-(\d+)", t.capture()) or ["0"]) > max(seen),
                 timeout=5, what="new log lines (following)")
    t.send_keys("q")
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)

    quit_and_check_restored(t)


# --- 3: small terminal, other TERMs, colour handling -------------------------------------------
TERMINALS = [
    pytest.param("xterm-256color", {}, id="xterm-256color"),
    pytest.param("xterm-256color", {"COLORTERM": "truecolor"}, id="truecolor"),
    pytest.param("xterm", {}, id="xterm"),
    pytest.param("screen", {}, id="screen"),
    pytest.param("screen-256color", {}, id="screen-256color"),
    pytest.param("tmux-256color", {}, id="tmux-256color"),
    pytest.param("linux", {}, id="linux"),
    pytest.param("xterm-256color", {"NO_COLOR": "1"}, id="no-color"),
    pytest.param("xterm-256color", {"NO_COLOR": "1", "COLORTERM": "truecolor"}, id="no-color-truecolor"),
]


@pytest.mark.parametrize(("term", "env"), TERMINALS)
def test_small_terminal_and_term_types(containers, run_dockui, term, env):
    cid, name = containers()
    t = run_dockui(size=(80, 24), term=term, env=env)
    screen = t.wait_for(name, timeout=15)
    assert all(len(ln) <= 80 for ln in screen.splitlines())

    # colours as the terminal can take them (checked on the list, which has coloured states)
    time.sleep(0.3)
    colours = sgr_colours(t.capture(escapes=True))
    kinds = {k for k, _ in colours}
    if env.get("NO_COLOR"):
        # NO_COLOR: no colour codes at all (bold and reverse still mark state and the cursor)
        assert not colours, f"colours under NO_COLOR: {sorted(set(colours))[:10]}"
    else:
        assert colours, "no colour at all"
    if env.get("NO_COLOR"):
        pass
    elif env.get("COLORTERM") != "truecolor":
        assert "rgb" not in kinds, f"24-bit colour sent to TERM={term} without COLORTERM=truecolor"
    else:
        assert "rgb" in kinds
    if "256color" not in term and not env.get("COLORTERM"):
        assert kinds == {"16"}, f"more than 16 colours sent to TERM={term}: {kinds}"

    prompt(t, ":", "images")
    t.wait_for("dockui/busybox", timeout=5)
    t.send_keys("Escape")  # esc goes back, as q does
    t.wait_for(LIST, timeout=5)
    filter_to(t, name)
    t.send_keys("d")
    t.wait_for(f'"Id": "{cid}"', timeout=10)
    t.send_keys("Escape")
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)
    t.send_keys("?")
    t.wait_for("dockui keys", timeout=5)
    t.send_keys("Escape")
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=5)
    quit_and_check_restored(t)


# --- 4: signals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "ctrl+q", "terminal-closed"])
def test_signal_ends_dockui_and_its_exec_sessions(client, containers, run_dockui, how):
    cid, name = containers()
    t = run_dockui(size=(160, 45))
    t.wait_for(name, timeout=15)
    filter_to(t, name)
    t.send_keys("s")
    t.wait_for(PROMPT, timeout=10)
    t.wait_until(lambda: running_execs(client, cid), timeout=5, what="the shell's exec")
    pids = dockui_pids(t)
    assert pids, "dockui's process not found"

    start = time.monotonic()
    if how == "ctrl+q":
        t.send_keys("C-q")
    elif how == "terminal-closed":  # the real SSH drop: the pty goes away, the kernel sends SIGHUP
        t.tmux("kill-pane", "-t", t.target)
    else:
        for pid in pids:
            os.kill(pid, getattr(signal, how))
    t.wait_until(lambda: not dockui_pids(t), timeout=5, what=f"dockui to end after {how}")
    took = time.monotonic() - start
    problems = []
    if took >= 2.0:
        # seen only with the machine loaded by other test runs (alone: 0.25-0.5 s); a hang fails above
        problems.append(f"dockui took {took:.2f}s to end after {how} (budget 2 s)")
    rc = None
    if how != "terminal-closed":  # (then the wrapper shell went with the pane)
        rc = t.wait_exit(timeout=2)
    if how == "ctrl+q":
        assert rc == 0
    assert not dockui_pids(t)

    if how == "SIGTERM":
        assert t.modes()["alternate_on"] == "0", f"SIGTERM left the terminal unrestored (exit {rc})"
    deadline = time.monotonic() + 3
    while running_execs(client, cid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running_execs(client, cid)
    procs = [p[-1] for p in client.top(cid).get("Processes", [])] if left else []
    assert not left, f"after {how} the shell's exec still runs in the container ({len(left)} exec, processes {procs})"
    known_bug(problems)  # only the 2 s budget, missed on a loaded machine


# --- 5: resize storm ----------------------------------------------------------------------------
def test_resize_storm(containers, run_dockui):
    _, name = containers()
    t = run_dockui(size=(160, 45))
    t.wait_for(name, timeout=15)
    time.sleep(0.5)
    before = t.lines()
    rnd = random.Random(7)
    start = time.monotonic()
    for i in range(50):
        t.resize(rnd.randint(20, 220) if i % 5 else 1 + i % 3, rnd.randint(4, 70) if i % 7 else 1 + i % 2)
        time.sleep(max(0.0, start + (i + 1) / 50 - time.monotonic()))
    t.resize(160, 45)
    assert t.exit_status() is None and dockui_pids(t), f"dockui died in the storm:\n{t.capture()}"

    def settled() -> bool:
        lines = t.lines()
        return (len(lines) >= 44 and lines[0] == before[0] and LIST.search(lines[2] + lines[1]) is not None
                and name in "\n".join(lines) and lines[-1].strip() != "" and lines[-1] == before[-1])

    t.wait_until(settled, timeout=5, what="the screen to settle as it was before the storm")
    assert all(len(ln) <= 160 for ln in t.lines())
    # still responsive
    prompt(t, ":", "images")
    t.wait_for("dockui/busybox", timeout=5)
    t.send_keys("q")
    t.wait_for(name, timeout=5)
    quit_and_check_restored(t)


# --- known bugs, kept as tests -------------------------------------------------------------------
def test_prompt_shows_what_is_typed(run_dockui):
    """The : line must show the text typed so far (a focused Input's tall border used to eat its one line)."""
    t = run_dockui(size=(100, 30))
    t.wait_for(LIST, timeout=15)
    before = bottom(t)
    t.send_keys(":")
    t.wait_until(lambda: bottom(t) != before, timeout=5, what="the : prompt")
    t.send_text("volum")
    time.sleep(0.5)
    shown = "volum" in "\n".join(bottom(t))
    t.send_keys("Escape")
    assert shown, "the : prompt does not show what is typed"


def test_typeahead_after_colon_goes_to_the_prompt(containers, run_dockui):
    """':vol' + Enter arriving in one read (paste, ssh latency) must run :vol, not act on the table."""
    _, name = containers()
    t = run_dockui(size=(100, 30))
    t.wait_for(name, timeout=15)
    filter_to(t, name)  # so a stray key can only touch our own container
    t.send_text(":vol\r")
    t.wait_for("Volumes [", timeout=5)  # keys typed right behind ':' belong to the prompt


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30-two-lines", "80x24-compact"])
def test_header_keeps_the_state_on_narrower_terminals(run_dockui, size):
    """The counts and the connection state must stay visible when the engine facts do not fit."""
    t = run_dockui(size=size)
    t.wait_for(LIST, timeout=15)
    t.wait_for("connected", timeout=10)
    time.sleep(1.0)  # the engine facts are in: the header's engine part is long now
    head = "\n".join(t.lines()[:3])
    assert re.search(r"running \d+", head) and "connected" in head, head


def test_keys_right_after_enter_reach_the_list(containers, run_dockui):
    """'/name' Enter 'd' in one burst (paste, ssh latency) must filter, then describe the container."""
    cid, name = containers()
    t = run_dockui(size=(100, 30))
    t.wait_for(name, timeout=15)
    before = settled_bottom(t)
    t.send_keys("/")
    t.wait_until(lambda: bottom(t) != before, timeout=5, what="the / prompt")
    time.sleep(0.2)
    t.send_text(name)
    t.wait_for(re.compile(r"filter:\s*" + re.escape(name)), timeout=5)
    t.send_text("\rd")
    t.wait_for(f'"Id": "{cid}"', timeout=5)  # the key right behind Enter reaches the list


def test_full_terminal_hand_over_and_back(client, containers, run_dockui):
    """`T`: the dashboard steps aside, the real terminal talks to a shell, `exit` brings it back."""
    cid, name = containers()
    t = run_dockui(size=(120, 35))
    t.wait_for(name, timeout=15)
    filter_to(t, name)
    t.send_keys("T")
    t.wait_for("full-terminal shell", timeout=10)
    t.wait_for(PROMPT, timeout=10)
    t.send_text("stty size; echo $((6*7))")
    t.send_keys("Enter")
    t.wait_for(re.compile(r"(?m)^35 120\s*$"), timeout=5)
    t.wait_for(re.compile(r"(?m)^42\s*$"), timeout=5)
    t.send_text("exit")
    t.send_keys("Enter")
    t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=10)
    t.wait_until(lambda: not running_execs(client, cid), timeout=5, what="the exec to end")
    quit_and_check_restored(t, clean=False)


def test_switching_context_in_a_real_terminal_shows_the_other_engine(tmp_path, run_dockui):
    """`:ctx`, pick the second node's engine: the header and the list now show that engine."""
    import hashlib
    import json

    n2_host = "unix:///var/tmp/dockui-sandbox/n2/docker.sock"
    cfg = tmp_path / "docker"
    meta = cfg / "contexts" / "meta" / hashlib.sha256(b"node2").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": "node2", "Metadata": {"Description": "second node"},
                                                "Endpoints": {"docker": {"Host": n2_host, "SkipTLSVerify": False}}}))
    n2 = EngineClient(n2_host)
    name = "dockui-e2e-n2-" + uuid.uuid4().hex[:6]
    cid = n2.create_container("dockui/busybox:latest", ["sleep", "300"], name=name, labels={"dockui.test": "1"})["Id"]
    try:
        t = run_dockui(size=(160, 45), env={"DOCKER_CONFIG": str(cfg), "DOCKER_HOST": engine_host()})
        t.wait_for(LIST, timeout=15)
        assert name not in t.capture()
        prompt(t, ":", "ctx")
        t.wait_for("node2", timeout=5)
        t.wait_for(re.compile(r"Docker \d"), timeout=10)  # the reachability probe answered
        t.send_keys("Down")
        time.sleep(0.2)
        t.send_keys("Enter")
        t.wait_for("n2/docker.sock", timeout=10)
        t.wait_for(name, timeout=15)
        quit_and_check_restored(t)
    finally:
        n2.remove_container(cid, force=True)
