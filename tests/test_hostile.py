"""Hostile input: every engine string is data, shown inertly; secrets stay masked.

Containers on the sandbox carry Rich markup, terminal escapes (OSC 52 clipboard writes, OSC 0
titles, CSI moves and clears, DCS), NUL, invalid UTF-8 and a 1 MB log line. The pilot tests
look at what the widgets render; the tmux test runs the real ``dockui`` in a terminal and
checks every byte it wrote to that terminal.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from rich.segment import Segment

from dockui import logfile
from dockui.app import DockuiApp
from dockui.engine import APIError, EngineClient
from dockui.screens.dialogs import DescribeScreen, pretty_json
from dockui.screens.logs import LogsScreen
from dockui.secrets import MASK, is_secret_name, mask_document, mask_text

from .conftest import IMAGE, engine_host
from .test_app import wait_until
from .tmux import Tmux, ensure_tmux

DOCKUI = str(Path(sys.executable).with_name("dockui"))

OSC52 = "\x1b]52;c;ZXZpbA==\x07"  # would put "evil" on the clipboard
OSC0 = "\x1b]0;zaptitle\x07"  # would set the window title
CSI = "\x1b[2Jzapclear\x1b[10;10Hzapmove\x1b[?1049h"  # clear, move, alternate screen
DCS = "\x1bPzapdcs\x1b\\"  # a device control string
C1 = "\x9b2Jzapc1\x9d0;zapc1title\x9c"  # the same as 8-bit controls
MARKUP = "[bold red]x[/]"
LINK = "[link=http://e]y[/link]"
EVIL = f"{OSC52}{OSC0}{CSI}{DCS}{C1}\x00nul\u202eevil"
EVIL_ARG = EVIL.replace("\x00", "")  # a NUL cannot be passed to execve: env and command go without it


def run(coro):
    return asyncio.run(coro)


def rendered(widget) -> list[list[Segment]]:
    """The segments a widget paints, line by line."""
    return [list(widget.render_line(y)) for y in range(widget.size.height)]


def plain_lines(widget) -> list[str]:
    return ["".join(s.text for s in line) for line in rendered(widget)]


def assert_inert(widget) -> None:
    """Nothing a widget paints holds a control character or a hyperlink."""
    for line in rendered(widget):
        for seg in line:
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", seg.text), repr(seg.text)
            assert seg.style is None or not seg.style.link, f"a link in {seg.text!r}: {seg.style.link}"


# ---------------------------------------------------------------- units
def test_secret_names_and_masking():
    for name in ("SECRET_TOKEN", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "apiKey", "api-key", "AWS_SECRET_ACCESS_KEY",
                 "GITHUB_TOKEN", "SSH_PRIVATE_KEY", "my.app.password", "PASSWD", "CREDENTIALS", "Authorization"):
        assert is_secret_name(name), name
    for name in ("PATH", "PWD", "HOME", "HOSTNAME", "PASSWORD_FILE", "SecretName", "KEYBOARD", "com.docker.compose.project",
                 "CertIssuerPublicKey", "LANG"):
        assert not is_secret_name(name), name
    doc = {"Config": {"Env": ["SECRET_TOKEN=hunter2", "PATH=/bin", "DATABASE_URL=postgres://u:pw0rd@db/x", "EMPTY_PASSWORD="],
                      "Labels": {"api.token": "hunter2", "tier": "web"}, "Cmd": ["app", "--password", "hunter2", "--token=hunter2"]},
           "Spec": {"TaskTemplate": {"ContainerSpec": {"Env": ["API_KEY=hunter2"]}}}, "JoinTokens": {"Worker": "SWMTKN-1-x"}}
    masked = mask_document(doc)
    text = repr(masked)
    assert "hunter2" not in text and "pw0rd" not in text and "SWMTKN" not in text
    assert "PATH=/bin" in text and "'tier': 'web'" in text and f"SECRET_TOKEN={MASK}" in text and "EMPTY_PASSWORD=" in text
    assert doc["Config"]["Env"][0] == "SECRET_TOKEN=hunter2"  # the input is left alone
    line = ("env SECRET_TOKEN=hunter2 labels {'api_token': 'hunter2', \"db_password\": \"hunter2\"} "
            "password: hunter2 url postgres://u:hunter2@db ['SECRET_TOKEN=hunter2', 'A=1']")
    assert "hunter2" not in mask_text(line) and "A=1" in mask_text(line)


def test_log_file_filter_masks_messages_arguments_and_tracebacks(tmp_path):
    path = logfile.setup(tmp_path / "state" / "dockui" / "dockui.log", level="DEBUG")
    try:
        log = logging.getLogger("dockui.test")
        log.info("env %s", ["SECRET_TOKEN=hunter2", "A=1"])
        log.warning("labels %r", {"api_token": "hunter2"})
        try:
            raise RuntimeError("connect failed: password=hunter2")
        except RuntimeError:
            log.exception("boom")
        for h in logging.getLogger("dockui").handlers:
            h.flush()
        text = path.read_text()
        assert "hunter2" not in text and text.count(MASK) >= 4 and "RuntimeError" in text and "A=1" in text
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    finally:
        logfile.teardown()


def test_pretty_json_escapes_what_json_leaves_raw():
    text = pretty_json({"l": EVIL + "\x7f\u2028" + MARKUP})
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u202e]", text.replace("\n", ""))
    assert "\\u001b]52;c;ZXZpbA==\\u0007" in text and "\\u009b2J" in text and "\\u202e" in text and MARKUP in text


def test_the_engine_refuses_hostile_image_tags(client):
    """An image name or tag cannot carry markup or escapes: the engine refuses them, so the
    IMAGE column only ever shows what the reference grammar allows."""
    for tag in ("[bold]x[/]", "x\x1b]0;t\x07", "a b"):
        with pytest.raises(APIError):
            client.tag(IMAGE, "dockui/hostile", tag)


# ---------------------------------------------------------------- the dashboard
@pytest.fixture
def hostile(make_container, unique):
    """Two containers: one whose compose project label is Rich markup, one whose label holds a
    link tag; both with hostile labels, env and command, and logs full of escapes."""
    script = (r"printf 'zapstart\n'; printf '\033]52;c;ZXZpbA==\007\033]0;zaptitle\007\033[2Jzapclear\033[10;10Hzapmove\n';"
              r" printf '\033Pzapdcs\033\\ nul:\000: bad:\377\376: [bold red]x[/] [link=http://e]y[/link]\n';"
              r" head -c 1048576 /dev/zero | tr '\000' 'a'; printf '\nzapafterbig\n'; sleep 600")
    labels = {"evil": EVIL, "markup": MARKUP + LINK}
    env = [f"EVIL={EVIL_ARG}", f"MARKUP={MARKUP}", "SECRET_TOKEN=hunter2"]
    a = make_container(["sh", "-c", script + " #" + EVIL_ARG], name=unique + "-a", environment=env,
                       labels={**labels, "com.docker.compose.project": MARKUP})
    b = make_container(["sleep", "600"], name=unique + "-b", environment=env,
                       labels={**labels, "com.docker.compose.project": LINK})
    return {"a": a, "b": b, "name": unique}


def test_hostile_strings_in_the_table_describe_and_logs(hostile):
    a, name = hostile["a"], hostile["name"]

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(220, 40)) as pilot:
            await pilot.press("slash", *name, "enter")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 2, 10)
            await pilot.pause(0.3)
            table = app.main.table
            painted = "\n".join(plain_lines(table))
            try:
                assert_inert(table)
                assert MARKUP in painted and "[link=http://e]y" in painted, painted
                table_problem = None
            except AssertionError as exc:  # judged last: the fix lies outside this files
                table_problem = exc
            # describe: every hostile string escaped, markup shown as typed
            await pilot.press("d")
            assert await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen) and app.screen.loaded, 10)
            describe = app.screen
            await pilot.pause(0.2)
            for needle in ("\\u001b]52;c;ZXZpbA==\\u0007", "\\u001b]0;zaptitle\\u0007", "\\u001b[2Jzapclear", "\\u001bPzapdcs",
                           "\\u009b2Jzapc1", "\\u0000nul", "\\u202eevil", MARKUP):
                assert needle in describe.text, needle
            shown = "\n".join(plain_lines(describe.query_one("#doc")))
            assert MARKUP in shown or "[bold red]x[/]" in shown.replace("\n", "")
            assert_inert(describe.query_one("#doc"))
            await pilot.press("escape")
            # logs: escapes gone, NUL visible as a control picture, bad UTF-8 replaced, the 1 MB line survives
            await pilot.press("slash", "ctrl+u", *(name + "-a"), "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == a, 10)
            await pilot.press("l")
            assert await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.query("#logs-view"), 10)
            logs = app.screen
            assert await wait_until(pilot, lambda: any("zapafterbig" in ln.plain for ln in logs.view._lines), 20)
            texts = [ln.plain for ln in logs.view._lines]
            assert not any(re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", t) for t in texts)
            assert any("zapclear" in t and "zapmove" in t for t in texts)
            assert any("nul:\u2400:" in t and "bad:\ufffd\ufffd:" in t and MARKUP in t and LINK in t for t in texts), texts[:4]
            assert sum(len(t) for t in texts if set(t) == {"a"}) == 1048576
            assert_inert(logs.view)
            t0 = time.monotonic()
            await pilot.press("q")
            assert await wait_until(pilot, lambda: app.screen is app.main, 5) and time.monotonic() - t0 < 5
            assert app._exception is None
            # the table: markup shown as typed, no hyperlink, no control character
            if table_problem is not None:
                raise table_problem

    run(main())


def test_secrets_hidden_in_describe_until_revealed_and_never_logged(make_container, unique, tmp_path):
    path = logfile.setup(tmp_path / "dockui.log", level="DEBUG")  # DEBUG: events (and their labels) are logged

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(200, 50)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded, 10)
            # made while the store follows events: its create event, labels included, is logged
            cid = await asyncio.to_thread(make_container, name=unique, environment=["SECRET_TOKEN=hunter2", "PLAIN=visible"],
                                          labels={"api_token": "hunter2", "tier": "web"})
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"), 10)
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid, 10)
            await pilot.press("d")
            assert await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen) and app.screen.loaded, 10)
            d = app.screen
            await pilot.pause(0.2)
            assert "hunter2" not in d.text and f"SECRET_TOKEN={MASK}" in d.text and "PLAIN=visible" in d.text
            assert '"tier": "web"' in d.text and d.hidden >= 2
            assert not any("hunter2" in ln for ln in plain_lines(d.query_one("#doc")))
            assert "hidden" in "".join(plain_lines(d.query_one("#title")))
            await pilot.press("x")
            assert "SECRET_TOKEN=hunter2" in d.text and '"api_token": "hunter2"' in d.text
            await pilot.pause(0.2)
            assert any("hunter2" in ln for ln in plain_lines(d.query_one("#doc")))
            await pilot.press("x")
            assert "hunter2" not in d.text
            await pilot.press("escape")
            logging.getLogger("dockui.test").info("inspect %s", app.client.inspect_container(cid)["Config"])

    try:
        run(main())
        for h in logging.getLogger("dockui").handlers:
            h.flush()
        text = path.read_text()
        assert "connected to" in text and "event container create" in text and "api_token" in text
        assert "hunter2" not in text, [ln for ln in text.splitlines() if "hunter2" in ln]
    finally:
        logfile.teardown()


# ---------------------------------------------------------------- a real terminal
def test_nothing_hostile_reaches_a_real_terminal(hostile, tmp_path):
    if not ensure_tmux():
        pytest.skip("tmux is not available")
    name = hostile["name"]
    d = Path(tempfile.mkdtemp(prefix="dkh-", dir="/tmp"))
    go, out, state = d / "go", d / "pane.out", d / "state"
    # the program waits until the pane's output is piped to a file, so every byte is seen
    command = (f"while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.05; done; "
               f"{shlex.quote(DOCKUI)} --host {shlex.quote(engine_host())}")  # no exec: the harness records the status
    t = Tmux(command, size=(200, 50), env={"XDG_STATE_HOME": str(state), "XDG_CONFIG_HOME": str(d / "config")})
    try:
        t.start()
        t.tmux("pipe-pane", "-o", "-t", t.target, f"cat >> {shlex.quote(str(out))}")
        go.touch()
        t.wait_for("Containers", timeout=20)
        # one step at a time: keys typed before the prompt has the focus go to the table (as
        # actions), and keys typed right after Enter can still reach the closing prompt
        t.send_keys("/")
        time.sleep(0.7)
        t.type(name, delay=0.03)
        time.sleep(0.3)
        t.send_keys("Enter")
        # keys typed right after Enter can still reach the closing prompt: wait until it is gone
        t.wait_for(re.compile(rf"\[2/\d+\].*filter: {re.escape(name)}\s"), timeout=10)
        time.sleep(0.5)
        t.send_keys("d")
        t.wait_for("zapclear", timeout=10)  # the describe view, JSON-escaped
        screen_describe = t.capture(escapes=True)
        t.send_keys("Escape")
        t.wait_gone("zapclear", timeout=10)
        t.send_keys("/")
        time.sleep(0.7)
        t.send_keys("End", "-", "a")
        time.sleep(0.3)
        t.send_keys("Enter")
        t.wait_for(re.compile(rf"\[1/\d+\].*filter: {re.escape(name)}-a\s"), timeout=10)
        time.sleep(0.5)
        t.send_keys("l")
        t.wait_for("zapafterbig", timeout=30)
        screen_logs = t.capture(escapes=True)
        title = t.fmt("#{pane_title}")
        t.send_keys("C-q")
        assert t.wait_exit(15) == 0
        time.sleep(0.3)
        raw = out.read_bytes()
        buffers = t.tmux("list-buffers", check=False)
        log = (state / "dockui" / "dockui.log").read_text()
    finally:
        t.kill()
        shutil.rmtree(d, ignore_errors=True)
    assert len(raw) > 10_000
    for seq, what in ((b"\x1b]52", "OSC 52 (clipboard)"), (b"\x1b]0;zap", "OSC 0 (title)"), (b"\x1bPzap", "DCS"),
                      (b"\x1bP", "DCS"), (b"\x1b[2Jzap", "CSI 2J from the container"), (b"\x1b[10;10Hzap", "CSI move"),
                      (b"\xc2\x9b", "8-bit CSI"), (b"\xc2\x9d", "8-bit OSC"), (b"\xc2\x90", "8-bit DCS"), (b"\x00", "NUL")):
        assert seq not in raw, f"{what} reached the terminal"
    assert b"zapclear" in raw and b"zapdcs" in raw  # the text itself was shown, as text
    for screen in (screen_describe, screen_logs):
        assert "\x1b]" not in screen and "\x1bP" not in screen
    assert "zaptitle" not in title and "zapc1" not in title
    assert "evil" not in buffers and "ZXZpbA" not in buffers
    assert "starting" in log and engine_host() in log and "hunter2" not in log
    assert b"\x1b]8;" not in raw, "a [link=...] label became a terminal hyperlink (OSC 8)"
