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

from .errors import EngineUnreachable, StreamError, error_for
from .transport import Endpoint

_MAX_HEADER = 64 * 1024


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
        """Yield the body's bytes as they arrive, de-chunked; ends at EOF or the last chunk."""
        if not self.chunked:
            length = self.headers.get("content-length")
            left = int(length) if length and length.isdigit() else None
            while left is None or left > 0:
                data = self._recv()
                if not data:
                    return
                if left is not None:
                    data = data[:left]
                    left -= len(data)
                yield data
            return
        buf = bytearray()
        while True:
            while b"\r\n" not in buf:
                data = self._recv()
                if not data:
                    return
                buf += data
            line, _, rest = bytes(buf).partition(b"\r\n")
            buf = bytearray(rest)
            try:
                size = int(line.split(b";")[0].strip() or b"0", 16)
            except ValueError as exc:
                raise StreamError(f"malformed chunk header {line[:40]!r}") from exc
            if size == 0:
                return
            while len(buf) < size + 2:
                data = self._recv()
                if not data:
                    if buf:
                        yield bytes(buf[:size])
                    return
                buf += data
            yield bytes(buf[:size])
            del buf[: size + 2]

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
    try:
        sock.sendall(build_request(method, path, params, data, hdrs))
        buf = bytearray()
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise EngineUnreachable(f"engine closed the connection during {method} {path}")
            buf += chunk
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
            text = resp.read_all(1024 * 1024)
            resp.close()
            raise error_for(status, text, method, path)
        return resp
    except OSError as exc:
        sock.close()
        raise EngineUnreachable(f"{method} {path}: {exc}") from exc
    except BaseException:
        sock.close()
        raise
