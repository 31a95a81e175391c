"""dockui: a keyboard-driven, k9s-style terminal dashboard for the Docker Engine."""

__version__ = "0.1.0"
