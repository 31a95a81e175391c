"""dockui's own Docker Engine API client (no docker SDK): transports, streams, typed errors."""

from .client import EngineClient
from .errors import (
                     APIError,
                     Conflict,
                     DockerException,
                     EngineError,
                     EngineUnreachable,
                     ImageNotFound,
                     InvalidArgument,
                     InvalidVersion,
                     NotFound,
                     NotModified,
                     NullResource,
                     ReadOnlyError,
                     StreamError,
)
from .transport import Endpoint, TLSConfig

APIClient = EngineClient  # docker-py's name for the low-level client

__all__ = ["EngineClient", "Endpoint", "TLSConfig", "APIError", "Conflict", "EngineError", "EngineUnreachable",
           "NotFound", "NotModified", "ReadOnlyError", "StreamError", "DockerException", "ImageNotFound", "NullResource",
           "InvalidArgument", "InvalidVersion", "APIClient"]
