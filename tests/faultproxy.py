"""A loopback proxy in front of an engine socket that makes faults on demand.

    with FaultProxy("/var/tmp/dockui-sandbox/docker.sock") as p:
        client = EngineClient(p.url, timeout=2)
        p.delay = 0.5            # every request waits half a second before it is forwarded
        p.stall()                # nothing moves either way (connections stay open) ...
        p.resume()               # ... until resumed
        p.cut()                  # every open connection is closed at once
        p.refuse = True          # new connections are accepted and closed straight away
        p.inject("/events", b'{"broken\\n')   # bytes into a response, framed as one HTTP chunk
        p.count("POST")          # requests seen, by method and/or path
        p.non_get()              # requests that were not GET/HEAD

It listens on a unix socket (``listen="unix"``, the default) or on 127.0.0.1 (``"tcp"``) and
forwards to a unix socket. It parses just enough HTTP to count requests (request line,
Content-Length bodies; an ``Upgrade`` turns the connection into raw bytes) and to find chunk
boundaries in chunked responses, so injected bytes land between two chunks. Threads only;
``stop()`` closes everything.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import socket
import tempfile
import threading
import time
from collections import Counter

_VERSION_PREFIX = re.compile(r"^/v[0-9]+(\.[0-9]+)*(?=/)")


def api_path(target: str) -> str:
    """``/v1.47/containers/json?all=1`` -> ``/containers/json``."""
    return _VERSION_PREFIX.sub("", target.split("?", 1)[0])


class _RequestParser:
    """Finds request lines in the client-to-engine bytes of one connection."""

    def __init__(self, seen) -> None:
        self.buf = bytearray()
        self.body_left = 0
        self.opaque = False  # after an Upgrade (attach, exec start) or a body we cannot follow
        self.seen = seen

    def feed(self, data: bytes) -> None:
        if self.opaque:
            return
        self.buf += data
        while not self.opaque:
            if self.body_left:
                n = min(self.body_left, len(self.buf))
                del self.buf[:n]
                self.body_left -= n
                if self.body_left:
                    return
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 1 << 20:
                    self.opaque = True
                return
            head = bytes(self.buf[:end]).decode("latin-1")
            del self.buf[: end + 4]
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) < 2:
                self.opaque = True
                return
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            self.seen(parts[0].upper(), parts[1])
            if "chunked" in headers.get("transfer-encoding", "").lower() or "upgrade" in headers:
                self.opaque = True
                return
            try:
                self.body_left = int(headers.get("content-length") or 0)
            except ValueError:
                self.opaque = True


class _ResponseTracker:
    """Follows engine-to-client bytes to know when the stream sits between two chunks."""

    def __init__(self) -> None:
        self.state = "head"
        self.buf = bytearray()
        self.left = 0
        self.chunked = False

    @property
    def boundary(self) -> bool:
        return (self.state == "size" and not self.buf) or self.state == "raw"

    def feed(self, data: bytes) -> None:
        i = 0
        n = len(data)
        while i < n:
            if self.state == "raw":
                return
            if self.state in ("head", "size", "trailer"):
                self.buf += data[i:i + 1]
                i += 1
                marker = b"\r\n\r\n" if self.state == "head" else b"\r\n"
                if not self.buf.endswith(marker):
                    continue
                line = bytes(self.buf)
                self.buf.clear()
                if self.state == "head":
                    self._head(line.decode("latin-1"))
                elif self.state == "size":
                    try:
                        size = int(line.strip().split(b";")[0] or b"0", 16)
                    except ValueError:
                        self.state = "raw"
                        continue
                    if size == 0:
                        self.state = "trailer"
                    else:
                        self.state, self.left = "data", size + 2
                else:  # the blank line after the last chunk: next response
                    if line == b"\r\n":
                        self.state = "head"
            elif self.state == "data":
                take = min(self.left, n - i)
                i += take
                self.left -= take
                if not self.left:
                    self.state = "size"
            elif self.state == "body":
                take = min(self.left, n - i)
                i += take
                self.left -= take
                if not self.left:
                    self.state = "head"

    def _head(self, head: str) -> None:
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if status == 101 or "upgrade" in headers.get("connection", "").lower() and status < 300:
            self.state = "raw"
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            self.state = "size"
        elif headers.get("content-length", "").isdigit():
            self.left = int(headers["content-length"])
            self.state = "body" if self.left else "head"
        else:
            self.state = "raw"  # body until EOF (or a hijacked stream answered 200)


class _Conn:
    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.paths: list[str] = []
        self.wlock = threading.Lock()
        self.tracker = _ResponseTracker()
        self.pending: list[bytes] = []
        self.closed = False
        self.parser = _RequestParser(self._seen)

    def _seen(self, method: str, target: str) -> None:
        self.paths.append(api_path(target))
        self.proxy._record(method, target)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for s in (self.client, self.upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        self.proxy._forget(self)

    def up(self) -> None:
        """Client to engine."""
        try:
            while not self.closed:
                data = self._recv(self.client)
                if not data:
                    break
                self.parser.feed(data)
                if not self.proxy._wait_flowing(self):
                    break
                if self.proxy.delay:
                    time.sleep(self.proxy.delay)
                self.upstream.sendall(data)
        except OSError:
            pass
        self.close()

    def down(self) -> None:
        """Engine to client."""
        try:
            while not self.closed:
                data = self._recv(self.upstream, poll=True)
                if data is None:  # idle: a chance to send what was injected
                    self._flush_pending()
                    continue
                if not data:
                    break
                if not self.proxy._wait_flowing(self):
                    break
                with self.wlock:
                    self.client.sendall(data)
                    self.tracker.feed(data)
                self._flush_pending()
        except OSError:
            pass
        self.close()

    def _recv(self, s: socket.socket, poll: bool = False) -> bytes | None:
        while not self.closed:
            r, _, _ = select.select([s], [], [], 0.1)
            if r:
                return s.recv(65536)
            if poll:
                return None
        return b""

    def inject(self, data: bytes, chunked: bool) -> None:
        frame = (f"{len(data):x}\r\n".encode() + data + b"\r\n") if chunked else data
        with self.wlock:
            self.pending.append(frame)
        self._flush_pending()

    def _flush_pending(self) -> None:
        with self.wlock:
            if not self.pending or not self.tracker.boundary or not self.proxy._flowing.is_set():
                return
            out, self.pending = b"".join(self.pending), []
            try:
                self.client.sendall(out)
            except OSError:
                pass


class FaultProxy:
    def __init__(self, upstream: str, listen: str = "unix") -> None:
        self.upstream = upstream[len("unix://"):] if upstream.startswith("unix://") else upstream
        self.listen = listen
        self.dir = tempfile.mkdtemp(prefix="dkfp-", dir="/tmp")  # short: unix socket paths are limited to 108 bytes
        self.path = os.path.join(self.dir, "proxy.sock")
        self.delay = 0.0
        self.refuse = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._lock = threading.Lock()
        self._conns: list[_Conn] = []
        self.requests: list[tuple[str, str]] = []
        self._server: socket.socket | None = None
        self._stopped = threading.Event()
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"unix://{self.path}" if self.listen == "unix" else f"tcp://127.0.0.1:{self.port}"

    def start(self, path: str | None = None) -> FaultProxy:
        """Listen (at ``path`` if given: a proxy can appear where a socket was missing)."""
        if self.listen == "unix":
            if path:
                self.path = path
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind(self.path)
        else:
            srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(("127.0.0.1", 0))
            self.port = srv.getsockname()[1]
        srv.listen(128)
        self._server = srv
        threading.Thread(target=self._accept, name="faultproxy-accept", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._flowing.set()
        if self._server is not None:
            try:
                self._server.close()
            except OSError:
                pass
        self.cut()
        if self.listen == "unix":
            try:
                os.unlink(self.path)
            except OSError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        srv = self._server
        while not self._stopped.is_set():
            try:
                r, _, _ = select.select([srv], [], [], 0.1)
                if not r:
                    continue
                client, _ = srv.accept()
            except (OSError, ValueError):
                return
            if self.refuse:
                client.close()
                continue
            try:
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                upstream.connect(self.upstream)
            except OSError:
                upstream.close()
                client.close()
                continue
            conn = _Conn(self, client, upstream)
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=conn.up, daemon=True, name="faultproxy-up").start()
            threading.Thread(target=conn.down, daemon=True, name="faultproxy-down").start()

    # --- faults ------------------------------------------------------------------------------
    def stall(self) -> None:
        """Stop forwarding anything, either way; connections stay open and new ones are accepted."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()
        for c in self.connections():
            c._flush_pending()

    def cut(self) -> None:
        """Close every open connection now (both sides see EOF / reset)."""
        for c in self.connections():
            c.close()

    def inject(self, path_contains: str, data: bytes, chunked: bool = True, timeout: float = 10.0) -> int:
        """Write ``data`` into the responses of open connections whose request path contains
        ``path_contains`` (as one HTTP chunk by default), between two chunks. Returns how many
        connections got it; waits up to ``timeout`` for one to exist."""
        deadline = time.monotonic() + timeout
        while True:
            targets = [c for c in self.connections() if c.paths and path_contains in c.paths[-1]]
            if targets or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        for c in targets:
            c.inject(data, chunked)
        return len(targets)

    # --- counting ----------------------------------------------------------------------------
    def _record(self, method: str, target: str) -> None:
        with self._lock:
            self.requests.append((method, target))

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        with self._lock:
            reqs = list(self.requests)
        return sum(1 for m, t in reqs if (method is None or m == method) and (path_contains is None or path_contains in api_path(t)))

    def by_method(self) -> Counter:
        with self._lock:
            return Counter(m for m, _ in self.requests)

    def non_get(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(m, t) for m, t in self.requests if m not in ("GET", "HEAD")]

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    def connections(self) -> list[_Conn]:
        with self._lock:
            return list(self._conns)

    # --- internals ---------------------------------------------------------------------------
    def _forget(self, conn: _Conn) -> None:
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)

    def _wait_flowing(self, conn: _Conn) -> bool:
        while not self._flowing.wait(0.1):
            if conn.closed or self._stopped.is_set():
                return False
        return not conn.closed
