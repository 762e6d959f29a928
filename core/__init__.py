"""Tradewind core: domain models, services, the plugin contract and the job queue.

Plugins import :data:`hookimpl` from here to mark their hook implementations.
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

PROJECT_NAME = "tradewind"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marker for plugin hook implementations (``@hookimpl def register_marketplaces(...)``)."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marker for hook specifications; used only by :mod:`core.hookspecs`."""

try:
    __version__ = version(PROJECT_NAME)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["PROJECT_NAME", "__version__", "hookimpl", "hookspec"]
