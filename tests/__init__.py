"""dockui test suite."""
