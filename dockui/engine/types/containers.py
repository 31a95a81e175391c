"""Configuration types: HostConfig, LogConfig, Ulimit, DeviceRequest, ContainerConfig."""

__all__: list[str] = []
