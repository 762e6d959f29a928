"""Click groups of the same name from several plugins are merged (``tradewind sandbox ...``)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from core import hookimpl
from core.config import load_settings
from core.plugins import PluginError, make_plugin_manager
from core.registry import collect_commands


class SandboxCommand:
    """Adds ``sandbox <name>``, reusing the group when the plugin's cli already has it."""

    def __init__(self, *names: str) -> None:
        self.names = names

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        group = cli.commands.get("sandbox")
        if not isinstance(group, click.Group):
            group = click.Group("sandbox")
            cli.add_command(group)
        for name in self.names:
            group.add_command(click.Command(name, callback=lambda: None))


def test_groups_of_one_name_are_merged(tmp_path: Path) -> None:
    settings = load_settings(env={}, data_dir=tmp_path, plugins=[])
    pm = make_plugin_manager(
        settings, plugins={"one": SandboxCommand("wish"), "two": SandboxCommand("aliexpress")}
    )
    commands = collect_commands(pm)
    group = commands["sandbox"].command
    assert isinstance(group, click.Group)
    assert sorted(group.commands) == ["aliexpress", "wish"]


def test_the_same_sub_command_twice_is_refused(tmp_path: Path) -> None:
    settings = load_settings(env={}, data_dir=tmp_path, plugins=[])
    pm = make_plugin_manager(
        settings, plugins={"one": SandboxCommand("wish"), "two": SandboxCommand("wish")}
    )
    with pytest.raises(PluginError, match="command 'sandbox wish' is added by both plugin"):
        collect_commands(pm)
