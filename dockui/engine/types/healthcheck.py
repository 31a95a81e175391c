"""Configuration types: Healthcheck."""

__all__: list[str] = []
