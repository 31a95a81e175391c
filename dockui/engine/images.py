"""Image calls."""

from __future__ import annotations

from typing import Any

from .base import BaseClient, CancellableStream, decode_json, mutating
from .containers import _filters


class ImageMixin(BaseClient):
    def images(self, all: bool = False, filters: dict | None = None) -> list[dict]:
        return self._get("/images/json", all=all, filters=_filters(filters)) or []

    def inspect_image(self, image: str) -> dict:
        return self._get(f"/images/{image}/json")

    def history(self, image: str) -> list[dict]:
        return self._get(f"/images/{image}/history")

    @mutating
    def remove_image(self, image: str, force: bool = False, noprune: bool = False) -> list[dict]:
        return self._delete(f"/images/{image}", force=force, noprune=noprune)

    @mutating
    def tag(self, image: str, repository: str, tag: str | None = None) -> None:
        self._post(f"/images/{image}/tag", params={"repo": repository, "tag": tag})

    @mutating
    def prune_images(self, filters: dict | None = None) -> dict:
        return self._post("/images/prune", params={"filters": _filters(filters)} if filters else None)

    @mutating
    def pull(self, repository: str, tag: str | None = None) -> CancellableStream:
        """Pull with progress: iterate for the engine's JSON progress messages."""
        params: dict[str, Any] = {"fromImage": repository, "tag": tag or "latest"}
        return CancellableStream(self._open("POST", "/images/create", params, b""), decode_json)

    @mutating
    def import_image_from_data(self, data: bytes, repository: str, tag: str = "latest", changes: list[str] | None = None) -> Any:
        params: dict[str, Any] = {"fromSrc": "-", "repo": repository, "tag": tag}
        if changes:
            params["changes"] = changes
        resp = self._send("POST", "/images/create", params=params, data=data,
                          headers={"Content-Type": "application/tar"}, timeout=300)
        return resp.text
