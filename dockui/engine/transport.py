"""Connections to an engine: unix socket, tcp, tcp+TLS and ssh (``docker system dial-stdio``).

An :class:`Endpoint` knows how to open one raw socket to the engine; ``session.make_session``
builds a ``requests`` session whose connections are opened the same way, so plain requests
(pooled) and long-lived streams (our own sockets, see ``rawhttp``) share one way of connecting.
This module does not import ``requests``: a launch that only reads a local engine never needs it.
"""

from __future__ import annotations

import shlex
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import EngineUnreachable, unreachable

DEFAULT_UNIX = "unix:///var/run/docker.sock"
SCHEMES = ("unix", "tcp", "http", "https", "ssh")


def check_url(url: str) -> str:
    """Return ``url`` if it is an engine address dockui can use, else raise ``ValueError`` saying why.

    Accepted: ``unix:///path``, ``tcp://host[:port]`` (also ``http``/``https``) and
    ``ssh://[user@]host[:port]``. The message is one line, fit for the command line.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("empty engine address")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise ValueError(f"invalid engine address {url!r}: control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number in 0-65535
    except ValueError as exc:
        raise ValueError(f"invalid engine address {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"invalid engine address {url!r}: unsupported scheme {parts.scheme + '://' if parts.scheme else '(none)'}"
                         " (use unix:///path, tcp://host:port or ssh://user@host)")
    if scheme == "unix":
        if parts.netloc or not parts.path:
            raise ValueError(f"invalid engine address {url!r}: a unix address is unix:///absolute/path/to/docker.sock")
        if len(parts.path.encode()) > 107:
            raise ValueError(f"invalid engine address {url!r}: a unix socket path is limited to 107 bytes")
    else:
        if not parts.hostname:
            raise ValueError(f"invalid engine address {url!r}: no host")
        if port == 0:
            raise ValueError(f"invalid engine address {url!r}: port 0")
        if scheme != "ssh" and (parts.query or parts.fragment or parts.username):
            raise ValueError(f"invalid engine address {url!r}: unexpected user, query or fragment")
    return url


@dataclass(frozen=True)
class TLSConfig:
    """Client TLS material; verification is always on unless ``verify`` is false."""

    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool = True

    def context(self, hostname: str) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_cert) if self.verify else ssl._create_unverified_context()
        if self.client_cert:
            ctx.load_cert_chain(self.client_cert, self.client_key)
        return ctx


@dataclass(frozen=True)
class Endpoint:
    """Where an engine listens: ``unix:///path``, ``tcp://host:port`` (+tls) or ``ssh://[user@]host[:port]``."""

    url: str
    tls: TLSConfig | None = None
    ssh_options: tuple[str, ...] = field(default=())

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme or "unix"

    @property
    def display(self) -> str:
        if not self.tls:
            return self.url
        return self.url + (" (tls)" if self.tls.verify else " (tls, NOT verified)")

    @property
    def insecure(self) -> bool:
        """True when TLS is used without verifying the engine's certificate (say so in the UI)."""
        return bool(self.tls and not self.tls.verify)

    @property
    def http_base(self) -> str:
        """The base URL used for requests (a host part no proxy rule matches, for socket kinds)."""
        parts = urlsplit(self.url)
        if self.scheme == "tcp":
            return f"{'https' if self.tls else 'http'}://{parts.hostname}:{parts.port or (2376 if self.tls else 2375)}"
        if self.scheme in ("http", "https"):
            return f"{self.scheme}://{parts.netloc}"
        return "http://docker.localhost"

    def connect(self, timeout: float | None = 10.0) -> socket.socket:
        """Open one fresh connected socket to the engine (TLS-wrapped when configured)."""
        parts = urlsplit(self.url)
        try:
            if self.scheme == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(timeout)
                try:
                    sock.connect(parts.path)
                except BaseException:
                    sock.close()
                    raise
                return sock
            if self.scheme in ("tcp", "http", "https"):
                host = parts.hostname or "localhost"
                port = parts.port or (2376 if self.tls else 2375)
                sock = socket.create_connection((host, port), timeout=timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.tls:
                    try:
                        sock = self.tls.context(host).wrap_socket(sock, server_hostname=host)
                    except BaseException:
                        sock.close()
                        raise
                return sock
            if self.scheme == "ssh":
                return _ssh_socket(parts, self.ssh_options, timeout)
        except (OSError, ssl.SSLError) as exc:
            raise unreachable(self.display, exc, timeout) from exc
        raise EngineUnreachable(f"unsupported engine address {self.url!r}", endpoint=self.url,
                                cause="unsupported engine address", hint="use unix:///path, tcp://host:port or ssh://user@host")


def _ssh_socket(parts, options: tuple[str, ...], timeout: float | None) -> socket.socket:
    """Run ``ssh HOST docker system dial-stdio`` with one end of a socketpair as its stdio."""
    ours, theirs = socket.socketpair()
    cmd = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", *options]
    if parts.port:
        cmd += ["-p", str(parts.port)]
    if parts.username:
        cmd += ["-l", parts.username]
    cmd += ["--", parts.hostname or "localhost", "docker", "system", "dial-stdio"]
    try:
        proc = subprocess.Popen(cmd, stdin=theirs, stdout=theirs, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        ours.close()
        theirs.close()
        raise EngineUnreachable(f"cannot run ssh: {exc}") from exc
    theirs.close()
    ours.settimeout(timeout)
    _SSH_PROCS.track(ours, proc)
    return ours


class _SSHProcs:
    """Reaps the ssh processes behind sockets once their socket is closed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: list[tuple[socket.socket, subprocess.Popen]] = []

    def track(self, sock: socket.socket, proc: subprocess.Popen) -> None:
        with self._lock:
            keep = []
            for s, p in self._procs:
                if s.fileno() == -1:
                    if p.poll() is None:
                        p.terminate()
                    try:
                        p.wait(timeout=0.5)
                    except subprocess.TimeoutExpired:
                        p.kill()
                else:
                    keep.append((s, p))
            keep.append((sock, proc))
            self._procs = keep

    def close_all(self) -> None:
        with self._lock:
            for _, p in self._procs:
                if p.poll() is None:
                    p.terminate()
            self._procs = []


_SSH_PROCS = _SSHProcs()


def describe_ssh(url: str) -> str:
    """A shell-quoted form of the ssh command used for an ssh endpoint, for messages."""
    parts = urlsplit(url)
    return shlex.join(["ssh", parts.netloc, "docker", "system", "dial-stdio"])
