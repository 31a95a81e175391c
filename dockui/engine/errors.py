"""Typed errors for the engine client: HTTP status to exception, with the engine's own message."""

from __future__ import annotations

from typing import Any

# The hierarchy keeps docker-py's names and attributes (``docker.errors``) and dockui's own:
# ``EngineError`` is ``DockerException``; ``APIError`` is not a ``requests.HTTPError`` (importing
# ``requests`` costs ~60 ms at launch, and the local socket path never loads it), so code that
# catches ``requests.HTTPError`` to catch API errors must catch ``APIError`` instead.


class DockerException(Exception):
    """Base class of everything the engine client raises on purpose (docker-py's name)."""


EngineError = DockerException


class EngineUnreachable(DockerException):
    """The engine could not be reached at all (socket missing, refused, timed out, ssh failed).

    ``cause`` is a short plain-words reason and ``hint`` what to try; ``str()`` names the
    address, the cause and the hint in one line.
    """

    def __init__(self, message: str, *, endpoint: str = "", cause: str = "", hint: str = "") -> None:
        self.endpoint = endpoint
        self.cause = cause or message
        self.hint = hint
        super().__init__(message)


class ReadOnlyError(DockerException):
    """A mutating call was refused because the client is in read-only mode."""


class StreamError(DockerException):
    """A stream from the engine was malformed or ended unexpectedly."""


class ErrorResponse:
    """What an ``APIError`` keeps of the engine's answer when no ``requests`` response exists
    (the raw socket path): the parts of ``requests.Response`` that error handlers read."""

    def __init__(self, status_code: int, content: bytes = b"", url: str = "", headers: dict | None = None) -> None:
        from http.client import responses

        self.status_code = status_code
        self.content = content
        self.url = url
        self.headers = headers or {}
        self.reason = responses.get(status_code, "")

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        import json

        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}]>"


class APIError(DockerException):
    """The engine answered with an error status; ``explanation`` is its own message.

    Two constructors in one: docker-py's ``APIError(message, response=None, explanation=None)``
    and dockui's ``APIError(status, explanation, method="", path="")`` (an int first argument).
    ``status_code`` (and its alias ``status``) comes from the response.
    """

    def __init__(self, message: Any = None, response: Any = None, explanation: Any = None,
                 method: str = "", path: str = "") -> None:
        if isinstance(message, int) and not isinstance(message, bool):
            status, explanation, method, path = message, response, explanation or method or "", (method if explanation else path) or ""
            if not isinstance(explanation, (str, type(None))):
                explanation = str(explanation)
            response = ErrorResponse(status, (explanation or "").encode(), path)
            message = f"{status}: {explanation}" if explanation else str(status)
        super().__init__(message)
        self.response = response
        self.explanation = explanation
        self.method = method
        self.path = path

    @property
    def status_code(self) -> int | None:
        if self.response is not None:
            return self.response.status_code
        return None

    @property
    def status(self) -> int | None:
        """dockui's name for ``status_code``."""
        return self.status_code

    def __str__(self) -> str:
        message = super().__str__()
        code = self.status_code
        if code is not None and 400 <= code < 600:
            kind = "Client" if code < 500 else "Server"
            url = getattr(self.response, "url", "") or self.path
            reason = getattr(self.response, "reason", "")
            message = f"{code} {kind} Error for {url}: {reason}"
        elif code is not None and isinstance(self.response, ErrorResponse):
            message = f"{code} {self.response.reason}".rstrip()
        if self.explanation:
            message = f'{message} ("{self.explanation}")'
        return message

    def is_error(self) -> bool:
        return self.is_client_error() or self.is_server_error()

    def is_client_error(self) -> bool:
        code = self.status_code
        return code is not None and 400 <= code < 500

    def is_server_error(self) -> bool:
        code = self.status_code
        return code is not None and 500 <= code < 600


class NotFound(APIError):
    """404: no such container, image, network, volume, node, service or exec."""


class ImageNotFound(NotFound):
    """404 about an image (the engine's message says so)."""


class Conflict(APIError):
    """409: the object is in a state that forbids the call (running, in use, name taken)."""


class NotModified(APIError):
    """304: the call changed nothing (start a running container, stop a stopped one)."""


class Unauthorized(APIError):
    """401/403: the engine refused the credentials or the operation."""


class ServerError(APIError):
    """5xx: the engine failed to carry the call out."""


class InvalidVersion(DockerException):
    """The call needs a newer API version than the one in use."""


class InvalidRepository(DockerException):
    """A repository name that cannot be parsed."""


class InvalidConfigFile(DockerException):
    """A docker CLI configuration file that cannot be read."""


InvalidConfigPath = InvalidConfigFile


class InvalidArgument(DockerException):
    """An argument the call cannot take (wrong type, wrong combination)."""


class DeprecatedMethod(DockerException):
    """A method or argument the API version in use no longer has."""


class TLSParameterError(DockerException):
    """TLS settings that do not fit together."""

    def __init__(self, msg: str) -> None:
        self.msg = msg
        super().__init__(msg)

    def __str__(self) -> str:
        return self.msg + (". TLS configurations should map the Docker CLI client configurations."
                           " See https://docs.docker.com/engine/articles/https/ for API details.")


class NullResource(DockerException, ValueError):
    """A resource argument that names nothing (None, empty, a dict without an id)."""


class ContainerError(DockerException):
    """A container that exited with a non-zero status."""

    def __init__(self, container: Any, exit_status: int, command: Any, image: Any, stderr: Any) -> None:
        self.container = container
        self.exit_status = exit_status
        self.command = command
        self.image = image
        self.stderr = stderr
        err = f": {stderr}" if stderr is not None else ""
        super().__init__(f"Command '{command}' in image '{image}' returned non-zero exit status {exit_status}{err}")


class StreamParseError(RuntimeError):
    """A stream that cannot be parsed (docker-py's name; a ``RuntimeError`` as there)."""

    def __init__(self, reason: Any) -> None:
        self.msg = reason
        super().__init__(reason)


class BuildError(DockerException):
    """A build that failed; ``build_log`` holds what it printed."""

    def __init__(self, reason: str, build_log: Any) -> None:
        super().__init__(reason)
        self.msg = reason
        self.build_log = build_log


class ImageLoadError(DockerException):
    """An image archive the engine could not load."""


class MissingContextParameter(DockerException):
    def __init__(self, param: str) -> None:
        self.param = param
        super().__init__(param)

    def __str__(self) -> str:
        return f"missing parameter: {self.param}"


class ContextAlreadyExists(DockerException):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"context {self.name} already exists"


class ContextException(DockerException):
    def __init__(self, msg: str) -> None:
        self.msg = msg
        super().__init__(msg)

    def __str__(self) -> str:
        return self.msg


class ContextNotFound(DockerException):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"context '{self.name}' not found"


def create_unexpected_kwargs_error(name: str, kwargs: Any) -> TypeError:
    quoted = [f"'{k}'" for k in sorted(kwargs)]
    what = "got an unexpected keyword argument " if len(quoted) == 1 else "got unexpected keyword arguments "
    return TypeError(f"{name}() {what}{', '.join(quoted)}")


_IMAGE_NOT_FOUND = ("no such image", "not found: does not exist or no pull access",
                    "repository does not exist", "was found but does not match the specified platform")

_BY_STATUS: dict[int, type[APIError]] = {
    304: NotModified,
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    409: Conflict,
}


def error_for(status: int, body: bytes | str, method: str = "", path: str = "", response: Any = None,
              url: str = "") -> APIError:
    """Build the right exception for an error status, taking the engine's ``message`` field.

    404s whose message is about an image are ``ImageNotFound``, as in docker-py.
    """
    import json

    raw = body if isinstance(body, bytes) else body.encode()
    text = raw.decode("utf-8", "replace")
    message = text.strip()
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("message"), str):
            message = doc["message"]
    except ValueError:
        pass
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    if status == 404 and any(f in message.lower() for f in _IMAGE_NOT_FOUND):
        cls = ImageNotFound
    if not message and status == 304:
        message = "nothing to do: it is already in that state"
    message = message[:2000]
    if response is None:
        response = ErrorResponse(status, raw, url or path)
    return cls(f"{status}: {message}" if message else str(status), response=response, explanation=message,
               method=method, path=path)


def create_api_error_from_http_exception(e: Any) -> None:
    """Raise the ``APIError`` for a ``requests.HTTPError`` (docker-py's helper)."""
    response = e.response
    raise error_for(response.status_code, response.content or b"", response=response, url=getattr(response, "url", "")) from e


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


_LIKE: dict[type, type] = {}


def _unreachable_like(cls: type) -> type[EngineUnreachable]:
    """``EngineUnreachable`` that is also ``cls`` (a ``requests`` exception, when the call went
    through ``requests``): code written for docker-py catches ``requests.exceptions.ReadTimeout``
    or ``ConnectionError`` there, dockui's code ``EngineUnreachable``; both work."""
    made = _LIKE.get(cls)
    if made is None:
        try:
            made = type(f"EngineUnreachable_{cls.__name__}", (EngineUnreachable, cls), {})
        except TypeError:  # a layout that cannot be combined: dockui's class alone
            made = EngineUnreachable
        _LIKE[cls] = made
    return made


def unreachable(address: str, exc: BaseException, timeout: float | None = None) -> EngineUnreachable:
    """An ``EngineUnreachable`` naming the address, the cause and what to try."""
    cause, hint = explain(exc, address, timeout)
    text = f"{address}: {cause}" + (f" — {hint}" if hint else "")
    cls = _unreachable_like(type(exc)) if type(exc).__module__.startswith("requests.") else EngineUnreachable
    return cls(text, endpoint=address, cause=cause, hint=hint)
