"""Shared fixtures: a real database and a real Redis for every test that needs them.

Database: SQLite files by default; PostgreSQL when ``TRADEWIND_TEST_DATABASE_URL`` is set (a
fresh database is created on that server for the session and dropped after it).
Redis: an embedded redis-server by default; the server at ``TRADEWIND_TEST_REDIS_URL`` when set
(each test gets its own queue name, so runs never see each other's jobs).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import core.models  # noqa: F401  (registers every table)
from core.config import Settings, load_settings
from core.db import create_engine, is_sqlite, session_factory
from core.embedded_redis import EmbeddedRedis

PG_URL = os.environ.get("TRADEWIND_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TRADEWIND_TEST_REDIS_URL")


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, or None on SQLite runs."""
    if not PG_URL:
        yield None
        return
    name = f"tw_test_{uuid.uuid4().hex[:12]}"
    url = load_settings(env={}, database_url=PG_URL).effective_database_url
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(url, name)
    finally:
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_schema_ready(pg_server_url: str | None) -> bool:
    """Create the tables once per session on PostgreSQL.

    The models declare the catalog's trigram indexes, so ``pg_trgm`` comes first, as the
    migration creates it in production (test_migrations checks both give the same schema).
    """
    if pg_server_url is None:
        return False

    async def create() -> None:
        engine = create_engine(pg_server_url)
        async with engine.begin() as conn:
            await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            await conn.run_sync(SQLModel.metadata.create_all)
        await engine.dispose()

    asyncio.run(create())
    return True


@pytest.fixture
def database_url(tmp_path: Path, pg_server_url: str | None, pg_schema_ready: bool) -> str:
    """URL of an empty database with every table: a SQLite file, or the session's PostgreSQL."""
    if pg_server_url is not None:
        return pg_server_url
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on ``database_url`` with the schema created (tests may use create_all)."""
    engine = create_engine(database_url)
    if is_sqlite(database_url):
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
    else:
        # DELETE, not TRUNCATE: on mostly empty tables it is far cheaper (TRUNCATE makes and
        # syncs new files for every table, every test). Children first, for the foreign keys.
        async with engine.begin() as conn:
            for table in reversed(SQLModel.metadata.sorted_tables):
                await conn.execute(table.delete())
            # Deleting products appended to the state tally (its triggers): empty it last.
            await conn.execute(SQLModel.metadata.tables["product_state_tally"].delete())
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory bound to the test engine."""
    return session_factory(engine)


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The external Redis when configured, else one embedded redis-server for the session."""
    if REDIS_URL:
        yield REDIS_URL
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def queue_name() -> str:
    """A queue name no other test uses."""
    return f"tw-test:{uuid.uuid4().hex}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_server_url: str, queue_name: str) -> Settings:
    """Settings for one test: its own data folder, the test database, Redis and queue."""
    return load_settings(
        env={},
        data_dir=tmp_path / "data",
        database_url=database_url,
        redis_url=redis_server_url,
        queue_name=queue_name,
        plugins=[],
    )
