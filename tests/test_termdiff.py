"""The screen diff (dockui/termdiff.py): the terminal shows exactly what Textual's full output would
show (checked cell by cell, attributes included, on pyte screens), with fewer bytes."""

from __future__ import annotations

import random

import pyte
import pytest
from rich.cells import cell_len

from dockui.termdiff import ScreenDiff

COLS, ROWS = 60, 12
STYLES = ["\x1b[97;40m", "\x1b[1;7;97;40m", "\x1b[92;40m", "\x1b[38;5;196m\x1b[48;2;10;20;30m", "\x1b[2m", ""]
WORDS = ["bench-0001", "running", "0.5%", "  ", "▁▂▃▅▇", "日本語", "e\u0301", "ok", " ", "x" * 9, "🐳", "Ａ"]


def screens() -> tuple[pyte.Screen, pyte.Stream, pyte.Screen, pyte.Stream]:
    a, b = pyte.Screen(COLS, ROWS), pyte.Screen(COLS, ROWS)
    return a, pyte.Stream(a), b, pyte.Stream(b)


def cells(screen: pyte.Screen) -> list[list[tuple]]:
    return [[tuple(screen.buffer[y][x]) for x in range(COLS)] for y in range(ROWS)]


def frame(rnd: random.Random, lines: int) -> str:
    """A Textual-like update: some lines, each a cursor move then styled segments ending in a reset."""
    out = []
    for y in rnd.sample(range(ROWS), lines):
        x = rnd.choice([0, 0, 0, rnd.randrange(COLS // 2)])
        out.append(f"\x1b[{y + 1};{x + 1}H")
        width = x
        while True:
            word = rnd.choice(WORDS)
            w = cell_len(word)
            # pyte (not a real terminal) wraps a combining character that follows the last column
            if width + w > COLS or (width + w == COLS and "\u0301" in word):
                break
            style = rnd.choice(STYLES)
            out.append(f"{style}{word}\x1b[0m" if style else word)
            width += w
        if rnd.random() < 0.3:
            out.append("\n")
    return "".join(out)


@pytest.mark.parametrize("seed", range(6))
def test_the_screen_is_the_same_as_with_the_full_output(seed: int) -> None:
    rnd = random.Random(seed)
    a, sa, b, sb = screens()
    diff = ScreenDiff(lambda: (COLS, ROWS))
    raw = out = 0
    for step in range(60):
        data = frame(rnd, rnd.randint(1, ROWS))
        if rnd.random() < 0.1:
            data = "\x1b[?2026h" + data + "\x1b[?2026l"
        if rnd.random() < 0.05:
            data += "\x1b[2J"  # clears: the diff must forget what it knew
        sa.feed(data)
        shown = diff.feed(data)
        sb.feed(shown)
        raw, out = raw + len(data), out + len(shown)
        assert cells(a) == cells(b), f"step {step}: screens differ after {data!r} -> {shown!r}"
        assert (a.cursor.x, a.cursor.y) == (b.cursor.x, b.cursor.y) or a.cursor.x >= COLS
    assert out < raw


def test_an_unchanged_repaint_writes_almost_nothing_and_a_changed_cell_only_its_run() -> None:
    diff = ScreenDiff(lambda: (COLS, ROWS))
    row = "\x1b[5;1H\x1b[97;40m bench-0001  \x1b[0m\x1b[92;40mrunning\x1b[0m\x1b[97;40m    0.5%  \x1b[0m\x1b[97;40m ▁▂▃▅▇ \x1b[0m"
    first = diff.feed(row)
    assert "bench-0001" in first
    again = diff.feed(row)
    assert len(again) <= 8, repr(again)
    changed = diff.feed(row.replace("0.5%", "0.7%"))
    assert "7" in changed and "bench" not in changed and "running" not in changed
    assert len(changed) < 30, repr(changed)


def test_chunks_cut_inside_escape_sequences_are_joined() -> None:
    rnd = random.Random(7)
    a, sa, b, sb = screens()
    diff = ScreenDiff(lambda: (COLS, ROWS))
    data = "".join(frame(rnd, ROWS) for _ in range(20))
    i = 0
    while i < len(data):
        n = rnd.randint(1, 40)
        chunk = data[i : i + n]
        sa.feed(chunk)
        sb.feed(diff.feed(chunk))
        i += n
    sb.feed(diff.flush_pending())
    assert cells(a) == cells(b)


def test_a_resize_or_the_alternate_screen_makes_it_write_everything_again() -> None:
    size = [(COLS, ROWS)]
    diff = ScreenDiff(lambda: size[0])
    row = "\x1b[1;1H\x1b[97mhello world\x1b[0m"
    diff.feed(row)
    assert "hello" not in diff.feed(row)
    size[0] = (COLS + 1, ROWS)
    assert "hello world" in diff.feed(row)
    diff.feed("\x1b[?1049h")
    assert "hello world" in diff.feed(row)


def test_hyperlinks_and_unknown_sequences_pass_through() -> None:
    diff = ScreenDiff(lambda: (COLS, ROWS))
    link = "\x1b[1;1H\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"
    assert diff.feed(link) == link
    odd = "\x1b[1;5Habc\x1b[1Kdef"
    a, sa, b, sb = screens()
    sa.feed(odd)
    sb.feed(diff.feed(odd))
    assert cells(a) == cells(b)


def test_text_before_any_cursor_position_goes_out_as_it_came() -> None:
    diff = ScreenDiff(lambda: (COLS, ROWS))
    assert diff.feed("hello") == "hello"
    assert diff.feed("\r\nnext") == "\r\nnext"


def test_a_flood_of_new_cells_makes_it_rest_and_the_screen_stays_right(monkeypatch) -> None:
    import dockui.termdiff as td

    clock = [100.0]
    monkeypatch.setattr(td.time, "monotonic", lambda: clock[0])
    rnd = random.Random(5)
    a, sa, b, sb = screens()
    diff = ScreenDiff(lambda: (COLS, ROWS))
    big = "".join(frame(rnd, ROWS) for _ in range(4))  # > REST_CHUNK, every line new
    assert len(big) > td.REST_CHUNK
    sa.feed(big)
    sb.feed(diff.feed(big))
    during = frame(rnd, 3)
    assert diff.feed(during) == during  # resting: passed through as it came
    sa.feed(during)
    sb.feed(during)
    clock[0] += td.REST_SECONDS + 0.1
    for _ in range(5):  # after the rest: diffed again, and the screen is still the full output's
        data = frame(rnd, 4)
        sa.feed(data)
        sb.feed(diff.feed(data))
        assert cells(a) == cells(b)
