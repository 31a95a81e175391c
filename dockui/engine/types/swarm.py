"""Configuration types: SwarmSpec, SwarmExternalCA."""

__all__: list[str] = []
