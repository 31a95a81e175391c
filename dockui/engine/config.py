"""Which engine to talk to: an explicit address, DOCKER_HOST, a docker context, or the default socket.

Reads the docker CLI's own files (``~/.docker/config.json``, ``contexts/meta/*/meta.json`` and
``contexts/tls``) so that ``docker context use`` and dockui agree. TLS verification is on
unless ``DOCKUI_TLS_INSECURE=1`` or the context says ``SkipTLSVerify``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .transport import DEFAULT_UNIX, Endpoint, TLSConfig, check_url


@dataclass(frozen=True)
class Context:
    name: str
    host: str
    description: str
    current: bool
    endpoint: Endpoint


def docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _normalise(host: str) -> str:
    if host.startswith("/"):
        return "unix://" + host
    if host.startswith("npipe:"):
        return host
    if "://" not in host:
        return "tcp://" + host
    return host


def _tls_from_env(host: str) -> TLSConfig | None:
    verify = os.environ.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
    cert_path = os.environ.get("DOCKER_CERT_PATH")
    # as the docker CLI: TLS only for tcp hosts, and only when asked for (a cert path alone is not asking)
    if not host.startswith("tcp://") or not (verify or os.environ.get("DOCKER_TLS")):
        return None
    d = Path(cert_path) if cert_path else docker_config_dir()

    def f(name: str) -> str | None:
        p = d / name
        return str(p) if p.exists() else None

    insecure = os.environ.get("DOCKUI_TLS_INSECURE") == "1"
    return TLSConfig(ca_cert=f("ca.pem"), client_cert=f("cert.pem"), client_key=f("key.pem"), verify=not insecure)


def current_context_name() -> str:
    env = os.environ.get("DOCKER_CONTEXT")
    if env:
        return env
    try:
        return json.loads((docker_config_dir() / "config.json").read_text()).get("currentContext") or "default"
    except (OSError, ValueError, AttributeError):
        return "default"


def _context_endpoint(name: str, meta: dict) -> Endpoint:
    ep = (meta.get("Endpoints") or {}).get("docker") or {}
    host = _normalise(ep.get("Host") or DEFAULT_UNIX)
    import hashlib  # only for contexts (OpenSSL's hashes cost ~8 ms to load at launch)

    digest = hashlib.sha256(name.encode()).hexdigest()
    tls_dir = docker_config_dir() / "contexts" / "tls" / digest / "docker"
    tls = None
    if tls_dir.is_dir():
        def f(n: str) -> str | None:
            p = tls_dir / n
            return str(p) if p.exists() else None

        skip = bool(ep.get("SkipTLSVerify")) or os.environ.get("DOCKUI_TLS_INSECURE") == "1"
        tls = TLSConfig(ca_cert=f("ca.pem"), client_cert=f("cert.pem"), client_key=f("key.pem"), verify=not skip)
    return Endpoint(host, tls)


def list_contexts() -> list[Context]:
    """Every docker context, ``default`` first (DOCKER_HOST or the default socket)."""
    current = current_context_name()
    default_host = _normalise(os.environ.get("DOCKER_HOST") or DEFAULT_UNIX)
    out = [Context("default", default_host, "Current DOCKER_HOST based configuration" if os.environ.get("DOCKER_HOST") else "default socket",
                   current == "default", Endpoint(default_host, _tls_from_env(default_host)))]
    meta_dir = docker_config_dir() / "contexts" / "meta"
    if meta_dir.is_dir():
        for d in sorted(meta_dir.iterdir()):
            try:
                meta = json.loads((d / "meta.json").read_text())
            except (OSError, ValueError):
                continue
            name = meta.get("Name") or d.name
            ep = _context_endpoint(name, meta)
            desc = (meta.get("Metadata") or {}).get("Description", "") if isinstance(meta.get("Metadata"), dict) else ""
            out.append(Context(name, ep.url, desc, name == current, ep))
    return out


def resolve(host: str | None = None, context: str | None = None, tls_insecure: bool = False) -> tuple[Endpoint, str]:
    """The endpoint to use and a few words saying where it came from.

    Raises ``ValueError`` (a one-line message) for an unknown context or a malformed address,
    wherever it came from (``--host``, ``DOCKER_HOST`` or a context). ``tls_insecure`` (the
    ``--tls-insecure`` flag) turns certificate verification off, and TLS on for a ``tcp://``
    address that has no TLS settings, as ``docker --tls`` does; ``DOCKUI_TLS_INSECURE=1`` only
    turns verification off where TLS is configured. Check :attr:`Endpoint.insecure` to warn.
    """
    endpoint, source = _resolve(host, context)
    try:
        check_url(endpoint.url)
    except ValueError as exc:
        raise ValueError(f"{exc} (from {source})") from None
    if tls_insecure and endpoint.scheme in ("tcp", "https"):
        endpoint = replace(endpoint, tls=replace(endpoint.tls or TLSConfig(), verify=False))
    elif os.environ.get("DOCKUI_TLS_INSECURE") == "1" and endpoint.tls is not None and endpoint.tls.verify:
        endpoint = replace(endpoint, tls=replace(endpoint.tls, verify=False))
    return endpoint, source


def _resolve(host: str | None, context: str | None) -> tuple[Endpoint, str]:
    if host:
        host = _normalise(host)
        return Endpoint(host, _tls_from_env(host)), "--host"
    if not context and os.environ.get("DOCKER_HOST"):
        h = _normalise(os.environ["DOCKER_HOST"])
        return Endpoint(h, _tls_from_env(h)), "DOCKER_HOST"
    name = context or current_context_name()
    if name != "default":
        for ctx in list_contexts():
            if ctx.name == name:
                return ctx.endpoint, f"context {name}"
        raise ValueError(f"no docker context named {name!r}")
    return Endpoint(DEFAULT_UNIX, _tls_from_env(DEFAULT_UNIX)), "default socket"
