"""JupyterHub spawner that starts single-user servers through Outpost services."""
from ._version import __version__
from .spawner import OutpostSpawner
from . import handlers as _handlers  # noqa: F401  (registers the hub API handlers)

__all__ = ["OutpostSpawner", "__version__"]
