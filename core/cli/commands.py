"""Attaches the built-in sub-commands to :data:`core.cli.cli` (one module per area)."""

from core.cli import (
    config_cmd,  # noqa: F401
    worker_cmd,  # noqa: F401
)
