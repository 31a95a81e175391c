"""The stream parsers under hypothesis: random splits, truncation and garbage.

Each parser must give the same answer however its input is cut into chunks, and on bad
input raise a typed error (``dockui.engine.errors``) or recover; never hang, never grow
without bound. Readers that could block run on sockets with a timeout (a deadline).
"""

from __future__ import annotations

import json
import socket
import struct
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockui.engine.base import CancellableStream, decode_frames, decode_json
from dockui.engine.errors import EngineError, StreamError
from dockui.engine.rawhttp import MAX_CHUNK, RawResponse
from dockui.engine.streams import FrameDecoder, JSONStreamDecoder, LineSplitter, demux, json_stream, split_timestamp

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given offsets (taken modulo its length)."""
    if not data:
        return [b""]
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)] or [b""]


frames_st = st.lists(st.tuples(st.integers(0, 2), st.binary(max_size=120)), max_size=12)
cuts_st = st.lists(st.integers(min_value=0, max_value=10_000), max_size=12)


# ---------------------------------------------------------------- multiplexed frames
def per_stream(pieces) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for s, p in pieces:
        if p:  # an empty frame is legal and says nothing
            out[s] = out.get(s, b"") + p
    return out


@FUZZ
@given(frames_st, cuts_st, st.sampled_from([8, 64, 1 << 20]))
def test_frames_any_split_same_payloads(frames, cuts, max_frame):
    data = b"".join(frame(s, p) for s, p in frames)
    dec = FrameDecoder(max_frame=max_frame)
    got = []
    for chunk in split(data, cuts):
        got += dec.feed(chunk)
        assert len(dec._buf) < 8 + max_frame  # one incomplete small frame at most
    got += dec.flush()
    assert not dec.raw
    assert per_stream(got) == per_stream(frames)
    assert b"".join(p for _, p in got) == b"".join(p for _, p in frames)


@FUZZ
@given(frames_st, cuts_st, st.integers(min_value=0, max_value=10_000))
def test_frames_truncated_give_a_prefix(frames, cuts, cut):
    data = b"".join(frame(s, p) for s, p in frames)
    data = data[: cut % (len(data) + 1)]
    got = list(demux(split(data, cuts)))
    whole = b"".join(p for _, p in frames)
    assert whole.startswith(b"".join(p for _, p in got))
    assert all(s in (0, 1, 2) for s, _ in got)


@FUZZ
@given(st.binary(max_size=2000), cuts_st)
def test_frames_garbage_never_raises_and_stays_bounded(data, cuts):
    dec = FrameDecoder(max_frame=256)
    out = []
    for chunk in split(data, cuts):
        out += dec.feed(chunk)
        assert len(dec._buf) < 8 + 256
    out += dec.flush()
    assert all(isinstance(p, bytes) and s in (0, 1, 2) for s, p in out)
    assert sum(len(p) for _, p in out) <= len(data)


def test_a_4gib_frame_header_is_streamed_not_buffered():
    dec = FrameDecoder(max_frame=1024)
    out = dec.feed(struct.pack(">BxxxL", 1, 0xFFFFFFFF))
    for _ in range(100):
        out += dec.feed(b"x" * 10_000)
    assert len(dec._buf) == 0 and sum(len(p) for _, p in out) == 1_000_000


# ---------------------------------------------------------------- JSON streams
json_leaf = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
json_doc = st.dictionaries(st.text(max_size=8), st.recursive(json_leaf, lambda ch: st.lists(ch, max_size=4) | st.dictionaries(st.text(max_size=5), ch, max_size=4), max_leaves=12), max_size=5)


@FUZZ
@given(st.lists(json_doc, max_size=8), st.lists(st.sampled_from(["\n", "", "\r\n", " \n\n"]), min_size=8, max_size=8), cuts_st)
def test_json_stream_any_split_same_documents(docs, seps, cuts):
    data = "".join(json.dumps(d, ensure_ascii=False) + seps[i] for i, d in enumerate(docs)).encode()
    dec = JSONStreamDecoder()
    got = []
    for chunk in split(data, cuts):
        got += dec.feed(chunk)
    dec.flush()
    assert got == docs
    assert dec.errors == 0


@FUZZ
@given(st.lists(st.one_of(json_doc.map(lambda d: ("doc", d)), st.text(max_size=30).map(lambda t: ("junk", t))), max_size=10), cuts_st)
def test_json_stream_skips_bad_lines_and_keeps_the_rest(items, cuts):
    lines = []
    for kind, v in items:
        # "{\x01" can never start valid JSON: a control character is invalid everywhere
        lines.append(json.dumps(v) if kind == "doc" else "{\x01" + v.replace("\n", " ").replace("\r", " "))
    data = "".join(line + "\n" for line in lines).encode()
    got = list(json_stream(split(data, cuts)))
    assert got == [v for kind, v in items if kind == "doc"]
    dec = JSONStreamDecoder()
    for chunk in split(data, cuts):
        dec.feed(chunk)
    assert dec.errors == sum(1 for kind, _ in items if kind == "junk")


@FUZZ
@given(st.binary(max_size=3000), cuts_st)
def test_json_stream_garbage_never_raises_and_stays_bounded(data, cuts):
    dec = JSONStreamDecoder(max_buffer=500)
    for chunk in split(data, cuts):
        out = dec.feed(chunk)
        assert isinstance(out, list)
        assert len(dec._buf) <= 500 + len(chunk) and len(dec._bytes) <= 3
    dec.flush()


def test_json_stream_deep_nesting_is_an_error_not_a_crash():
    dec = JSONStreamDecoder()
    assert dec.feed(b"[" * 200_000 + b"\n" + b'{"ok": 1}\n') == [{"ok": 1}]
    assert dec.errors == 1


def test_json_stream_does_not_split_a_number_across_chunks():
    dec = JSONStreamDecoder()
    assert dec.feed(b"12") == []
    assert dec.feed(b"34\n") == [1234]


# ---------------------------------------------------------------- lines and timestamps
@FUZZ
@given(st.lists(st.tuples(st.integers(1, 2), st.binary(max_size=300)), max_size=15), st.sampled_from([16, 100, 64 * 1024]))
def test_line_splitter_keeps_every_byte_and_bounds_its_buffer(pieces, max_line):
    sp = LineSplitter(max_line=max_line)
    out = []
    for s, data in pieces:
        out += sp.feed(s, data)
        assert all(len(b) <= max_line for b in sp._parts.values())
    out += sp.flush()
    for s in (1, 2):
        sent = b"".join(d for k, d in pieces if k == s)
        assert b"".join(b for k, b in out if k == s) == sent.replace(b"\n", b"")
        if max_line == 64 * 1024:  # nothing cut: exactly the lines
            lines = [b for k, b in out if k == s]
            assert lines == sent.split(b"\n")[: len(lines)]


@FUZZ
@given(st.binary(max_size=120))
def test_split_timestamp_is_total(line):
    ts, rest = split_timestamp(line)
    if ts is None:
        assert rest == line
    else:
        assert (ts.encode("ascii", "replace") + b" " + rest == line) or "\ufffd" in ts


# ---------------------------------------------------------------- chunked HTTP bodies
class FakeSock:
    """Hands out exactly the pieces it was given, then EOF."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = list(pieces)

    def recv(self, n: int) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""

    def shutdown(self, how: int) -> None:
        pass

    def close(self) -> None:
        pass


def chunked(payloads: list[bytes]) -> bytes:
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in payloads if p) + b"0\r\n\r\n"


def read_body(pieces: list[bytes]) -> bytes:
    resp = RawResponse(FakeSock(pieces), 200, "OK", {"transfer-encoding": "chunked"}, b"")
    return b"".join(resp.body())


@FUZZ
@given(st.lists(st.binary(max_size=300), max_size=10), cuts_st)
def test_chunked_any_split_same_body(payloads, cuts):
    assert read_body(split(chunked(payloads), cuts)) == b"".join(payloads)


@FUZZ
@given(st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=10), cuts_st, st.integers(0, 10_000))
def test_chunked_truncated_is_a_stream_error(payloads, cuts, cut):
    data = chunked(payloads)
    end = cut % (len(data) - 3)  # before the last chunk's "0\r\n" is complete
    with pytest.raises(StreamError):
        read_body(split(data[:end], cuts))


@FUZZ
@given(st.binary(max_size=2000), cuts_st)
def test_chunked_garbage_raises_typed_or_ends(data, cuts):
    resp = RawResponse(FakeSock(split(data, cuts)), 200, "OK", {"transfer-encoding": "chunked"}, b"")
    total = 0
    try:
        for piece in resp.body():
            total += len(piece)
    except StreamError:
        pass
    assert total <= len(data)


def test_chunk_sizes_are_bounded():
    with pytest.raises(StreamError):
        read_body([f"{MAX_CHUNK + 1:x}\r\n".encode(), b"x" * 100])
    with pytest.raises(StreamError):
        read_body([b"f" * 5000])  # a size line that never ends
    with pytest.raises(StreamError):
        read_body([b"-5\r\nabc\r\n0\r\n\r\n"])
    with pytest.raises(StreamError):
        read_body([b"3\r\nabcXY0\r\n\r\n"])  # no CRLF after the data


def socket_stream(pieces: list[bytes], decode) -> tuple[list, Exception | None]:
    """A CancellableStream over a real socketpair; a writer thread sends the pieces then EOF."""
    ours, theirs = socket.socketpair()
    ours.settimeout(5)  # the deadline: a parser waiting for bytes that never come fails the test

    def write() -> None:
        try:
            for p in pieces:
                theirs.sendall(p)
            theirs.shutdown(socket.SHUT_WR)
        except OSError:  # the reader gave up (a typed error) and closed its end
            pass

    w = threading.Thread(target=write, daemon=True)
    w.start()
    stream = CancellableStream(RawResponse(ours, 200, "OK", {"transfer-encoding": "chunked"}, b""), decode)
    got, err = [], None
    try:
        for item in stream:
            got.append(item)
    except EngineError as exc:
        err = exc
    finally:
        stream.close()
        w.join(5)
        theirs.close()
    assert not isinstance(err, socket.timeout)
    return got, err


@FUZZ
@given(st.lists(json_doc, max_size=6), cuts_st, st.booleans())
def test_event_stream_over_a_socket(docs, cuts, truncate):
    data = chunked([(json.dumps(d) + "\n").encode() for d in docs])
    if truncate and docs:
        data = data[: len(data) // 2]
    got, err = socket_stream(split(data, cuts), decode_json)
    if not truncate or not docs:
        assert err is None and got == docs
    else:
        assert isinstance(err, StreamError) and docs[: len(got)] == got


@FUZZ
@given(st.binary(max_size=1500), cuts_st, st.sampled_from([decode_json, decode_frames]))
def test_garbage_over_a_socket_ends_with_a_typed_error_or_cleanly(data, cuts, decode):
    got, err = socket_stream(split(data, cuts), decode)
    assert err is None or isinstance(err, StreamError)
