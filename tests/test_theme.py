"""Themes: ``:theme`` completes and switches live, the choice lands in config.toml (comments kept)
and the next start uses it; the state colours come from the theme (a light theme gets its own,
the ANSI themes the terminal's 16 colours) and NO_COLOR still wins.

Colours are read from what the terminal is sent: the compositor's full frame, segment by segment
(the same frame tests/test_rendered.py reads as text).
"""

from __future__ import annotations

import asyncio
import io
import re
import time

import pytest
from rich.color import Color as RichColor
from rich.console import Console
from rich.segment import Segment
from rich.style import Style

from dockui import config
from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.widgets import palette

from .conftest import engine_host
from .kindview import screen_text, wait_text
from .test_app import wait_until

USER_FILE = """# my dockui settings
[ui]   # look and feel
theme = "textual-dark"   # the default, written down
refresh = 0.2

[logs]
tail = 100  # enough for me
"""


def frame_lines(app: DockuiApp) -> list[list[Segment]]:
    """The frame the terminal is sent, as lines of styled segments (filters such as NO_COLOR's applied)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    return list(Segment.split_lines(console.render(update)))


def cell_style(app: DockuiApp, row: str, cell: str) -> Style | None:
    """The style the text ``cell`` is drawn in on the screen line that shows ``row``; None if not shown."""
    for line in frame_lines(app):
        if row in "".join(s.text for s in line):
            for seg in line:
                if seg.text.strip() == cell:
                    return seg.style
    return None


async def wait_style(pilot, app: DockuiApp, row: str, cell: str, pred=lambda s: s is not None, timeout: float = 20.0) -> Style:
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause(0.05)
        style = cell_style(app, row, cell)
        if style is not None and pred(style):
            return style
        if time.monotonic() > deadline:
            raise AssertionError(f"{cell!r} on the row of {row!r}: {style!r}\n{screen_text(app)}")


def rgb(color: RichColor | None) -> tuple[int, int, int] | None:
    return None if color is None or color.is_default else tuple(color.get_truecolor())


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours."""
    def lum(c):
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture
def states(client, make_container, unique):
    """A running, an exited(1) and a paused container; their names by state."""
    running = make_container(name=unique + "-run")
    make_container("exit 1", name=unique + "-bad")
    paused = make_container(name=unique + "-pau")
    for attempt in range(10):  # on a loaded machine runc can refuse a pause right after the start
        try:
            client.pause(paused)
            break
        except Exception:  # noqa: BLE001 - tried again, then raised
            if attempt == 9:
                raise
            time.sleep(0.5)
    assert running
    deadline = time.monotonic() + 20
    while client.inspect_container(unique + "-bad")["State"]["Running"] and time.monotonic() < deadline:
        time.sleep(0.1)
    return {"running": unique + "-run", "exited(1)": unique + "-bad", "paused": unique + "-pau"}


async def show_only(pilot, app: DockuiApp, states: dict[str, str]) -> None:
    """Filter the list to this test's containers (the shared sandbox holds many more than a screenful)."""
    await wait_until(pilot, lambda: app.store.loaded, timeout=30)
    prefix = states["running"][: -len("-run")]
    await pilot.press("slash", *prefix, "enter")
    await wait_text(pilot, app, list(states.values()), timeout=30)


def test_theme_command_completes_switches_live_persists_and_is_used_on_reopening(states, tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE)
    name = states["running"]

    async def first_run() -> tuple[Style, Style]:
        app = DockuiApp(EngineClient(engine_host()), config=config.load(p))
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await show_only(pilot, app, states)
            dark = await wait_style(pilot, app, name, "running")
            await pilot.press("colon", *"theme textual-li")
            # the prompt completes the theme's name as you type; the right arrow takes it
            await wait_text(pilot, app, [re.compile(r"^\W*theme textual-light\s*$", re.M)], timeout=10)
            await pilot.press("right", "enter")
            assert app.theme == "textual-light"
            light = await wait_style(pilot, app, name, "running", lambda s: s.color != dark.color)
            await wait_text(pilot, app, ["theme textual-light, saved to"], timeout=10)
        return dark, light

    dark, light = asyncio.run(first_run())
    assert rgb(dark.color) != rgb(light.color) and rgb(dark.bgcolor) != rgb(light.bgcolor)
    # one line edited, the rest of the file and its comments as they were
    assert p.read_text() == USER_FILE.replace('theme = "textual-dark"   #', 'theme = "textual-light"   #')

    async def second_run() -> Style:
        app = DockuiApp(EngineClient(engine_host()), config=config.load(p))
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await show_only(pilot, app, states)
            assert app.theme == "textual-light"
            return await wait_style(pilot, app, name, "running")

    again = asyncio.run(second_run())
    assert rgb(again.color) == rgb(light.color)


def test_theme_without_a_name_lists_every_theme_and_an_unknown_one_warns(tmp_path):
    p = tmp_path / "config.toml"

    async def main():
        app = DockuiApp(EngineClient(engine_host()), config=config.load(p))
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            await pilot.press("colon", *"theme", "enter")
            text = await wait_text(pilot, app, ["themes: ansi-dark, ansi-light,"], timeout=10)
            assert "theme textual-dark;" in text
            await pilot.press("colon", *"theme nosuch", "enter")
            await wait_text(pilot, app, ["unknown theme 'nosuch'"], timeout=10)
            assert app.theme == "textual-dark"
            names = sorted(app.available_themes)
            assert len(names) >= 20 and "textual-light" in names
            # every theme is offered by the prompt's completion
            words = app.main._command_suggester()._suggestions
            assert all(f"theme {n}" in words for n in names)

    asyncio.run(main())
    assert not p.exists()  # nothing chosen, nothing written


def test_a_config_file_that_cannot_be_written_is_a_warning(tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")

    async def main():
        cfg = config.load(blocked / "config.toml")
        app = DockuiApp(EngineClient(engine_host()), config=cfg)
        async with app.run_test(size=(200, 40), notifications=True) as pilot:
            await wait_text(pilot, app, ["Containers ["], timeout=20)
            await pilot.press("colon", *"theme nord", "enter")
            await wait_text(pilot, app, ["theme nord; not saved:"], timeout=10)
            assert app.theme == "nord"  # switched all the same

    asyncio.run(main())


@pytest.mark.parametrize("dark_theme,light_theme", [("textual-dark", "textual-light"), ("gruvbox", "solarized-light"),
                                                    ("catppuccin-mocha", "catppuccin-latte")])
def test_state_colours_come_from_the_theme_and_stay_readable_in_light_themes(states, tmp_path, dark_theme, light_theme):
    seen: dict[str, dict] = {}

    async def main():
        app = DockuiApp(EngineClient(engine_host()), config=config.load(tmp_path / "none.toml"))
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await show_only(pilot, app, states)
            for theme in (dark_theme, light_theme):
                app.theme = theme
                want = palette.styles(app.get_css_variables())
                seen[theme] = {"want": want, "vars": app.get_css_variables()}
                for st, name in (("running", "state.running"), ("exited(1)", "state.failed"), ("paused", "state.paused")):
                    seen[theme][st] = await wait_style(
                        pilot, app, states[st], st, lambda s, c=want[name].color: rgb(s.color) == rgb(c))

    asyncio.run(main())
    for theme in (dark_theme, light_theme):
        s, v = seen[theme], seen[theme]["vars"]
        # the theme's own success / error / warning colours, made darker (lighter) only as far as
        # the row's background needs for a 3:1 contrast
        for st, var in (("running", "success"), ("exited(1)", "error"), ("paused", "warning")):
            got, given = rgb(s[st].color), rgb(RichColor.parse(v[var]))
            assert contrast(got, rgb(s[st].bgcolor)) >= 3.0, (theme, st, s[st])
            assert got == given or contrast(given, rgb(s[st].bgcolor)) < 3.0, (theme, st, got, given)
        assert len({rgb(s[k].color) for k in ("running", "exited(1)", "paused")}) == 3
    # textual-light shares textual-dark's success green (1.9:1 on its grey): darkened there
    assert rgb(seen[dark_theme]["running"].color) != rgb(seen[light_theme]["running"].color)


def test_ansi_theme_uses_the_terminals_own_16_colours(states, tmp_path):
    async def main():
        app = DockuiApp(EngineClient(engine_host()), config=config.load(tmp_path / "none.toml"))
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await show_only(pilot, app, states)
            app.theme = "ansi-dark"
            running = await wait_style(pilot, app, states["running"], "running", lambda s: s.color is not None and s.color.number == 2)
            failed = await wait_style(pilot, app, states["exited(1)"], "exited(1)", lambda s: s.color is not None and s.color.number == 1)
            paused = await wait_style(pilot, app, states["paused"], "paused", lambda s: s.color is not None and s.color.number == 3)
            return running, failed, paused

    for style in asyncio.run(main()):
        assert style.color.type.name == "STANDARD"  # ansi green / red / yellow: what the terminal's palette says


def test_no_color_wins_over_every_theme(states, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def main():
        app = DockuiApp(EngineClient(engine_host()), config=config.load(tmp_path / "none.toml"))
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await show_only(pilot, app, states)
            out = []
            for theme in ("textual-light", "dracula", "ansi-dark"):
                app.theme = theme
                await pilot.pause(0.3)
                await wait_text(pilot, app, list(states.values()), timeout=20)
                out.append((theme, [seg for line in frame_lines(app) for seg in line if seg.style and (seg.style.color or seg.style.bgcolor)]))
            return out

    for theme, coloured in asyncio.run(main()):
        assert all((s.style.color is None or s.style.color.is_default) and (s.style.bgcolor is None or s.style.bgcolor.is_default)
                   for s in coloured), (theme, coloured[:5])


SGR_RUN = re.compile(r"\x1b\[([0-9;:]*)m|([^\x1b]+)")


def fg_of(line: str, word: str) -> tuple[int, ...] | None:
    """The foreground SGR parameters in force where ``word`` is drawn on a ``capture-pane -e`` line."""
    fg: tuple[int, ...] | None = None
    for m in SGR_RUN.finditer(line):
        if m.group(2) is not None:
            if word in m.group(2):
                return fg
            continue
        ps = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", m.group(1))] if m.group(1) else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0 or p == 39:
                fg = None
            elif 30 <= p <= 37 or 90 <= p <= 97:
                fg = (p,)
            elif p == 38 and i + 1 < len(ps):
                n = 5 if ps[i + 1] == 2 else 3
                fg, i = tuple(ps[i:i + n]), i + n - 1
            elif p == 48 and i + 1 < len(ps):
                i += 4 if ps[i + 1] == 2 else 2
            i += 1
    return None


@pytest.mark.parametrize("theme", ["textual-light", "ansi-light"])
def test_in_a_16_colour_terminal_a_light_theme_keeps_the_states_apart(states, tmp_path, theme):
    """TERM=linux (16 colours, no COLORTERM): a light theme saved in the config file is used at start,
    and running, exited(1) and paused are drawn in three different 16-colour codes."""
    from .tmux import Tmux, ensure_tmux

    if not ensure_tmux():
        pytest.skip("tmux is not available")
    (tmp_path / "dockui").mkdir()
    (tmp_path / "dockui" / "config.toml").write_text(f'[ui]\ntheme = "{theme}"\n')
    import sys

    with Tmux([sys.executable, "-m", "dockui", "--host", engine_host()], size=(160, 45), term="linux",
              env={"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}) as t:
        t.wait_for("Containers [", timeout=30)
        t.send_keys("/")
        t.send_text(states["running"][: -len("-run")])
        t.send_keys("Enter")
        for name in states.values():
            t.wait_for(name, timeout=30)
        time.sleep(0.5)
        lines = t.capture(escapes=True).splitlines()
        fgs = {}
        for st, name in states.items():
            line = next(ln for ln in lines if name in ln)
            fgs[st] = fg_of(line, st)
        t.send_keys("C-q")
        assert t.wait_exit(timeout=20) == 0
    assert all(fg is not None and len(fg) == 1 for fg in fgs.values()), fgs  # 16-colour codes only
    assert len(set(fgs.values())) == 3, fgs
