"""The TTY pane widget (dockui.widgets.terminal): rendering, queries, modes, keys, resize, flood."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

from textual.app import App, ComposeResult
from textual.binding import Binding

from dockui.widgets.terminal import TerminalScreen, TerminalView, key_to_bytes


class TermApp(App[None]):
    CSS = "TerminalView { width: 40; height: 10; }"
    BINDINGS = [Binding("ctrl+right_square_bracket", "leave", "Leave")]

    def __init__(self, view_class: type[TerminalView] = TerminalView) -> None:
        super().__init__()
        self.view_class = view_class
        self.sent: list[bytes] = []
        self.resizes: list[tuple[int, int]] = []
        self.left = 0
        self.app_keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.view_class(self.sent.append, lambda rows, cols: self.resizes.append((rows, cols)), id="term")

    def on_mount(self) -> None:
        self.query_one(TerminalView).focus()

    def action_leave(self) -> None:
        self.left += 1

    def on_key(self, event) -> None:  # keys that bubbled out of the pane
        self.app_keys.append(event.key)


Scenario = Callable[[TermApp, TerminalView, object], Awaitable[None]]


def run(scenario: Scenario, size: tuple[int, int] = (60, 20), view_class: type[TerminalView] = TerminalView) -> None:
    async def main() -> None:
        app = TermApp(view_class)
        async with app.run_test(size=size) as pilot:
            term = app.query_one(TerminalView)
            await pilot.pause()
            await scenario(app, term, pilot)

    asyncio.run(main())


async def settle(term: TerminalView, pilot, timeout: float = 60.0) -> None:
    """Wait until everything fed has been drawn (ticks run on a timer)."""
    deadline = time.monotonic() + timeout
    while not term.output_idle:
        assert time.monotonic() < deadline, "the pane did not drain its output"
        await pilot.pause(0.02)
    await pilot.pause()


def line_text(term: TerminalView, y: int) -> str:
    return term.render_line(y).text


def history_text(line) -> str:
    return "".join(line[x].data for x in sorted(line)).rstrip() if line else ""


def test_text_and_colours_are_rendered() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.feed(b"hello \x1b[31mred\x1b[0m \x1b[1;4mbold\x1b[0m\r\n")
        term.feed(b"\x1b[38;5;196mx\x1b[48;2;1;2;3my\x1b[0m \x1b[7mrev\x1b[0m\r\n")
        await settle(term, pilot)
        assert term.terminal_size == (10, 40)
        assert line_text(term, 0).rstrip() == "hello red bold"
        assert len(line_text(term, 0)) == 40
        segments = {seg.text: seg.style for seg in term.render_line(0)}
        assert segments["red"].color.name == "red"
        assert segments["bold"].bold and segments["bold"].underline
        row1 = {seg.text: seg.style for seg in term.render_line(1)}
        assert row1["x"].color.triplet == (0xFF, 0x00, 0x00)
        assert row1["y"].bgcolor.triplet == (1, 2, 3)
        assert row1["rev"].reverse
        assert term.display_lines()[1].rstrip() == "xy rev"

    run(scenario)


def test_utf8_split_across_chunks_and_wide_chars() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        data = "é€ 日本!".encode()
        for i in range(len(data)):  # one byte at a time: every character is split
            term.feed(data[i : i + 1])
        await settle(term, pilot)
        text = line_text(term, 0)
        assert text.startswith("é€ 日本!")
        assert len(term.render_line(0)) and term.render_line(0).cell_length == 40

    run(scenario)


def test_control_characters_never_reach_the_output() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.feed(b"a\x1b]0;title\x07b\x1b[2Jc\x9b31md\x01e\x1bPdcs\x1b\\f\r\n")
        await settle(term, pilot)
        for y in range(10):
            text = line_text(term, y)
            assert all(c.isprintable() for c in text), repr(text)
        assert term.terminal_title == "title"

    run(scenario)


def test_cursor_position_query_is_answered() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.feed(b"abc\x1b[6n")
        await settle(term, pilot)
        assert b"\x1b[1;4R" in app.sent
        term.feed(b"\x1b[c")
        await settle(term, pilot)
        assert b"\x1b[?6c" in app.sent

    run(scenario)


def test_alternate_screen_restores_the_main_buffer() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.feed(b"main line\r\n$ ")
        await settle(term, pilot)
        term.feed(b"\x1b[?1049h\x1b[H\x1b[2Jalt text")
        await settle(term, pilot)
        assert term.screen_state.in_alternate_screen
        assert line_text(term, 0).startswith("alt text")
        assert "main" not in line_text(term, 0)
        term.feed(b"\x1b[?1049l")
        await settle(term, pilot)
        assert not term.screen_state.in_alternate_screen
        assert line_text(term, 0).startswith("main line")
        assert line_text(term, 1).startswith("$ ")
        assert (term.screen_state.cursor.y, term.screen_state.cursor.x) == (1, 2)
        # mode 47 too, and nothing from the alternate screen lands in scrollback
        term.feed(b"\x1b[?47h" + b"x\r\n" * 30 + b"\x1b[?47l")
        await settle(term, pilot)
        assert line_text(term, 0).startswith("main line")
        assert len(term.screen_state.history) == 0

    run(scenario)


def test_arrow_keys_follow_decckm() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        await pilot.press("up", "left")
        assert app.sent[-2:] == [b"\x1b[A", b"\x1b[D"]
        term.feed(b"\x1b[?1h")
        await settle(term, pilot)
        await pilot.press("up", "home")
        assert app.sent[-2:] == [b"\x1bOA", b"\x1bOH"]
        term.feed(b"\x1b[?1l")
        await settle(term, pilot)
        await pilot.press("down")
        assert app.sent[-1] == b"\x1b[B"

    run(scenario)


def test_keys_go_to_the_process_and_ctrl_c_is_not_the_apps() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        await pilot.press("l", "s", "enter", "ctrl+c", "tab", "backspace", "escape", "ctrl+d")
        assert app.sent == [b"l", b"s", b"\r", b"\x03", b"\t", b"\x7f", b"\x1b", b"\x04"]
        assert app.is_running and app.app_keys == []
        assert term.has_focus  # tab went to the process, not to focus_next

    run(scenario)


def test_escape_hatch_key_is_not_consumed() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        await pilot.press("ctrl+right_square_bracket")
        assert app.left == 1
        assert app.sent == []

    run(scenario)


def test_paste_is_bracketed_when_the_program_asks() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        from textual import events

        term.post_message(events.Paste("a\nb"))
        await pilot.pause()
        assert app.sent[-1] == b"a\rb"
        term.feed(b"\x1b[?2004h")
        await settle(term, pilot)
        term.post_message(events.Paste("x\x1b[201~y"))
        await pilot.pause()
        assert app.sent[-1] == b"\x1b[200~xy\x1b[201~"

    run(scenario)


def test_resize_storm_calls_back_once() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.styles.width = "1fr"
        term.styles.height = "1fr"
        await pilot.pause(0.2)
        app.resizes.clear()
        for width in range(50, 70, 2):
            await pilot.resize_terminal(width, 15)
        await pilot.pause(0.5)
        # ten resizes are coalesced (how many callbacks depends on the machine's speed) and the
        # last one always carries the final size
        assert 1 <= len(app.resizes) < 10 and app.resizes[-1] == (15, 68), app.resizes
        assert term.terminal_size == (15, 68)

    run(scenario)


def test_scrollback_with_shift_page_keys() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.feed(b"".join(b"line %d\r\n" % i for i in range(30)))
        await settle(term, pilot)
        assert line_text(term, 8).startswith("line 29")
        await pilot.press("shift+pageup")
        assert term.scrollback_offset == 5
        assert line_text(term, 8).startswith("line 24")
        await pilot.press("shift+pageup", "shift+pageup", "shift+pageup", "shift+pageup")
        assert line_text(term, 0).startswith("line 0")
        assert app.sent == []
        await pilot.press("x")  # any other key: back to the live view (and sent)
        assert term.scrollback_offset == 0
        assert app.sent == [b"x"]
        assert line_text(term, 8).startswith("line 29")

    run(scenario)


class TimedTerminalView(TerminalView):
    """Records how long each tick takes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ticks: list[float] = []

    def _tick(self) -> None:
        start = time.perf_counter()
        super()._tick()
        self.ticks.append(time.perf_counter() - start)


def test_flood_is_fed_in_bounded_ticks() -> None:
    async def scenario(app: TermApp, term: TimedTerminalView, pilot) -> None:
        data = b"".join(b"%07d\r\n" % i for i in range(600_000))  # ~5 MB
        assert len(data) > 5_000_000

        def reader() -> None:  # like a session's reader thread: 64 KB reads
            for i in range(0, len(data), 65536):
                term.feed(data[i : i + 65536])

        started = time.monotonic()
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        thread.join(5)
        assert not thread.is_alive()
        await settle(term, pilot, timeout=60)
        elapsed = time.monotonic() - started
        ticks = term.ticks
        print(f"flood: {elapsed:.2f}s, {len(ticks)} ticks, {sum(ticks):.2f}s in ticks, max {max(ticks) * 1000:.0f} ms")
        assert elapsed < 30, f"5 MB took {elapsed:.1f}s"  # a hang guard; bench/bench_shell.py measures speed
        assert max(ticks) < 0.5, f"a tick took {max(ticks) * 1000:.0f} ms"  # none of them long
        assert line_text(term, 8).startswith("0599999")
        history = term.screen_state.history
        assert len(history) == 2000
        assert [history_text(line) for line in (history[0], history[-1])] == ["0597991", "0599990"]
        assert term.skipped_bytes > 4_500_000  # the lines that could only scroll past were never emulated

    run(scenario, view_class=TimedTerminalView)


def test_closed_shows_banner_and_stops_sending_keys() -> None:
    async def scenario(app: TermApp, term: TerminalView, pilot) -> None:
        term.feed(b"".join(b"row %d\r\n" % i for i in range(9)) + b"last")
        threading.Thread(target=term.closed, args=("exit code 0",)).start()
        await pilot.pause(0.1)
        await settle(term, pilot)
        assert term.is_closed
        bottom = term.render_line(9)
        assert bottom.text.startswith("[session ended: exit code 0] press q/esc")
        assert all(seg.style.dim for seg in bottom if seg.text.strip())
        assert line_text(term, 8).startswith("last")  # the output moved up, not hidden
        await pilot.press("q", "ctrl+c")
        assert app.sent == []
        assert app.app_keys == ["q", "ctrl+c"]

    run(scenario)


def test_key_translation_table() -> None:
    assert key_to_bytes("f1") == b"\x1bOP"
    assert key_to_bytes("f5") == b"\x1b[15~"
    assert key_to_bytes("f12") == b"\x1b[24~"
    assert key_to_bytes("pageup") == b"\x1b[5~"
    assert key_to_bytes("pagedown") == b"\x1b[6~"
    assert key_to_bytes("insert") == b"\x1b[2~"
    assert key_to_bytes("delete") == b"\x1b[3~"
    assert key_to_bytes("home") == b"\x1b[H"
    assert key_to_bytes("end", app_cursor_keys=True) == b"\x1bOF"
    assert key_to_bytes("ctrl+up") == b"\x1b[1;5A"
    assert key_to_bytes("shift+tab") == b"\x1b[Z"
    assert key_to_bytes("alt+x", "x") == b"\x1bx"
    assert key_to_bytes("alt+x") == b"\x1bx"
    assert key_to_bytes("ctrl+a") == b"\x01"
    assert key_to_bytes("ctrl+z") == b"\x1a"
    assert key_to_bytes("ctrl+@") == b"\x00"
    assert key_to_bytes("ctrl+space") == b"\x00"
    assert key_to_bytes("space", " ") == b" "
    assert key_to_bytes("eacute", "é") == "é".encode()
    assert key_to_bytes("alt+shift+up") == b"\x1b[1;4A"


def test_screen_resize_keeps_cursor_row_and_scrollback() -> None:
    screen = TerminalScreen(20, 10)
    screen.draw("top")
    screen.resize(5, 20)  # cursor on row 0: nothing needs to scroll away
    assert screen.display[0].startswith("top")
    for i in range(8):
        screen.carriage_return()
        screen.linefeed()
        screen.draw(f"r{i}")
    screen.resize(3, 10)
    assert screen.display[-1].startswith("r7")
    assert screen.cursor.y == 2
    assert len(screen.history) >= 4


# --- the flood skip: plain lines that could only scroll past are never emulated -----------------
def _state(screen: TerminalScreen) -> tuple:
    def row(line) -> tuple:
        return tuple(sorted((x, c) for x, c in line.items() if c.data != " " or c.bg != "default" or c.reverse)) if line else ()

    return ([row(screen.buffer.get(y)) for y in range(screen.lines)], [row(h) for h in screen.history],
            (screen.cursor.x, screen.cursor.y, screen.cursor.attrs))


def _fed_both_ways(before: bytes, flood: bytes, lines: int = 12, columns: int = 30, history: int = 50) -> tuple[tuple, tuple, int]:
    from dockui.widgets.terminal import _ByteStream, flood_skip

    out = []
    cut = 0
    for skip in (False, True):
        screen = TerminalScreen(columns, lines, history=history)
        stream = _ByteStream(screen)
        stream.feed(before)
        if skip:
            cut = flood_skip(flood, screen, stream)
            screen.skipped_plain(flood.count(b"\n", 0, cut))
            stream.feed(flood[cut:])
        else:
            stream.feed(flood)
        out.append(_state(screen))
    return out[0], out[1], cut


def test_the_flood_skip_leaves_the_screen_and_scrollback_as_feeding_every_line_does() -> None:
    lines = [f"line {i} " + "x" * (i % 45) for i in range(400)]  # some wider than the screen: they wrap
    lines[17] = "progress 10%\rprogress 99%"  # a CR mid-line overwrites
    flood = "\r\n".join(lines).encode() + b"\r\n"
    cases = {
        "a fresh screen": b"",
        "half a screen written, cursor mid-line, colour set": b"one\r\ntwo\r\n\x1b[31mred and on",
        "a full screen and some scrollback": b"".join(b"old %d\r\n" % i for i in range(30)),
        "cursor moved to the top": b"".join(b"old %d\r\n" % i for i in range(30)) + b"\x1b[H",
    }
    for what, before in cases.items():
        full, skipped, cut = _fed_both_ways(before, flood)
        assert cut > len(flood) // 2, what  # most of it was left out...
        assert skipped == full, what  # ...and nothing on screen or in the scrollback differs


def test_the_flood_skip_stops_where_plain_text_stops() -> None:
    plain = b"".join(b"plain %d\r\n" % i for i in range(300))
    coloured = b"\x1b[32mgreen\x1b[0m\r\n" + b"".join(b"after %d\r\n" % i for i in range(10))
    full, skipped, cut = _fed_both_ways(b"", plain + coloured)
    assert 0 < cut < len(plain) and skipped == full  # the escape and the lines before it are fed
    # nothing to leave out: a sequence half received, a scroll region, a bare LF, a short backlog
    assert _fed_both_ways(b"\x1b[3", plain)[2] == 0
    assert _fed_both_ways(b"\x1b[2;5r", plain)[2] == 0
    assert _fed_both_ways(b"", plain.replace(b"\r\n", b"\n"))[2] == 0
    assert _fed_both_ways(b"", plain[:600])[2] == 0  # 60 lines: fewer than 2 * 12 + 50 + 1
    half_utf8 = "é".encode()[:1]
    assert _fed_both_ways(half_utf8, plain)[2] == 0
