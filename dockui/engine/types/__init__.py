"""Configuration types of the low-level client, with docker-py's names (``docker.types``).

Each is a ``dict`` subclass that builds the engine's JSON shape from keyword arguments, converting
and checking them as docker-py documents. One module per family; this package re-exports them all.
"""

from .containers import *  # noqa: F401,F403
from .healthcheck import *  # noqa: F401,F403
from .networks import *  # noqa: F401,F403
from .services import *  # noqa: F401,F403
from .swarm import *  # noqa: F401,F403
