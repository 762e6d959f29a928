"""Fresh, empty databases for migration tests (never the session database of conftest)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.config import load_settings
from core.db import create_engine

PG_URL = os.environ.get("TRADEWIND_TEST_DATABASE_URL")

BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
"""Backends the migration tests run on: SQLite always, PostgreSQL when configured."""


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def create_pg_database() -> str:
    """Create a new empty PostgreSQL database on the test server; return its URL."""
    assert PG_URL, "PostgreSQL backend requested without TRADEWIND_TEST_DATABASE_URL"
    server = load_settings(env={}, database_url=PG_URL).effective_database_url
    name = f"tw_mig_{uuid.uuid4().hex[:12]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database`."""
    name = make_url(url).database
    await _admin(
        make_url(url).set(database="postgres").render_as_string(hide_password=False),
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    )


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the URL of a new empty database on ``backend``; a PostgreSQL one is dropped after."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:8]}.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)
