"""The policy engine: pure functions over Kubernetes objects (dicts).

Nothing in this package opens sockets or imports the HTTP server or the CLI; the
import-linter contract in ``pyproject.toml`` keeps it that way.
"""
