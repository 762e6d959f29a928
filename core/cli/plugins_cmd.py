"""``tradewind plugins``: what is loaded, with versions, hooks and what each registers."""

from __future__ import annotations

import json
from typing import Any

import click

from core.cli import CliState, cli
from core.plugins import make_plugin_manager
from core.registry import build_registry, collect_commands


def describe_plugins(state: CliState) -> list[dict[str, Any]]:
    """One JSON-ready dict per loaded plugin (id, version, source, hooks, registers)."""
    settings = state.settings()
    pm = make_plugin_manager(settings)
    registry = build_registry(settings, pm)
    commands = collect_commands(pm, reserved=set(cli.commands))
    rows = []
    for info in registry.plugins:
        registers = {kind: list(labels) for kind, labels in info.registers.items()}
        own_commands = sorted(name for name, cmd in commands.items() if cmd.plugin_id == info.id)
        if own_commands:
            registers["commands"] = own_commands
        rows.append(
            {
                "id": info.id,
                "version": info.version,
                "kind": info.kind.value,
                "source": info.source,
                "hooks": list(info.hooks),
                "registers": registers,
            }
        )
    return rows


def _table(rows: list[dict[str, Any]]) -> list[str]:
    header = ("ID", "VERSION", "HOOKS", "REGISTERS", "SOURCE")
    cells = [
        (
            row["id"],
            row["version"],
            ", ".join(hook.removeprefix("register_") for hook in row["hooks"]) or "-",
            "; ".join(f"{kind}: {', '.join(ids)}" for kind, ids in row["registers"].items()) or "-",
            row["source"],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header) - 1)]
    lines = []
    for line in [header, *cells]:
        padded = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        lines.append("  ".join([*padded, line[-1]]))
    return lines


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def plugins_command(state: CliState, as_json: bool) -> None:
    """List the loaded plugins: version, source, hooks implemented, what each registers."""
    rows = describe_plugins(state)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo("No plugins loaded.")
    else:
        for line in _table(rows):
            click.echo(line.rstrip())
