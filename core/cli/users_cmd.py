"""``tradewind users``: help people who cannot sign in (there is no mail server)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core import migrate
from core.accounts import operator
from core.accounts.links import set_password_url
from core.cli import CliState, cli, fail
from core.config import Settings
from core.db import create_engine, session_factory
from core.errors import TradewindError

T = TypeVar("T")


def _run(settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    async def main() -> T:
        await migrate.ensure_schema_current(settings)
        engine = create_engine(settings.effective_database_url)
        try:
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except TradewindError as exc:
        fail(str(exc))
        raise  # not reached: fail() exits


@cli.group("users")
def users_group() -> None:
    """Help people with their sign-in."""


@users_group.command("reset-password")
@click.argument("email")
@click.option(
    "--set",
    "set_now",
    is_flag=True,
    help="Type a new password now instead of printing a one-time link.",
)
@click.pass_obj
def reset_password(state: CliState, email: str, set_now: bool) -> None:
    """Print a one-time set-password link for EMAIL (valid 3 days), or set a password.

    The link goes to the person, who chooses a new password with it. Their current password
    keeps working until then. With --set, the password is changed at once and every session
    of the person ends.
    """
    settings = state.settings()
    if set_now:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        _run(settings, lambda sessions: operator.set_password(sessions, email, password))
        click.echo(f"password of {email.strip().lower()} is set")
        return
    secret = settings.secret("secret_key")
    token = _run(settings, lambda sessions: operator.reset_link_token(sessions, secret, email))
    click.echo(set_password_url(settings.effective_public_base_url, token))
