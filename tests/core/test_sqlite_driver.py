"""The SQLite adapter: one hop to the connection's thread per statement, same results.

These run on a SQLite file whatever database the rest of the run uses: the adapter is the
embedded default's and every SQLite test goes through it too.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_engine, session_factory
from core.sqlite_driver import OneHopConnection


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every call queued to an aiosqlite connection's thread, by the function's name."""
    seen: list[str] = []
    queue = aiosqlite.Connection._execute

    async def counted(
        self: aiosqlite.Connection, fn: object, *args: object, **kw: object
    ) -> object:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await queue(self, fn, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield seen


async def test_a_select_in_a_session_is_one_hop_and_needs_no_rollback(
    sqlite_engine: AsyncEngine, hops: list[str]
) -> None:
    async with sqlite_engine.begin() as conn:
        await conn.execute(text("INSERT INTO item (name) VALUES ('a'), ('b'), ('c')"))
    async with sqlite_engine.connect() as conn:  # the pool holds a connection now
        await conn.execute(text("SELECT 1"))
    hops.clear()
    async with session_factory(sqlite_engine)() as session:
        conn = await session.connection()
        rows = (await conn.execute(text("SELECT name FROM item ORDER BY id"))).all()
    assert [row.name for row in rows] == ["a", "b", "c"]
    # aiosqlite through SQLAlchemy's own adapter: cursor, execute, fetchall, close, rollback.
    assert hops == ["_run"]


async def test_writes_commit_and_report_rowcount_and_ids(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO item (name) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await conn.execute(
            text("INSERT INTO item (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
        )
        changed = await conn.execute(text("UPDATE item SET name = name || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        returned = await conn.execute(
            text("INSERT INTO item (name) VALUES ('d') RETURNING id, name")
        )
        assert returned.all() == [(4, "d")]
    async with sqlite_engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM item ORDER BY id"))).scalars().all()
    assert names == ["a", "b!", "c!", "d"]


async def test_a_failed_first_write_still_rolls_back(sqlite_engine: AsyncEngine) -> None:
    """The statement that fails may have opened the transaction: it must not stay open."""
    async with sqlite_engine.begin() as conn:
        await conn.execute(text("INSERT INTO item (name) VALUES ('taken')"))
    async with sqlite_engine.begin() as conn:  # a write that ended its transaction
        await conn.execute(text("DELETE FROM item WHERE name = 'nothing'"))
    for _ in range(3):  # the same pooled connection, again and again
        with pytest.raises(IntegrityError):
            async with sqlite_engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES ('taken')"))
    # No lock is left behind: another connection writes at once.
    database = sqlite_engine.url.database
    assert database is not None
    with contextlib.closing(sqlite3.connect(database, timeout=0.5)) as other, other:
        other.execute("INSERT INTO item (name) VALUES ('later')")
    async with sqlite_engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM item ORDER BY id"))).scalars().all()
    assert names == ["taken", "later"]


async def test_a_rolled_back_session_keeps_nothing(sqlite_engine: AsyncEngine) -> None:
    async with session_factory(sqlite_engine)() as session:
        await (await session.connection()).execute(text("INSERT INTO item (name) VALUES ('gone')"))
        await session.rollback()
        await (await session.connection()).execute(text("INSERT INTO item (name) VALUES ('kept')"))
        await session.commit()
    async with sqlite_engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM item"))).scalars().all()
    assert names == ["kept"]


async def test_streaming_still_reads_row_by_row(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO item (name) VALUES (:name)"),
            [{"name": f"n{n:04}"} for n in range(500)],
        )
    async with sqlite_engine.connect() as conn:
        result = await conn.stream(text("SELECT name FROM item ORDER BY id"))
        names = [row.name async for row in result]
    assert names == [f"n{n:04}" for n in range(500)]


async def test_the_engine_uses_the_one_hop_connection(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneHopConnection)
