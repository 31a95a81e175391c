"""The ``requests`` side of the transports: a session whose connections come from an :class:`Endpoint`.

Imported when the first request needs it (actions, and every call to a tcp, TLS or ssh engine);
reads from a local unix socket go through ``rawhttp`` and never load ``requests`` (~130 ms of
imports at launch).
"""

from __future__ import annotations

import threading

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool

from .transport import Endpoint


class _EndpointConnection(HTTPConnection):
    def __init__(self, *args, endpoint: Endpoint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._endpoint = endpoint

    def connect(self) -> None:
        timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
        self.sock = self._endpoint.connect(timeout)


class _EndpointPool(HTTPConnectionPool):
    ConnectionCls = _EndpointConnection

    def __init__(self, endpoint: Endpoint, timeout: float, maxsize: int) -> None:
        super().__init__("docker.localhost", timeout=urllib3.Timeout(timeout), maxsize=maxsize, block=False)
        self.conn_kw["endpoint"] = endpoint


class EndpointAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections come from :meth:`Endpoint.connect`."""

    def __init__(self, endpoint: Endpoint, timeout: float = 60.0, pool_size: int = 8) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.pool_size = pool_size
        self._pool: _EndpointPool | None = None
        self._lock = threading.Lock()
        super().__init__()

    def get_connection(self, url, proxies=None):  # requests < 2.32.2
        with self._lock:
            if self._pool is None:
                self._pool = _EndpointPool(self.endpoint, self.timeout, self.pool_size)
            return self._pool

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        return self.get_connection(request.url, proxies)

    def request_url(self, request, proxies):
        return request.path_url

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        super().close()


def make_session(endpoint: Endpoint, timeout: float = 60.0, pool_size: int = 8) -> requests.Session:
    """A ``requests`` session that talks to ``endpoint``; never consults proxy settings."""
    session = requests.Session()
    session.trust_env = False
    if endpoint.scheme in ("unix", "ssh"):
        session.mount("http://docker.localhost", EndpointAdapter(endpoint, timeout, pool_size))
    elif endpoint.tls:
        if not endpoint.tls.verify:  # the user asked for it explicitly and was warned once, not per request
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        session.mount("https://", HTTPAdapter(pool_maxsize=pool_size))
        session.verify = endpoint.tls.ca_cert or True if endpoint.tls.verify else False
        if endpoint.tls.client_cert:
            session.cert = (endpoint.tls.client_cert, endpoint.tls.client_key)
    else:
        session.mount("http://", HTTPAdapter(pool_maxsize=pool_size))
    return session
