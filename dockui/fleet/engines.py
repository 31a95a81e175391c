"""Which engines a fleet watches: every context of the docker CLI's store (``--fleet``), the
contexts named (``--context a,b,c``) and the ``--host`` addresses (``NAME=URL`` names one).

Each engine is an ``EngineSpec``: a name (the context's; never contains ``/``, it prefixes row
ids), an endpoint, and ``error`` when the engine cannot even be tried (a malformed context file,
TLS material that is missing, a malformed address): the fleet shows that engine with its error
and works on with the others. Nothing here raises for one bad engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..engine.config import _context_endpoint, _normalise, _tls_from_env, current_context_name, docker_config_dir
from ..engine.transport import DEFAULT_UNIX, Endpoint, check_url


@dataclass(frozen=True)
class EngineSpec:
    name: str
    endpoint: Endpoint | None
    source: str  # "context prod-2", "--host"
    error: str = ""  # why this engine cannot be tried at all (shown in its slot)


_BAD = re.compile(r"[^A-Za-z0-9_.+@:-]+")


def safe_name(text: str) -> str:
    """An engine name fit to prefix row ids: no ``/``, no spaces, at most 30 characters."""
    return (_BAD.sub("-", text).strip("-") or "engine")[:30]


def host_name(url: str) -> str:
    """A short name for a ``--host`` address: host:port, user@host, or the socket's directory."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return safe_name(url)
    if parts.scheme == "unix":
        path = Path(parts.path)
        if str(path) == urlsplit(DEFAULT_UNIX).path:
            return "local"
        return safe_name(path.parent.name or path.name)
    return safe_name(parts.netloc or url)


def _tls_problem(ep: Endpoint, where: str) -> str:
    """Missing TLS material: a client certificate without its key (or the reverse), or files named that are gone."""
    tls = ep.tls
    if tls is None:
        return ""
    if bool(tls.client_cert) != bool(tls.client_key):
        missing = "key.pem" if tls.client_cert else "cert.pem"
        return f"TLS material missing: {missing} (in {where})"
    for f in (tls.ca_cert, tls.client_cert, tls.client_key):
        if f and not os.access(f, os.R_OK):
            return f"TLS material missing: cannot read {f}"
    if tls.verify and not (tls.ca_cert or tls.client_cert):
        return f"TLS material missing: no ca.pem, cert.pem or key.pem in {where}"
    return ""


def _checked(name: str, ep: Endpoint, source: str, where: str) -> EngineSpec:
    try:
        check_url(ep.url)
    except ValueError as exc:
        return EngineSpec(name, None, source, f"malformed address: {exc}")
    problem = _tls_problem(ep, where)
    if problem:
        return EngineSpec(name, None, source, problem)
    return EngineSpec(name, ep, source)


def context_specs() -> list[EngineSpec]:
    """Every context of the CLI's store, ``default`` first; a malformed one is an engine with an error."""
    out: list[EngineSpec] = []
    default_host = _normalise(os.environ.get("DOCKER_HOST") or DEFAULT_UNIX)
    cert_dir = os.environ.get("DOCKER_CERT_PATH") or str(docker_config_dir())
    out.append(_checked("default", Endpoint(default_host, _tls_from_env(default_host)), "context default", cert_dir))
    meta_dir = docker_config_dir() / "contexts" / "meta"
    try:
        dirs = sorted(meta_dir.iterdir()) if meta_dir.is_dir() else []
    except OSError:
        dirs = []
    for d in dirs:
        f = d / "meta.json"
        try:
            meta = json.loads(f.read_text())
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
            name = str(meta.get("Name") or "")
            if not name:
                raise ValueError("no Name")
            ep = _context_endpoint(name, meta)
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            out.append(EngineSpec(safe_name("context-" + d.name[:8]), None, "context file",
                                  f"malformed context file: {why} ({f})"))
            continue
        digest = hashlib.sha256(name.encode()).hexdigest()
        where = str(docker_config_dir() / "contexts" / "tls" / digest / "docker")
        out.append(_checked(safe_name(name), ep, f"context {name}", where))
    return out[:1] + sorted(out[1:], key=lambda s: s.name)  # as docker context ls: by name


def fleet_specs(hosts: list[str] | None = None, contexts: list[str] | None = None, all_contexts: bool = False) -> list[EngineSpec]:
    """The engines to watch: all contexts (``all_contexts``) or the ones named, then the hosts.

    Names are unique (a second ``prod`` becomes ``prod-2``). A context named but not in the store
    is an engine with an error, not a failure of the whole fleet."""
    specs: list[EngineSpec] = []
    known = context_specs() if (all_contexts or contexts) else []
    if all_contexts:
        specs.extend(known)
    for want in contexts or []:
        if all_contexts:
            break
        hit = next((s for s in known if s.source == f"context {want}" or s.name == want), None)
        specs.append(hit or EngineSpec(safe_name(want), None, f"context {want}", f"no docker context named {want!r}"))
    for h in hosts or []:
        name, eq, url = h.partition("=")
        if not eq or "://" in name or name.startswith("/"):
            name, url = "", h
        url = _normalise(url.strip())
        ep = Endpoint(url, _tls_from_env(url))
        cert_dir = os.environ.get("DOCKER_CERT_PATH") or str(docker_config_dir())
        specs.append(_checked(safe_name(name) if name else host_name(url), ep, "--host", cert_dir))
    same: set[tuple[str, object]] = set()
    kept = []
    for s in specs:  # one engine named twice (the default context and a context of the same socket): once
        key = (s.endpoint.url, s.endpoint.tls) if s.endpoint is not None else None
        if key is not None and key in same:
            continue
        if key is not None:
            same.add(key)
        kept.append(s)
    seen: dict[str, int] = {}
    out = []
    for s in kept:
        n = seen.get(s.name, 0) + 1
        seen[s.name] = n
        out.append(s if n == 1 else EngineSpec(f"{s.name}-{n}", s.endpoint, s.source, s.error))
    return out


def default_context() -> str:
    return current_context_name()
