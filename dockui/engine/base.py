"""The core of the engine client: requests, API version negotiation, streams and the read-only guard."""

from __future__ import annotations

import functools
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import EngineUnreachable, ReadOnlyError, StreamError, error_for, unreachable
from .rawhttp import RawResponse, open_response
from .streams import FrameDecoder, JSONStreamDecoder
from .transport import DEFAULT_UNIX, Endpoint, TLSConfig

if TYPE_CHECKING:
    import requests

MIN_API = "1.24"
MAX_API = "1.47"


def _vt(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in v.split("."))
    except ValueError:
        return (0,)


F = TypeVar("F", bound=Callable[..., Any])


def mutating(fn: F) -> F:
    """Mark a client method that changes the engine: in read-only mode it is refused up front,
    before any request (not even an inspect or a version check) is made."""

    @functools.wraps(fn)
    def wrapper(self: BaseClient, *args: Any, **kwargs: Any) -> Any:
        if self.readonly:
            raise ReadOnlyError(f"read-only mode: {fn.__name__} refused")
        return fn(self, *args, **kwargs)

    wrapper.mutating = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def mutating_methods(cls: type) -> set[str]:
    """Names of every method of ``cls`` marked with :func:`mutating`."""
    return {name for name in dir(cls) if getattr(getattr(cls, name, None), "mutating", False)}


class CancellableStream:
    """An iterator over a long-lived response that any thread can end with :meth:`close`.

    Iterating yields decoded items (dicts for JSON streams, ``(stream, bytes)`` for frames).
    Closing shuts the socket down, so a reader blocked in ``recv`` returns at once.
    """

    def __init__(self, response: RawResponse, decode: Callable[[Iterator[bytes]], Iterator[Any]]) -> None:
        self._response = response
        self._decode = decode
        self._items: Iterator[Any] | None = None

    def _generate(self) -> Iterator[Any]:
        try:
            yield from self._decode(self._response.body())
        except OSError as exc:
            if not self._response.closed:
                raise StreamError(f"stream broken: {exc}") from exc

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        """One item; ``next(stream)`` works as on docker-py's stream (one reader over one body)."""
        if self._items is None:
            self._items = self._generate()
        return next(self._items)

    next = __next__  # docker-py's CancellableStream has it too

    @property
    def closed(self) -> bool:
        return self._response.closed

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> CancellableStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def decode_json(chunks: Iterator[bytes]) -> Iterator[Any]:
    dec = JSONStreamDecoder()
    for chunk in chunks:
        yield from dec.feed(chunk)


def decode_frames(chunks: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    dec = FrameDecoder()
    for chunk in chunks:
        yield from dec.feed(chunk)
    yield from dec.flush()


def decode_raw(chunks: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    for chunk in chunks:
        yield (1, chunk)


class HijackedSocket:
    """A hijacked exec/attach connection: raw bytes both ways, with the bytes that came with the headers kept."""

    def __init__(self, response: RawResponse, tty: bool) -> None:
        self._response = response
        self.tty = tty
        self._frames = None if tty else FrameDecoder()
        self._wlock = threading.Lock()

    @property
    def sock(self) -> socket.socket:
        return self._response.sock

    def read(self) -> list[tuple[int, bytes]]:
        """Block for the next bytes; ``[]`` means the session ended."""
        while True:
            data = self._response._recv() if not self._response.closed else b""
            if not data:
                return self._frames.flush() if self._frames else []
            if self._frames is None:
                return [(1, data)]
            frames = self._frames.feed(data)
            if frames:
                return frames

    def write(self, data: bytes) -> None:
        with self._wlock:
            try:
                self._response.sock.sendall(data)
            except OSError as exc:
                raise StreamError(f"session closed: {exc}") from exc

    def close_stdin(self) -> bool:
        """Half-close: the process reads EOF on stdin, output keeps coming. False if not possible.

        Over TLS it is not: ``SSLSocket.shutdown`` drops the TLS layer, so every later read
        would return raw TLS records; the session is left intact instead.
        """
        if isinstance(self._response.sock, ssl.SSLSocket):
            return False
        try:
            self._response.sock.shutdown(socket.SHUT_WR)
        except OSError:
            return False
        return True

    @property
    def closed(self) -> bool:
        return self._response.closed

    def close(self) -> None:
        self._response.close()

    # the socket surface code written for docker-py's ``exec_start(socket=True)`` uses
    # (``sock._sock.sendall``, ``recv``, ``docker.utils.socket.frames_iter``): raw bytes, the
    # bytes read with the headers first
    @property
    def _sock(self) -> HijackedSocket:
        return self

    def recv(self, bufsize: int = 4096) -> bytes:
        rest = self._response.rest
        if rest:
            self._response.rest = rest[bufsize:]
            return rest[:bufsize]
        return self._response.sock.recv(bufsize)

    def send(self, data: bytes) -> int:
        return self._response.sock.send(data)

    def sendall(self, data: bytes) -> None:
        self.write(data)

    def shutdown(self, how: int) -> None:
        self._response.sock.shutdown(how)

    def fileno(self) -> int:
        return self._response.sock.fileno()

    def settimeout(self, value: float | None) -> None:
        self._response.sock.settimeout(value)

    def gettimeout(self) -> float | None:
        return self._response.sock.gettimeout()


class RawReply:
    """A whole response read by ``rawhttp``, shaped like the parts of ``requests.Response`` we use."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status
        self.headers = headers  # names in lower case
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class BaseClient:
    """Talks HTTP to one engine. ``version='auto'`` negotiates the API version with ``/_ping``."""

    SAFE_POSTS = ("/containers/{}/wait",)

    def __init__(
        self,
        base_url: Endpoint | str | None = None,
        version: str = "auto",
        timeout: float = 60.0,
        tls: TLSConfig | bool | None = None,
        readonly: bool = False,
    ) -> None:
        """``base_url``: ``unix:///var/run/docker.sock`` (default), ``tcp://host:port`` (``tls``: a
        ``TLSConfig``, or True for verification against the system CAs), or ``ssh://user@host``."""
        if isinstance(base_url, Endpoint):
            endpoint = base_url
        else:
            tls_cfg = TLSConfig() if tls is True else tls or None
            endpoint = Endpoint(base_url or DEFAULT_UNIX, tls_cfg)
        self.endpoint = endpoint
        self.timeout = timeout
        self.readonly = readonly
        self._session_obj: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._base = self.endpoint.http_base
        self._version_lock = threading.Lock()
        self._api_version: str | None = None if version == "auto" else version
        self.ping_headers: dict[str, str] = {}

    @property
    def _session(self) -> requests.Session:
        """The pooled ``requests`` session, made (and ``requests`` imported) on first use."""
        with self._session_lock:
            if self._session_obj is None:
                from .session import make_session

                self._session_obj = make_session(self.endpoint, self.timeout)
            return self._session_obj

    # --- version -------------------------------------------------------------------------
    @property
    def api_version(self) -> str:
        with self._version_lock:
            if self._api_version is None:
                self._api_version = self._negotiate()
            return self._api_version

    def _negotiate(self) -> str:
        resp = self._send("GET", "/_ping", versioned=False, timeout=min(self.timeout, 10.0))
        self.ping_headers = {k.lower(): v for k, v in resp.headers.items()}
        server = self.ping_headers.get("api-version")
        if not server:
            try:
                server = self._send("GET", "/version", versioned=False).json().get("ApiVersion")
            except (ValueError, AttributeError):
                server = None
        if not server:
            return MIN_API
        return server if _vt(server) <= _vt(MAX_API) else MAX_API

    def version_at_least(self, v: str) -> bool:
        return _vt(self.api_version) >= _vt(v)

    def _path(self, path: str, versioned: bool = True) -> str:
        return f"/v{self.api_version}{path}" if versioned else path

    # --- plain requests ----------------------------------------------------------------
    def _guard(self, method: str, path: str) -> None:
        """Refuse anything but reads in read-only mode, before a byte is sent.

        ``POST /containers/{id}/wait`` only waits, so it is allowed; hijacks (attach, exec)
        and websockets are refused by their callers with ``method="POST"``.
        """
        if not self.readonly or method in ("GET", "HEAD"):
            return
        if method == "POST" and path.startswith("/containers/") and path.endswith("/wait") and path.count("/") == 3:
            return
        raise ReadOnlyError(f"read-only mode: {method} {path} refused")

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict | None = None,
        versioned: bool = True,
        timeout: float | None = None,
    ) -> requests.Response | RawReply:
        self._guard(method, path)
        if method == "GET" and self.endpoint.scheme == "unix" and json_body is None and data is None:
            return self._send_raw(method, path, params, headers, versioned, timeout or self.timeout)
        import requests

        url = self._base + self._path(path, versioned)
        if params:
            params = {k: ("1" if v is True else "0" if v is False else v) for k, v in params.items() if v is not None}
        try:
            resp = self._session.request(
                method, url, params=params, json=json_body, data=data, headers=headers,
                timeout=timeout or self.timeout,
            )
        except requests.exceptions.RequestException as exc:
            raise unreachable(self.endpoint.display, exc, timeout or self.timeout) from exc
        except EngineUnreachable:
            raise
        except OSError as exc:
            raise unreachable(self.endpoint.display, exc, timeout or self.timeout) from exc
        if resp.status_code >= 300:
            raise error_for(resp.status_code, resp.content, method, path, response=resp)
        return resp

    def _send_raw(self, method: str, path: str, params: dict | None, headers: dict | None, versioned: bool,
                  timeout: float) -> RawReply:
        """A read from a local socket on a connection of our own (``rawhttp``): the same answers and
        errors as through ``requests``, without loading it; a unix connection costs microseconds."""
        full = self._path(path, versioned)
        try:
            resp = open_response(self.endpoint, method, full, params, None, headers, connect_timeout=timeout, read_timeout=timeout)
        except StreamError as exc:
            raise unreachable(self.endpoint.display, exc, timeout) from exc
        try:
            content = resp.read_all()
        except OSError as exc:
            raise unreachable(self.endpoint.display, exc, timeout) from exc
        finally:
            resp.close()
        return RawReply(resp.status, resp.headers, content)

    def _get(self, path: str, **params: Any) -> Any:
        resp = self._send("GET", path, params=params)
        return resp.json() if resp.content else None

    def _post(self, path: str, body: Any = None, params: dict | None = None, timeout: float | None = None) -> Any:
        resp = self._send("POST", path, params=params, json_body=body, timeout=timeout)
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text

    def _delete(self, path: str, **params: Any) -> Any:
        resp = self._send("DELETE", path, params=params)
        return resp.json() if resp.content else None

    # --- streams -----------------------------------------------------------------------
    def _open(self, method: str, path: str, params: dict | None = None, body: Any = None, upgrade: bool = False,
              headers: dict | None = None, timeout: float | None = None) -> RawResponse:
        """A long-lived response on a socket of its own; the status line must come within ``timeout``
        (default: the client's, at most 30 s)."""
        self._guard(method, path)
        return open_response(self.endpoint, method, self._path(path), params, body, headers, upgrade=upgrade,
                             connect_timeout=timeout or min(self.timeout, 30.0))

    def _stream_json(self, path: str, params: dict | None = None) -> CancellableStream:
        return CancellableStream(self._open("GET", path, params), decode_json)

    def _hijack(self, path: str, body: Any, tty: bool, params: dict | None = None) -> HijackedSocket:
        resp = self._open("POST", path, params, body if body is not None else b"", upgrade=True)
        if resp.status not in (101, 200):
            resp.close()
            raise error_for(resp.status, b"unexpected status for hijack", "POST", path)
        return HijackedSocket(resp, tty)

    def close(self) -> None:
        with self._session_lock:
            session, self._session_obj = self._session_obj, None
        if session is not None:
            session.close()


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))
