"""Attaches the built-in sub-commands to :data:`core.cli.cli` (one module per area)."""

import core.cli.db_cmd  # noqa: F401
from core.cli import config_cmd  # noqa: F401
