"""The ``tradewind`` command line.

Bad input exits with status 2 and one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core import __version__
from core.cli.group import PluginCommandGroup
from core.config import ConfigError, Settings, load_settings


class CliState:
    """Options shared by every sub-command; settings are loaded on first use."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._settings: Settings | None = None

    def settings(self, **overrides: object) -> Settings:
        """The effective settings (command-line overrides win over env and file)."""
        if overrides:
            return load_settings(self.config_path, None, **overrides)
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings


def fail(message: str) -> None:
    """Print one line to stderr and exit 2."""
    click.echo(f"tradewind: {message}", err=True)
    sys.exit(2)


@click.group(cls=PluginCommandGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    envvar="TRADEWIND_CONFIG",
    is_eager=True,  # read before --help, which lists plugin commands and so needs the config
    help="Config file (default: ./tradewind.toml when present).",
)
@click.version_option(__version__, prog_name="tradewind")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Tradewind: a self-hostable ERP for cross-border e-commerce sellers."""
    ctx.obj = CliState(config_path)


def main() -> None:
    """Entry point of the ``tradewind`` command."""
    from core.cli import commands  # noqa: F401  (attaches the built-in sub-commands)

    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted")
    except click.UsageError as exc:
        fail(exc.format_message())
    except click.ClickException as exc:
        fail(exc.format_message())
    except ConfigError as exc:
        fail(str(exc))
