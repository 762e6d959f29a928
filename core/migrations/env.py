"""Alembic environment for Tradewind's schema.

:mod:`core.migrate` opens the (async) engine and hands over a synchronous connection through
``config.attributes["connection"]`` inside ``AsyncConnection.run_sync``, already in a
transaction. Without one (a hand-written ``alembic.ini``), this module opens the async engine
itself from ``sqlalchemy.url``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection, make_url
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers every table on the metadata)
from core.db import create_engine
from core.migrate import migration_context_options

target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (``--sql``)."""
    url = context.config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **migration_context_options(make_url(url).get_backend_name() if url else ""),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_on(connection: Connection) -> None:
    """Run the migrations on a synchronous connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        **migration_context_options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_migrations_on)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Run on the connection core.migrate handed over, or on a new async engine."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations_on(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: run migrations with `tradewind db upgrade`")
    asyncio.run(_run_with_own_engine(url))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
