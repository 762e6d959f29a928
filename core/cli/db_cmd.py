"""``tradewind db``: apply, revert and inspect schema migrations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from core import migrate
from core.cli import CliState, cli

T = TypeVar("T")


def run(step: Coroutine[Any, Any, T]) -> T:
    """Run one migration step; its errors become one line and exit status 2."""
    try:
        return asyncio.run(step)
    except migrate.MigrationError as exc:
        raise click.ClickException(str(exc)) from None


@cli.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def db_upgrade(state: CliState, revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    settings = state.settings()
    # A migration may warn about something the operator should do (e.g. pg_trgm).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run(migrate.upgrade(settings, revision))
    now = run(migrate.current(settings))
    where = settings.redacted()["database_url"]
    click.echo(f"database {where} is at revision {now}")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def db_downgrade(state: CliState, revision: str, yes: bool) -> None:
    """Migrate the database down to REVISION ("base" removes every table and its data)."""
    settings = state.settings()
    if not yes:
        click.confirm(
            f"Downgrade {settings.redacted()['database_url']} to {revision}? "
            "Data in removed tables and columns is lost",
            abort=True,
        )
    run(migrate.downgrade(settings, revision))
    now = run(migrate.current(settings)) or "base (no schema)"
    click.echo(f"database is at revision {now}")


@db_group.command("current")
@click.pass_obj
def db_current(state: CliState) -> None:
    """Print the database's revision and whether migrations are pending (exit 1 if so)."""
    status = run(migrate.schema_status(state.settings()))
    click.echo(f"current: {', '.join(status.current) or 'none'}")
    click.echo(f"head: {', '.join(status.heads)}")
    if not status.up_to_date:
        click.echo(status.message(), err=True)
        raise SystemExit(1)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option("--rev-id", default=None, help="Revision id (default: a random one).")
def db_revision(message: str, rev_id: str | None) -> None:
    """For developers: write a new revision from the differences models vs. migrations."""
    for path in run(migrate.autogenerate_revision(message, rev_id=rev_id)):
        click.echo(f"wrote {path}; read and tidy it before committing")
