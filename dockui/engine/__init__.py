"""dockui's own Docker Engine API client (no docker SDK): transports, streams, typed errors."""

from .client import EngineClient
from .errors import (
                     APIError,
                     Conflict,
                     DockerException,
                     EngineError,
                     EngineUnreachable,
                     ImageNotFound,
                     NotFound,
                     NotModified,
                     NullResource,
                     ReadOnlyError,
                     StreamError,
)
from .transport import Endpoint, TLSConfig

__all__ = ["EngineClient", "Endpoint", "TLSConfig", "APIError", "Conflict", "EngineError", "EngineUnreachable",
           "NotFound", "NotModified", "ReadOnlyError", "StreamError", "DockerException", "ImageNotFound", "NullResource"]
