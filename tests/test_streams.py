"""Pure units for the stream formats: frames, JSON streams, lines, timestamps."""

from __future__ import annotations

import json
import struct

from dockui.engine.streams import FrameDecoder, JSONStreamDecoder, LineSplitter, demux, split_timestamp


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_frames_split_at_every_byte_boundary():
    data = frame(1, b"hello\n") + frame(2, b"oops\n") + frame(1, b"") + frame(1, "ü".encode() * 3)
    for cut in range(len(data) + 1):
        dec = FrameDecoder()
        out = dec.feed(data[:cut]) + dec.feed(data[cut:])
        assert [(s, p) for s, p in out if p] == [(1, b"hello\n"), (2, b"oops\n"), (1, "ü".encode() * 3)]


def test_unframed_stream_passes_through_as_raw():
    out = list(demux([b"plain tty output\r\n", b"more"]))
    assert b"".join(p for _, p in out) == b"plain tty output\r\nmore"


def test_truncated_frame_is_returned_at_flush():
    out = list(demux([frame(1, b"abcdef")[:-2]]))
    assert out == [(1, b"abcd")]


def test_json_stream_survives_malformed_documents_and_split_utf8():
    docs = [{"a": 1}, {"name": "é"}, {"b": [1, 2]}]
    raw = (json.dumps(docs[0]) + "\n{broken\n" + json.dumps(docs[1], ensure_ascii=False) + json.dumps(docs[2]) + "\n").encode()
    for cut in range(len(raw) + 1):
        dec = JSONStreamDecoder()
        out = dec.feed(raw[:cut]) + dec.feed(raw[cut:])
        assert out == docs
        assert dec.errors == 1


def test_line_splitter_keeps_partial_lines_per_stream():
    sp = LineSplitter()
    assert sp.feed(1, b"ab") == []
    assert sp.feed(2, b"x\ny") == [(2, b"x")]
    assert sp.feed(1, b"c\nd\n") == [(1, b"abc"), (1, b"d")]
    assert sp.flush() == [(2, b"y")]


def test_line_splitter_cuts_endless_line():
    sp = LineSplitter(max_line=10)
    out = sp.feed(1, b"x" * 25)
    assert out and len(out[0][1]) == 25


def test_split_timestamp():
    ts, rest = split_timestamp(b"2026-11-26T12:00:00.123456789Z hello world")
    assert ts == "2026-11-26T12:00:00.123456789Z" and rest == b"hello world"
    assert split_timestamp(b"no stamp here") == (None, b"no stamp here")
