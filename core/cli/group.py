"""The top-level command group: built-in commands plus the ones plugins add.

Plugin commands are loaded lazily: only when a command name is not built-in, or when the help
lists every command. Loading plugins needs the configuration, so it honours ``--config``; when
the configuration is broken, ``tradewind --help`` still works and says why plugin commands are
missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.config import ConfigError, load_settings

if TYPE_CHECKING:
    from core.registry import PluginCommand

_COMMANDS_KEY = "tradewind.plugin_commands"
_ERROR_KEY = "tradewind.plugin_commands_error"


class PluginCommandGroup(click.Group):
    """A click group that adds the commands of the selected plugins to its own."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, PluginCommand]:
        root = ctx.find_root()
        cached: dict[str, PluginCommand] | None = root.meta.get(_COMMANDS_KEY)
        if cached is None:
            from core.plugins import make_plugin_manager
            from core.registry import collect_commands

            settings = load_settings(root.params.get("config_path"))
            cached = collect_commands(make_plugin_manager(settings), reserved=set(self.commands))
            root.meta[_COMMANDS_KEY] = cached
        return cached

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else a plugin's (loading plugins on first need)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        found = self._plugin_commands(ctx).get(cmd_name)
        return found.command if found is not None else None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in command names, then plugin command names when plugins can be loaded."""
        names = list(super().list_commands(ctx))
        try:
            names += sorted(self._plugin_commands(ctx))
        except ConfigError as exc:
            ctx.find_root().meta[_ERROR_KEY] = str(exc)
        return names

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The usual epilog, plus why plugin commands are missing when they could not load."""
        super().format_epilog(ctx, formatter)
        error = ctx.find_root().meta.get(_ERROR_KEY)
        if error:
            formatter.write_paragraph()
            formatter.write_text(f"Plugin commands are not listed: {error}")
