"""``tradewind config show``."""

from __future__ import annotations

import json

import click

from core.cli import CliState, cli


@cli.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML-like lines.")
@click.pass_obj
def config_show(state: CliState, as_json: bool) -> None:
    """Print the effective configuration, secrets redacted."""
    data = state.settings().redacted()
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key, value in data.items():
        click.echo(f"{key} = {json.dumps(value, ensure_ascii=False)}")
