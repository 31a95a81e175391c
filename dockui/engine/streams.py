"""Stream formats of the Engine API: 8-byte multiplexed frames, JSON streams, log lines.

Pure functions over byte chunks; no sockets here, so every format can be tested alone.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Iterator

STDIN, STDOUT, STDERR = 0, 1, 2
STREAM_NAMES = {0: "stdin", 1: "stdout", 2: "stderr"}
_HEADER = struct.Struct(">BxxxL")


class FrameDecoder:
    """Incremental decoder of the multiplexed stream (header ``>BxxxL`` then payload).

    Feed it chunks of any size; it yields ``(stream_id, payload)`` as frames complete. A header
    whose stream id is not 0, 1 or 2 means the stream is not framed (a TTY stream, or garbage):
    ``raw`` becomes true and everything from there on is passed through as stdout.

    Memory is bounded: a frame longer than ``max_frame`` (its header may claim up to 4 GiB) is
    passed on in pieces as its bytes arrive instead of being buffered whole.
    """

    def __init__(self, max_frame: int = 1024 * 1024) -> None:
        self._buf = bytearray()
        self.raw = False
        self.max_frame = max_frame
        self._big: tuple[int, int] | None = None  # (stream, bytes left) of a frame passed on in pieces

    def feed(self, chunk: bytes) -> list[tuple[int, bytes]]:
        if self.raw:
            return [(STDOUT, bytes(chunk))] if chunk else []
        self._buf += chunk
        out: list[tuple[int, bytes]] = []
        while True:
            if self._big is not None:
                stream, left = self._big
                if not self._buf:
                    break
                piece = bytes(self._buf[:left])
                del self._buf[: len(piece)]
                left -= len(piece)
                out.append((stream, piece))
                self._big = (stream, left) if left else None
                continue
            if len(self._buf) < 8:
                break
            stream, size = _HEADER.unpack_from(self._buf)
            if stream > 2 or self._buf[1:4] != b"\0\0\0":
                self.raw = True
                out.append((STDOUT, bytes(self._buf)))
                self._buf.clear()
                return out
            if size > self.max_frame:
                del self._buf[:8]
                self._big = (stream, size)
                continue
            if len(self._buf) < 8 + size:
                break
            out.append((stream, bytes(self._buf[8 : 8 + size])))
            del self._buf[: 8 + size]
        return out

    def flush(self) -> list[tuple[int, bytes]]:
        """What is left at the end of the stream: a truncated frame is returned as-is."""
        if self._big is not None:
            stream, self._big = self._big[0], None
            rest = bytes(self._buf)
            self._buf.clear()
            return [(stream, rest)] if rest else []
        if not self._buf:
            return []
        if len(self._buf) >= 8:
            stream, rest = self._buf[0], bytes(self._buf[8:])
        elif self._buf[0] <= 2 and not any(self._buf[1:4]):
            stream, rest = STDOUT, b""  # the start of a header cut short: nothing to show
        else:
            stream, rest = STDOUT, bytes(self._buf)  # a few bytes of an unframed (TTY) stream
        self._buf.clear()
        return [(stream if stream <= 2 else STDOUT, rest)] if rest else []


def demux(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Yield ``(stream_id, payload)`` frames from an iterable of byte chunks."""
    dec = FrameDecoder()
    for chunk in chunks:
        yield from dec.feed(chunk)
    yield from dec.flush()


class LineSplitter:
    """Split a byte stream per stream id into complete lines (keeping partial lines buffered)."""

    def __init__(self, max_line: int = 64 * 1024) -> None:
        self._parts: dict[int, bytearray] = {}
        self.max_line = max_line

    def feed(self, stream: int, data: bytes) -> list[tuple[int, bytes]]:
        buf = self._parts.setdefault(stream, bytearray())
        buf += data
        out: list[tuple[int, bytes]] = []
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            out.append((stream, bytes(buf[start:nl])))
            start = nl + 1
        del buf[:start]
        if len(buf) > self.max_line:  # an endless line: cut it rather than grow forever
            out.append((stream, bytes(buf)))
            buf.clear()
        return out

    def flush(self) -> list[tuple[int, bytes]]:
        out = [(s, bytes(b)) for s, b in self._parts.items() if b]
        self._parts.clear()
        return out


class JSONStreamDecoder:
    """Incremental decoder for streams of JSON documents (newline separated or concatenated).

    Malformed documents do not end the stream: each is counted in ``errors`` and skipped up
    to the next newline, so one bad event never loses the ones after it.
    """

    def __init__(self, max_buffer: int = 16 * 1024 * 1024) -> None:
        self._buf = ""
        self._bytes = bytearray()
        self._dec = json.JSONDecoder()
        self.errors = 0
        self.max_buffer = max_buffer

    def feed(self, chunk: bytes) -> list:
        self._bytes += chunk
        # decode only complete UTF-8: keep a trailing partial sequence for the next chunk
        cut = len(self._bytes)
        for back in range(1, min(4, cut) + 1):
            b = self._bytes[cut - back]
            if b < 0x80:
                break
            if b >= 0xC0:
                need = 2 if b < 0xE0 else 3 if b < 0xF0 else 4
                if back < need:
                    cut -= back
                break
        self._buf += self._bytes[:cut].decode("utf-8", "replace")
        del self._bytes[:cut]
        out: list = []
        pos, n = 0, len(self._buf)
        while pos < n:
            while pos < n and self._buf[pos] in " \t\r\n":
                pos += 1
            if pos >= n:
                break
            try:
                obj, end = self._dec.raw_decode(self._buf, pos)
                if end >= n and not isinstance(obj, (dict, list)):
                    break  # a bare number or word may go on in the next chunk: wait for what follows
            except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
                nl = self._buf.find("\n", pos)
                if nl < 0:
                    if n - pos > self.max_buffer:
                        self.errors += 1
                        pos = n
                    break
                self.errors += 1
                pos = nl + 1
                continue
            out.append(obj)
            pos = end
        self._buf = self._buf[pos:]
        return out

    def flush(self) -> list:
        rest = self._buf.strip()
        self._buf = ""
        if rest:
            self.errors += 1
        return []


def json_stream(chunks: Iterable[bytes]) -> Iterator:
    """Yield decoded JSON documents from an iterable of byte chunks."""
    dec = JSONStreamDecoder()
    for chunk in chunks:
        yield from dec.feed(chunk)
    dec.flush()


def split_timestamp(line: bytes) -> tuple[str | None, bytes]:
    """Split a ``timestamps=1`` log line into its RFC 3339 stamp and the rest."""
    sp = line.find(b" ")
    if 20 <= sp <= 40 and line[:4].isdigit() and line[4:5] == b"-":
        return line[:sp].decode("ascii", "replace"), line[sp + 1 :]
    return None, line
