"""Attaches the built-in sub-commands to :data:`core.cli.cli` (one module per area).

One plain ``import`` line per module, so parallel changes never touch the same line.
"""

import core.cli.config_cmd
import core.cli.db_cmd
import core.cli.jobs_cmd
import core.cli.plugins_cmd
import core.cli.serve_cmd
import core.cli.worker_cmd  # noqa: F401
