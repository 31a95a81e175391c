"""Typed errors for the engine client: HTTP status to exception, with the engine's own message."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of everything the engine client raises on purpose."""


class EngineUnreachable(EngineError):
    """The engine could not be reached at all (socket missing, refused, timed out, ssh failed)."""


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
    return cls(status, message[:2000], method, path)
