"""Image calls, with docker-py's ``ImageApiMixin`` names, parameters and answers (build: ``build.py``).

Registry calls (``pull``, ``push``, ``search``, ``inspect_distribution``) go through the engine,
which answers at once with an error when no registry is reachable; that error is raised as an
``APIError`` carrying the engine's message. The wait for the engine's first answer is bounded.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from .base import CancellableStream, decode_json, mutating
from .build import BuildMixin
from .containers import DEFAULT_DATA_CHUNK_SIZE, decode_chunks, sized
from .errors import DockerException
from .utils import (
    check_resource,
    convert_filters,
    minimum_version,
    parse_repository_tag,
    require_version,
    version_lt,
)

REGISTRY_ANSWER_TIMEOUT = 30.0  # seconds for the engine's first answer to a registry call


def q(value: Any) -> str:
    """A resource name as one path segment (``/`` and ``:`` kept, as docker-py does)."""
    if not isinstance(value, str):
        raise ValueError(f"Expected a string but found {value} ({type(value)}) instead")
    return quote(value, safe="/:")


def encode_header(auth: dict) -> str:
    """An ``X-Registry-Auth`` header value: the auth dict as URL-safe base64 JSON."""
    return base64.urlsafe_b64encode(json.dumps(auth).encode("ascii")).decode("ascii")


def _import_params(repo: str | None, tag: str | None, image: str | None = None, src: Any = None,
                   changes: Any = None) -> dict[str, Any]:
    params: dict[str, Any] = {"repo": repo, "tag": tag}
    if image:
        params["fromImage"] = image
    elif src and not (isinstance(src, str) and os.path.isfile(src)):
        params["fromSrc"] = src
    else:
        params["fromSrc"] = "-"
    if changes:
        params["changes"] = changes
    return params


class ImageMixin(BuildMixin):
    def images(self, name: str | None = None, quiet: bool = False, all: bool = False,
               filters: dict | None = None) -> list[Any]:
        """Images (``all``: with intermediate layers); ``name`` keeps those of that reference;
        ``quiet``: ids only."""
        params: dict[str, Any] = {"only_ids": 1 if quiet else 0, "all": 1 if all else 0}
        if name:
            if version_lt(self.api_version, "1.25"):
                params["filter"] = name
            else:
                filters = {**(filters or {}), "reference": name}
        if filters:
            params["filters"] = convert_filters(filters)
        rows = self._get("/images/json", **params) or []
        if quiet:
            return [r["Id"] for r in rows]
        return rows

    @check_resource("image")
    def inspect_image(self, image: str) -> dict:
        return self._get(f"/images/{q(image)}/json")

    @check_resource("image")
    def history(self, image: str) -> list[dict]:
        return self._get(f"/images/{q(image)}/history")

    @check_resource("image")
    def get_image(self, image: str, chunk_size: int | None = DEFAULT_DATA_CHUNK_SIZE) -> Iterator[bytes]:
        """The image as a tar stream (``docker save``), in pieces of ``chunk_size`` bytes."""
        resp = self._open("GET", f"/images/{q(image)}/get")
        return sized(iter(CancellableStream(resp, decode_chunks)), chunk_size)

    @mutating
    def load_image(self, data: bytes | Any, quiet: bool | None = None) -> CancellableStream:
        """Load a tar of images (``docker load``); the engine's progress messages as dicts."""
        params: dict[str, Any] = {}
        if quiet is not None:
            require_version(self, "1.23", "quiet")
            params["quiet"] = quiet
        if hasattr(data, "read"):
            data = data.read()
        elif not isinstance(data, (bytes, bytearray)):
            data = b"".join(data)  # an iterable of chunks, such as get_image's answer
        resp = self._open("POST", "/images/load", params, bytes(data), headers={"Content-Type": "application/x-tar"},
                          timeout=max(self.timeout, 300.0))
        return CancellableStream(resp, decode_json)

    @mutating
    def import_image(self, src: Any = None, repository: str | None = None, tag: str | None = None,
                     image: str | None = None, changes: Any = None, stream_src: bool = False) -> str:
        """Make an image from a tarball: ``src`` a file path, a URL, bytes or a file object (or
        ``image``, an existing image). Returns the engine's answer as text."""
        if not (src or image):
            raise DockerException("Must specify src or image to import from")
        params = _import_params(repository, tag, image, src=src if isinstance(src, str) else None, changes=changes)
        if image or params.get("fromSrc") != "-":
            return self._send("POST", "/images/create", params=params).text
        if isinstance(src, str):
            with open(src, "rb") as f:
                data = f.read()
        elif hasattr(src, "read"):
            data = src.read()
        elif isinstance(src, (bytes, bytearray)):
            data = bytes(src)
        else:
            data = b"".join(src)
        return self._send("POST", "/images/create", params=params, data=data,
                          headers={"Content-Type": "application/tar"}, timeout=max(self.timeout, 300.0)).text

    @mutating
    def import_image_from_data(self, data: bytes, repository: str | None = None, tag: str | None = None,
                               changes: Any = None) -> str:
        params = _import_params(repository, tag, src="-", changes=changes)
        return self._send("POST", "/images/create", params=params, data=data,
                          headers={"Content-Type": "application/tar"}, timeout=max(self.timeout, 300.0)).text

    @mutating
    def import_image_from_file(self, filename: str, repository: str | None = None, tag: str | None = None,
                               changes: Any = None) -> str:
        return self.import_image(src=filename, repository=repository, tag=tag, changes=changes)

    @mutating
    def import_image_from_stream(self, stream: Any, repository: str | None = None, tag: str | None = None,
                                 changes: Any = None) -> str:
        return self.import_image(src=stream, stream_src=True, repository=repository, tag=tag, changes=changes)

    @mutating
    def import_image_from_url(self, url: str, repository: str | None = None, tag: str | None = None,
                              changes: Any = None) -> str:
        return self.import_image(src=url, repository=repository, tag=tag, changes=changes)

    @mutating
    def import_image_from_image(self, image: str, repository: str | None = None, tag: str | None = None,
                                changes: Any = None) -> str:
        return self.import_image(image=image, repository=repository, tag=tag, changes=changes)

    @mutating
    @check_resource("image")
    def tag(self, image: str, repository: str, tag: str | None = None, force: bool = False) -> bool:
        """Tag an image into a repository; True when the engine made the tag."""
        resp = self._send("POST", f"/images/{q(image)}/tag", params={"tag": tag, "repo": repository, "force": 1 if force else 0})
        return resp.status_code == 201

    @mutating
    @check_resource("image")
    def remove_image(self, image: str, force: bool = False, noprune: bool = False) -> list[dict]:
        return self._delete(f"/images/{q(image)}", force=force, noprune=noprune)

    @mutating
    @minimum_version("1.25")
    def prune_images(self, filters: dict | None = None) -> dict:
        """Remove unused images (dangling only unless ``filters={"dangling": False}``)."""
        return self._post("/images/prune", params={"filters": convert_filters(filters)} if filters is not None else None)

    # --- registries ------------------------------------------------------------------------------
    def _registry_stream(self, path: str, params: dict, headers: dict, stream: bool, decode: bool) -> Any:
        resp = self._open("POST", path, params, b"", headers=headers, timeout=min(self.timeout, REGISTRY_ANSWER_TIMEOUT))
        out = CancellableStream(resp, decode_json if decode and stream else decode_chunks)
        if stream:
            return out
        with out:
            return b"".join(out).decode("utf-8", "replace")

    @mutating
    def pull(self, repository: str, tag: str | None = None, stream: bool = False, auth_config: dict | None = None,
             decode: bool = False, platform: str | None = None, all_tags: bool = False) -> Any:
        """Pull an image: the engine's progress as text, or with ``stream`` as it comes (raw
        chunks; dicts with ``decode``). A tag in ``repository`` counts unless ``tag`` is given."""
        repository, image_tag = parse_repository_tag(repository)
        tag = None if all_tags else (tag or image_tag or "latest")
        params: dict[str, Any] = {"tag": tag, "fromImage": repository}
        headers = {"X-Registry-Auth": encode_header(auth_config)} if auth_config is not None else {}
        if platform is not None:
            require_version(self, "1.32", "platform")
            params["platform"] = platform
        return self._registry_stream("/images/create", params, headers, stream, decode)

    @mutating
    def push(self, repository: str, tag: str | None = None, stream: bool = False, auth_config: dict | None = None,
             decode: bool = False) -> Any:
        """Push an image to its registry; answers as ``pull`` does."""
        if not tag:
            repository, tag = parse_repository_tag(repository)
        # the engine wants the header even without credentials (an empty auth)
        headers = {"X-Registry-Auth": encode_header(auth_config if auth_config is not None else {})}
        return self._registry_stream(f"/images/{q(repository)}/push", {"tag": tag}, headers, stream, decode)

    def search(self, term: str, limit: int | None = None) -> list[dict]:
        """Search Docker Hub through the engine."""
        resp = self._send("GET", "/images/search", params={"term": term, "limit": limit},
                          timeout=min(self.timeout, REGISTRY_ANSWER_TIMEOUT))
        return resp.json()

    @minimum_version("1.30")
    @check_resource("image")
    def inspect_distribution(self, image: str, auth_config: dict | None = None) -> dict:
        """The registry's view of an image: its descriptor and platforms."""
        headers = {"X-Registry-Auth": encode_header(auth_config)} if auth_config is not None else None
        resp = self._send("GET", f"/distribution/{q(image)}/json", headers=headers,
                          timeout=min(self.timeout, REGISTRY_ANSWER_TIMEOUT))
        return resp.json()
