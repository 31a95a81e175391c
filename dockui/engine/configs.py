"""Config calls (docker-py's ``ConfigApiMixin``): create, inspect, remove and list swarm configs.

Unlike a secret, a config's value comes back from ``inspect_config`` (base64 in ``Spec.Data``)."""

from __future__ import annotations

from typing import Any

from .apicalls import body, q
from .base import BaseClient, mutating
from .secrets import encode_data
from .utils import check_resource, convert_filters, minimum_version


class ConfigMixin(BaseClient):
    @mutating
    @minimum_version("1.30")
    def create_config(self, name: str, data: bytes | str, labels: dict | None = None,
                      templating: dict | None = None) -> dict:
        """Create a config holding ``data``; returns ``{"ID": ...}``. ``templating``: ``{"name": "golang"}``."""
        doc: dict[str, Any] = {"Data": encode_data(data), "Name": name, "Labels": labels, "Templating": templating}
        return self._post("/configs/create", body(doc))

    @minimum_version("1.30")
    @check_resource("id")
    def inspect_config(self, id: str) -> dict:  # noqa: A002 - docker-py's keyword
        return self._get(f"/configs/{q(id)}")

    @mutating
    @minimum_version("1.30")
    @check_resource("id")
    def remove_config(self, id: str) -> bool:  # noqa: A002
        self._delete(f"/configs/{q(id)}")
        return True

    @minimum_version("1.30")
    def configs(self, filters: dict | None = None) -> list[dict]:
        """The swarm's configs; ``filters``: ``id``, ``label``, ``name``, ``names``."""
        return self._get("/configs", filters=convert_filters(filters) if filters else None) or []


__all__ = ["ConfigMixin"]
