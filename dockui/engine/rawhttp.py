"""Our own small HTTP/1.1 for long-lived streams (logs, events, stats) and hijacked sockets.

Streams get a socket of their own, so that another thread can end them at once by shutting
the socket down (``CancellableStream.close``), and so that a hijacked exec/attach keeps every
byte the engine sent right after the headers (the docker-py bug PITFALLS.md describes).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

from .errors import EngineUnreachable, StreamError, error_for, unreachable
from .transport import Endpoint

_MAX_HEADER = 64 * 1024
_MAX_CHUNK_LINE = 4096  # a chunk-size line (hex size, extensions) longer than this is garbage
MAX_CHUNK = 64 * 1024 * 1024  # a chunk announced bigger than this is refused, not buffered


class _Closed(Exception):
    """Internal: the response was closed from our side while a chunk was being read."""


class RawResponse:
    """Status, headers and the body of one response read from a socket we own."""

    def __init__(self, sock: socket.socket, status: int, reason: str, headers: dict[str, str], rest: bytes) -> None:
        self.sock = sock
        self.status = status
        self.reason = reason
        self.headers = headers
        self.rest = rest  # bytes read past the headers: the start of the body
        self._lock = threading.Lock()
        self.closed = False

    @property
    def chunked(self) -> bool:
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    def _recv(self) -> bytes:
        if self.rest:
            data, self.rest = self.rest, b""
            return data
        try:
            return self.sock.recv(65536)
        except (OSError, ValueError):
            if self.closed:
                return b""
            raise

    def body(self) -> Iterator[bytes]:
        """Yield the body's bytes as they arrive, de-chunked; ends at EOF or the last chunk.

        Malformed chunk framing raises ``StreamError``, as does an engine that goes away in
        the middle of a chunked body; closing the response from our side just ends it.
        Memory stays bounded: a chunk's data is passed on as it arrives, never buffered whole.
        """
        if not self.chunked:
            length = self.headers.get("content-length")
            left = int(length) if length and length.isdigit() else None
            while left is None or left > 0:
                data = self._recv()
                if not data:
                    if left is not None and not self.closed:
                        raise StreamError(f"the engine closed the connection with {left} bytes of the body unread")
                    return
                if left is not None:
                    data = data[:left]
                    left -= len(data)
                yield data
            return
        buf = bytearray()

        def more() -> None:
            data = self._recv()
            if not data:
                if self.closed:
                    raise _Closed
                raise StreamError("the engine closed the connection in the middle of a chunked body")
            buf.extend(data)

        try:
            while True:
                while (nl := buf.find(b"\r\n")) < 0:
                    if len(buf) > _MAX_CHUNK_LINE:
                        raise StreamError(f"malformed chunk header {bytes(buf[:40])!r}")
                    more()
                line = bytes(buf[:nl]).split(b";")[0].strip()
                del buf[: nl + 2]
                if not line or len(line) > 16 or any(c not in b"0123456789abcdefABCDEF" for c in line):
                    raise StreamError(f"malformed chunk header {line[:40]!r}")
                size = int(line, 16)
                if size > MAX_CHUNK:
                    raise StreamError(f"chunk of {size} bytes refused (limit {MAX_CHUNK})")
                if size == 0:
                    return  # trailers, if any, are not read: the response is over
                while size > 0:
                    if not buf:
                        more()
                    piece = bytes(buf[:size])
                    del buf[: len(piece)]
                    size -= len(piece)
                    yield piece
                while len(buf) < 2:
                    more()
                if buf[:2] != b"\r\n":
                    raise StreamError(f"malformed chunk: no CRLF after its data ({bytes(buf[:8])!r})")
                del buf[:2]
        except _Closed:
            return

    def read_all(self, limit: int = 64 * 1024 * 1024) -> bytes:
        out = bytearray()
        for chunk in self.body():
            out += chunk
            if len(out) > limit:
                break
        return bytes(out)

    def close(self) -> None:
        """End the response from any thread: a reader blocked in ``recv`` returns at once."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


def build_request(method: str, path: str, params: dict | None, body: bytes | None, headers: dict[str, str] | None) -> bytes:
    query = ""
    if params:
        clean = {k: ("1" if v is True else "0" if v is False else v) for k, v in params.items() if v is not None}
        query = "?" + urlencode(clean, doseq=True) if clean else ""
    lines = [f"{method} {path}{query} HTTP/1.1", "Host: docker.localhost", "User-Agent: dockui"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def open_response(
    endpoint: Endpoint,
    method: str,
    path: str,
    params: dict | None = None,
    body: dict | bytes | None = None,
    headers: dict[str, str] | None = None,
    connect_timeout: float = 10.0,
    read_timeout: float | None = None,
    upgrade: bool = False,
) -> RawResponse:
    """Send one request on a fresh socket and read the status and headers.

    Raises the mapped ``APIError`` for an error status (reading its body first). With
    ``upgrade`` the request asks for a hijacked connection (``Upgrade: tcp``).
    """
    hdrs = dict(headers or {})
    data: bytes | None = None
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif body is not None:
        data = body
    if upgrade:
        hdrs.update({"Connection": "Upgrade", "Upgrade": "tcp"})
        if data is None:
            data = b""
    sock = endpoint.connect(connect_timeout)

    def hung_up() -> EngineUnreachable:
        return EngineUnreachable(
            f"{endpoint.display}: the engine closed the connection without answering {method} {path}"
            " — is this address an engine? it may be restarting",
            endpoint=endpoint.display, cause="the engine closed the connection without answering",
            hint="is this address an engine? it may be restarting")

    try:
        buf = bytearray()
        try:
            sock.sendall(build_request(method, path, params, data, hdrs))
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
            chunk = b""  # a peer that accepts and hangs up: reset or EOF, the same answer
        while True:
            if not chunk:
                raise hung_up()
            buf += chunk
            if b"\r\n\r\n" in buf:
                break
            chunk = sock.recv(65536)
            if len(buf) > _MAX_HEADER:
                raise StreamError("response headers too large")
        head, _, rest = bytes(buf).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise StreamError(f"malformed status line {lines[0][:80]!r}")
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        hmap: dict[str, str] = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hmap[k.strip().lower()] = v.strip()
        resp = RawResponse(sock, status, reason, hmap, rest)
        sock.settimeout(read_timeout)
        if status >= 300 and status != 101:
            try:
                text = resp.read_all(1024 * 1024)
            except StreamError:
                text = b""
            resp.close()
            raise error_for(status, text, method, path)
        return resp
    except OSError as exc:
        sock.close()
        raise unreachable(endpoint.display, exc, connect_timeout) from exc
    except BaseException:
        sock.close()
        raise
