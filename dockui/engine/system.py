"""Daemon calls (docker-py's ``DaemonApiMixin``): ping, version, info, df, the ``/events`` stream,
registry login and the auth configuration it keeps; plus the engine's clock for ``since=``."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from .base import BaseClient, CancellableStream, decode_json
from .utils import convert_filters, minimum_version

INDEX_NAME = "docker.io"


def _timestamp(value: Any) -> Any:
    """``since``/``until`` as the engine reads them: a datetime becomes whole seconds since the epoch,
    a float keeps its nanoseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.astimezone()
        delta = value.astimezone(timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
        return delta.seconds + delta.days * 24 * 3600
    if isinstance(value, float):
        return f"{value:.9f}"
    return value


def _chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield chunk


def _config_path(dockercfg_path: str | None) -> str | None:
    if dockercfg_path:
        return dockercfg_path
    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    for path in (os.path.join(base, "config.json"), os.path.join(os.path.expanduser("~"), ".dockercfg")):
        if os.path.exists(path):
            return path
    return None


def load_auth_config(dockercfg_path: str | None = None) -> dict[str, dict]:
    """Registry credentials from the docker CLI's config file: ``{registry: {"username", "password", ...}}``.
    Credential helpers are not run; a missing or broken file means no credentials."""
    path = _config_path(dockercfg_path)
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return {}
    auths = doc.get("auths", doc) if isinstance(doc, dict) else {}
    out: dict[str, dict] = {}
    for registry, entry in (auths or {}).items():
        if not isinstance(entry, dict):
            continue
        cfg = {k.lower(): v for k, v in entry.items()}
        if cfg.get("auth"):
            try:
                user, _, password = base64.b64decode(cfg["auth"]).decode("utf-8").partition(":")
                cfg.setdefault("username", user)
                cfg.setdefault("password", password)
            except (ValueError, UnicodeDecodeError):
                pass
        cfg.setdefault("serveraddress", registry)
        out[registry] = cfg
    return out


def _registry_key(registry: str | None) -> str:
    if not registry or registry in ("index.docker.io", "https://index.docker.io/v1/", "docker.io", "registry-1.docker.io"):
        return INDEX_NAME
    for prefix in ("https://", "http://"):
        if registry.startswith(prefix):
            registry = registry[len(prefix):]
    return registry.split("/", 1)[0]


class SystemMixin(BaseClient):
    _auth_configs: dict[str, dict] | None = None

    def ping(self) -> bool:
        resp = self._send("GET", "/_ping", versioned=False, timeout=min(self.timeout, 5.0))
        self.ping_headers = {k.lower(): v for k, v in resp.headers.items()}
        return resp.text.strip() == "OK"

    def version(self, api_version: bool = True) -> dict[str, Any]:
        """The engine's versions; ``api_version=False`` asks the unversioned ``/version``."""
        resp = self._send("GET", "/version", versioned=api_version)
        return resp.json()

    def info(self) -> dict[str, Any]:
        return self._get("/info")

    @minimum_version("1.25")
    def df(self) -> dict[str, Any]:
        return self._get("/system/df")

    def events(self, since: datetime | int | float | None = None, until: datetime | int | float | None = None,
               filters: dict | None = None, decode: bool | None = None) -> CancellableStream:
        """Follow ``/events``: byte chunks, or event dicts with ``decode=True``; ``close()`` from any thread ends it."""
        params: dict[str, Any] = {"since": _timestamp(since), "until": _timestamp(until),
                                  "filters": convert_filters(filters) if filters else None}
        return CancellableStream(self._open("GET", "/events", params), decode_json if decode else _chunks)

    def login(self, username: str, password: str | None = None, email: str | None = None, registry: str | None = None,
              reauth: bool = False, dockercfg_path: str | None = None) -> dict:
        """Check credentials with a registry (through the engine) and keep them for this client.

        Credentials already known for this user and registry (from the docker config file) are
        returned without asking, unless ``reauth``. With no registry reachable the engine answers at
        once with its error, raised as ``APIError``."""
        if dockercfg_path and os.path.exists(dockercfg_path):
            self._auth_configs = load_auth_config(dockercfg_path)
        elif not self._auth_configs:
            self._auth_configs = load_auth_config()
        known = self._auth_configs.get(_registry_key(registry)) or (self._auth_configs.get(registry) if registry else None)
        if known and known.get("username") == username and not reauth:
            return known
        req = {"username": username, "password": password, "email": email, "serveraddress": registry}
        answer = self._post("/auth", {k: v for k, v in req.items() if v is not None})
        self._auth_configs[_registry_key(registry)] = req
        return answer

    def reload_config(self, dockercfg_path: str | None = None) -> None:
        """Read the registry credentials again from the docker config file."""
        self._auth_configs = load_auth_config(dockercfg_path)

    def server_time(self) -> float:
        """The engine's clock, for ``since=``; falls back to ours."""
        try:
            from email.utils import parsedate_to_datetime

            date = self.ping_headers.get("date")
            if date:
                return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
        return time.time()


DaemonMixin = SystemMixin

__all__ = ["SystemMixin", "DaemonMixin", "load_auth_config"]
