"""Configuration types: EndpointConfig, NetworkingConfig, IPAMConfig, IPAMPool."""

__all__: list[str] = []
