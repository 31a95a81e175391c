"""Configuration types: TaskTemplate, ContainerSpec, Mount, Resources, UpdateConfig, RollbackConfig, RestartPolicy, ServiceMode, EndpointSpec, ...."""

__all__: list[str] = []
