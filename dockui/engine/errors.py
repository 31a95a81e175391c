"""Typed errors for the engine client: HTTP status to exception, with the engine's own message."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of everything the engine client raises on purpose."""


class EngineUnreachable(EngineError):
    """The engine could not be reached at all (socket missing, refused, timed out, ssh failed).

    ``cause`` is a short plain-words reason and ``hint`` what to try; ``str()`` names the
    address, the cause and the hint in one line.
    """

    def __init__(self, message: str, *, endpoint: str = "", cause: str = "", hint: str = "") -> None:
        self.endpoint = endpoint
        self.cause = cause or message
        self.hint = hint
        super().__init__(message)


class ReadOnlyError(EngineError):
    """A mutating call was refused because the client is in read-only mode."""


class StreamError(EngineError):
    """A stream from the engine was malformed or ended unexpectedly."""


class APIError(EngineError):
    """The engine answered with an error status; ``explanation`` is its own message."""

    def __init__(self, status: int, explanation: str, method: str = "", path: str = "") -> None:
        self.status = status
        self.explanation = explanation
        self.method = method
        self.path = path
        super().__init__(f"{status}: {explanation}" if explanation else str(status))


class NotFound(APIError):
    """404: no such container, image, network, volume, node, service or exec."""


class Conflict(APIError):
    """409: the object is in a state that forbids the call (running, in use, name taken)."""


class NotModified(APIError):
    """304: the call changed nothing (start a running container, stop a stopped one)."""


class Unauthorized(APIError):
    """401/403: the engine refused the credentials or the operation."""


class ServerError(APIError):
    """5xx: the engine failed to carry the call out."""


_BY_STATUS: dict[int, type[APIError]] = {
    304: NotModified,
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    409: Conflict,
}


def error_for(status: int, body: bytes | str, method: str = "", path: str = "") -> APIError:
    """Build the right exception for an error status, taking the engine's ``message`` field."""
    import json

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    message = text.strip()
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("message"), str):
            message = doc["message"]
    except ValueError:
        pass
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    if not message and status == 304:
        message = "nothing to do: it is already in that state"
    return cls(status, message[:2000], method, path)


def _chain(exc: BaseException | None):
    """Every exception behind ``exc``: causes, contexts and urllib3's ``reason`` fields."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None) if isinstance(getattr(e, "reason", None), BaseException) else None]
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]


def explain(exc: BaseException, address: str = "", timeout: float | None = None) -> tuple[str, str]:
    """(cause, hint) in plain words for a failure to reach the engine at ``address``."""
    import errno
    import os
    import socket
    import ssl
    import stat

    path = address[len("unix://"):] if address.startswith("unix://") else ""
    for e in _chain(exc):
        if isinstance(e, EngineUnreachable) and e is not exc and e.hint:
            return e.cause, e.hint
        if isinstance(e, ssl.SSLCertVerificationError):
            return (f"TLS certificate verify failed: {e.verify_message or e.reason}",
                    "check the CA (ca.pem in DOCKER_CERT_PATH or the context), or pass --tls-insecure to skip verification (unsafe)")
        if isinstance(e, ssl.SSLError):
            reason = e.reason or str(e)
            return (f"TLS handshake failed ({reason})",
                    "check that the engine serves TLS on this port and accepts your client certificate (cert.pem, key.pem)")
        if isinstance(e, socket.gaierror):
            return f"cannot resolve the host name ({e.strerror or e})", "check the address"
        if isinstance(e, (socket.timeout, TimeoutError)) or type(e).__name__ in ("ReadTimeoutError", "ConnectTimeoutError", "ReadTimeout", "ConnectTimeout"):
            after = f" after {timeout:g} s" if timeout else ""
            return f"timed out{after}: the engine is not answering", "it may be overloaded or stalled"
        if isinstance(e, OSError) and e.errno is not None:
            if e.errno == errno.ENOENT and path:
                return f"no socket at {path}", "is the engine running? (--host, DOCKER_HOST or the docker context choose another engine)"
            if e.errno in (errno.EACCES, errno.EPERM):
                return (f"permission denied{' on ' + path if path else ''}",
                        "run as a user allowed to use the engine (root, or a member of the socket's group, usually docker)")
            if e.errno == errno.ENOTDIR and path:
                return f"no socket at {path} (a parent is not a directory)", "check the address"
            if e.errno == errno.ECONNREFUSED:
                if path:
                    try:
                        mode = os.stat(path).st_mode
                    except OSError:
                        mode = None
                    if mode is not None and not stat.S_ISSOCK(mode):
                        what = "a directory" if stat.S_ISDIR(mode) else "a regular file" if stat.S_ISREG(mode) else "not a socket"
                        return f"{path} is {what}, not a socket", "check the address"
                    return f"connection refused: nothing listens on {path} (a stale socket)", "is the engine running?"
                return "connection refused: nothing listens there", "is the engine running and listening on this address?"
            if e.errno in (errno.ECONNRESET, errno.EPIPE):
                return "the connection was reset", "the engine may be restarting; dockui keeps retrying"
            if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
                return f"host unreachable ({e.strerror})", "check the network and the address"
        if type(e).__name__ in ("RemoteDisconnected", "IncompleteRead", "ProtocolError", "BadStatusLine"):
            return "the engine closed the connection without answering", "is this address an engine? it may be restarting"
    msg = str(exc) or type(exc).__name__
    if address and msg.startswith(address + ": "):
        msg = msg[len(address) + 2:]
    return msg, ""


def unreachable(address: str, exc: BaseException, timeout: float | None = None) -> EngineUnreachable:
    """An ``EngineUnreachable`` naming the address, the cause and what to try."""
    cause, hint = explain(exc, address, timeout)
    text = f"{address}: {cause}" + (f" — {hint}" if hint else "")
    return EngineUnreachable(text, endpoint=address, cause=cause, hint=hint)
