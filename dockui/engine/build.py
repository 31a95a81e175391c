"""``build``: docker-py's ``BuildApiMixin``: an image from a directory, a Dockerfile file object or a
tar context, with the build's output as the engine streams it. Also the context tar maker
(``.dockerignore`` honoured) and the tag check."""

from __future__ import annotations

import io
import json
import os
import re
from typing import Any

from .base import BaseClient, CancellableStream, decode_json, mutating
from .containers import decode_chunks
from .errors import DockerException
from .utils import convert_filters, format_extra_hosts, minimum_version, require_version

CONTAINER_LIMITS_KEYS = ("memory", "memswap", "cpushares", "cpusetcpus")
_TAG = (r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(?::[0-9]+)?(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*"
        r"(:[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127})?$")  # compiled on first use (re caches it)
REMOTE_PREFIXES = ("http://", "https://", "git://", "github.com/", "git@")


def match_tag(tag: str) -> bool:
    """Whether ``tag`` is a valid ``[registry/]name[:tag]`` reference."""
    return bool(re.match(_TAG, tag))


def _ignore_patterns(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _clean(pattern: str) -> str:
    return os.path.normpath(pattern.strip().lstrip("/")) if pattern.strip("/") else pattern


def _ignored(rel: str, rules: list[tuple[bool, str]]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent directory matches
    everything under it; ``!pattern`` re-includes."""
    import fnmatch

    parts = rel.split("/")
    result = False
    for negate, pattern in rules:
        depth = pattern.count("/") + 1
        candidates = [rel] + ["/".join(parts[:n]) for n in range(depth, len(parts))]
        if pattern.startswith("**/") or pattern == "**":
            hit = fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern[3:])
        else:
            hit = any(fnmatch.fnmatchcase(c, pattern) for c in candidates)
        if hit:
            result = not negate
    return result


def tar_context(path: str, exclude: list[str] | None = None, dockerfile: tuple[str | None, str | None] = (None, None),
                gzip: bool = False) -> io.BytesIO:
    """The build context of directory ``path`` as a tar (in memory), without what the ``exclude``
    patterns (``.dockerignore`` lines) name; the Dockerfile and ``.dockerignore`` are always kept.
    ``dockerfile``: ``(name, contents)``; contents given for a Dockerfile outside the context."""
    import tarfile  # not at import: the dashboard's launch never builds
    root = os.path.abspath(path)
    df_name, df_text = dockerfile
    rules = [(p.startswith("!"), _clean(p[1:] if p.startswith("!") else p)) for p in (exclude or [])]
    rules += [(True, df_name or "Dockerfile"), (True, ".dockerignore")]
    extra: list[tuple[str, str]] = []
    if df_text is not None:
        extra = [(".dockerignore", "\n".join((exclude or [".dockerignore"]) + [df_name or ""])), (df_name or "", df_text)]
    extra_names = {name for name, _ in extra}
    files: list[str] = []
    for dirname, dirnames, fnames in os.walk(root):
        for name in fnames + dirnames:
            rel = os.path.relpath(os.path.join(dirname, name), root)
            if rel not in extra_names and not _ignored(rel, rules):
                files.append(rel)
    out = io.BytesIO()
    with tarfile.open(mode="w:gz" if gzip else "w", fileobj=out) as t:
        for rel in sorted(files):
            full = os.path.join(root, rel)
            info = t.gettarinfo(full, arcname=rel)
            if info is None:
                continue
            if info.mtime < 0 or info.mtime > 8 ** 11 - 1:
                info.mtime = int(info.mtime)
            if info.isfile():
                try:
                    with open(full, "rb") as f:
                        t.addfile(info, f)
                except OSError as exc:
                    raise OSError(f"Can not read file in context: {full}") from exc
            else:
                t.addfile(info, None)
        for name, text in extra:
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    out.seek(0)
    return out


def mkbuildcontext(dockerfile: Any) -> io.BytesIO:
    """A context holding only ``dockerfile`` (a binary file object) as ``Dockerfile``."""
    import tarfile
    out = io.BytesIO()
    with tarfile.open(mode="w", fileobj=out) as t:
        if isinstance(dockerfile, io.StringIO):
            raise TypeError("Please use io.BytesIO to create in-memory Dockerfiles with Python 3")
        if isinstance(dockerfile, io.BytesIO):
            info = tarfile.TarInfo("Dockerfile")
            info.size = len(dockerfile.getvalue())
            dockerfile.seek(0)
        else:
            info = t.gettarinfo(fileobj=dockerfile, arcname="Dockerfile")
        t.addfile(info, dockerfile)
    out.seek(0)
    return out


def process_dockerfile(dockerfile: str | None, path: str) -> tuple[str | None, str | None]:
    """``(name in the context, contents)``: contents only for a Dockerfile outside the context."""
    if not dockerfile:
        return None, None
    abs_df = dockerfile if os.path.isabs(dockerfile) else os.path.join(path, dockerfile)
    if os.path.relpath(abs_df, path).startswith(".."):
        import random

        with open(abs_df) as f:
            return f".dockerfile.{random.getrandbits(160):x}", f.read()
    if dockerfile == abs_df:
        dockerfile = os.path.relpath(abs_df, path)
    return dockerfile, None


class BuildMixin(BaseClient):
    @mutating
    def build(self, path: str | None = None, tag: str | None = None, quiet: bool = False, fileobj: Any = None,
              nocache: bool = False, rm: bool = False, timeout: float | None = None, custom_context: bool = False,
              encoding: str | None = None, pull: bool = False, forcerm: bool = False, dockerfile: str | None = None,
              container_limits: dict | None = None, decode: bool = False, buildargs: dict | None = None,
              gzip: bool = False, shmsize: int | None = None, labels: dict | None = None,
              cache_from: list[str] | None = None, target: str | None = None, network_mode: str | None = None,
              squash: bool | None = None, extra_hosts: Any = None, platform: str | None = None,
              isolation: str | None = None, use_config_proxy: bool = True) -> CancellableStream:
        """Build an image; the engine's output as it streams (raw chunks, or dicts with ``decode``).

        The context is ``path`` (a directory, tarred here with ``.dockerignore`` honoured, or a
        remote URL the engine fetches), or ``fileobj``: a Dockerfile, or with ``custom_context`` a
        ready tar (``encoding`` e.g. ``gzip``). ``timeout`` bounds the wait for the engine's answer."""
        remote = None
        context: Any = None
        headers: dict[str, str] = {}
        container_limits = container_limits or {}
        buildargs = dict(buildargs or {})
        if path is None and fileobj is None:
            raise TypeError("Either path or fileobj needs to be provided.")
        if gzip and encoding is not None:
            raise DockerException("Can not use custom encoding if gzip is enabled")
        if tag is not None and not match_tag(tag):
            raise DockerException(f"invalid tag '{tag}': invalid reference format")
        for key in container_limits:
            if key not in CONTAINER_LIMITS_KEYS:
                raise DockerException(f"invalid tag '{tag}': invalid reference format")
        if custom_context:
            if not fileobj:
                raise TypeError("You must specify fileobj with custom_context")
            context = fileobj
        elif fileobj is not None:
            context = mkbuildcontext(fileobj)
        elif path.startswith(REMOTE_PREFIXES):  # type: ignore[union-attr]
            remote = path
        elif not os.path.isdir(path):  # type: ignore[arg-type]
            raise TypeError("You must specify a directory to build in path")
        else:
            exclude = None
            ignore = os.path.join(path, ".dockerignore")  # type: ignore[arg-type]
            if os.path.exists(ignore):
                with open(ignore) as f:
                    exclude = _ignore_patterns(f.read())
            df = process_dockerfile(dockerfile, path)  # type: ignore[arg-type]
            dockerfile = df[0]
            context = tar_context(path, exclude, df, gzip)  # type: ignore[arg-type]
            encoding = "gzip" if gzip else encoding
        params: dict[str, Any] = {"t": tag, "remote": remote, "q": quiet, "nocache": nocache, "rm": rm,
                                  "forcerm": forcerm, "pull": pull, "dockerfile": dockerfile}
        params.update(container_limits)
        if buildargs:
            params["buildargs"] = json.dumps(buildargs)
        for value, key, since, what, conv in (
            (shmsize, "shmsize", "1.22", "shmsize", None), (labels, "labels", "1.23", "labels", json.dumps),
            (cache_from, "cachefrom", "1.25", "cache_from", json.dumps), (target, "target", "1.29", "target", None),
            (network_mode, "networkmode", "1.25", "network_mode", None), (squash, "squash", "1.25", "squash", None),
        ):
            if value:
                require_version(self, since, what)
                params[key] = conv(value) if conv else value
        if extra_hosts is not None:
            require_version(self, "1.27", "extra_hosts")
            params["extrahosts"] = format_extra_hosts(extra_hosts) if isinstance(extra_hosts, dict) else extra_hosts
        if platform is not None:
            require_version(self, "1.32", "platform")
            params["platform"] = platform
        if isolation is not None:
            require_version(self, "1.24", "isolation")
            params["isolation"] = isolation
        body = b""
        if context is not None:
            headers["Content-Type"] = "application/tar"
            if encoding:
                headers["Content-Encoding"] = encoding
            body = context.read() if hasattr(context, "read") else bytes(context)
            if not custom_context and hasattr(context, "close"):
                context.close()
        resp = self._open("POST", "/build", params, body, headers=headers, timeout=timeout)
        return CancellableStream(resp, decode_json if decode else decode_chunks)

    @mutating
    @minimum_version("1.31")
    def prune_builds(self, filters: dict | None = None, keep_storage: int | None = None, all: bool | None = None) -> dict:
        """Remove the build cache: ``{"CachesDeleted": [...], "SpaceReclaimed": n}``."""
        if (filters, keep_storage, all) != (None, None, None):
            require_version(self, "1.39", "`filters`, `keep_storage`, and `all` args")
        params: dict[str, Any] = {}
        if filters is not None:
            params["filters"] = convert_filters(filters)
        if keep_storage is not None:
            params["keep-storage"] = keep_storage
        if all is not None:
            params["all"] = all
        return self._post("/build/prune", params=params)
