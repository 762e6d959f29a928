"""SQLite under asyncio with one thread hop per statement.

aiosqlite runs each SQLite connection in its own thread, and SQLAlchemy's adapter for it
awaits that thread four times per statement (open a cursor, execute, fetch, close) and once
more for every commit or rollback, even of a connection that never began a transaction.
Every hop comes back through the event loop, so while the loop renders another request's
page each hop waits for it: a page of eight queries made about forty hops and, under a few
dozen clients, some pages waited on the loop ten or twenty times over.

This adapter runs the whole statement (cursor, execute, fetch every row, close) as one call in
the connection's thread and skips commits and rollbacks when SQLite reports no open
transaction. The rows, the description, ``rowcount`` and ``lastrowid`` are read in that call
and served from memory afterwards, exactly as SQLAlchemy's adapter serves buffered rows.
Server-side cursors (``stream``) keep aiosqlite's cursor and its hops.

The adapter uses two internals of aiosqlite 0.22 (``Connection._execute`` and ``_conn``), as
SQLAlchemy's own adapter does; the lock file pins the version and every test on SQLite goes
through this path.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


class _Outcome:
    """What SQLAlchemy reads of a DB-API cursor after a statement ran."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(
        self,
        description: Any = None,
        rowcount: int = -1,
        lastrowid: int | None = None,
    ) -> None:
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.arraysize = 1

    def close(self) -> None:
        """Nothing to release: the real cursor closed in the connection's thread."""


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Outcome, list[Any], bool]:
    """Run one statement in the connection's thread; return its outcome, rows, transaction."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        outcome = _Outcome(cursor.description, cursor.rowcount, cursor.lastrowid)
        return outcome, rows, connection.in_transaction
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement costs one hop to the connection's thread."""

    __slots__ = ()
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: OneHopConnection) -> None:
        # No cursor is opened here: the statement opens and closes its own in one hop.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _Outcome()  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._hop(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._hop(operation, seq_of_parameters, many=True)

    async def _hop(self, operation: str, parameters: Any, *, many: bool) -> None:
        adapt = self._adapt_connection
        assert isinstance(adapt, OneHopConnection)
        async with adapt._execute_mutex:
            # Until the statement reports back, assume it may have opened a transaction, so
            # that a failed statement is still rolled back.
            adapt._in_transaction = True
            connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
            outcome, rows, adapt._in_transaction = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
        self._cursor = outcome
        self._rows = deque(rows)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's connection with :class:`OneHopCursor` and no idle commits or rollbacks."""

    __slots__ = ("_in_transaction",)
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        # Unknown at first (the connect hook's pragmas run through the cursor and set it).
        self._in_transaction = True

    def rollback(self) -> None:
        """Roll back, unless SQLite has no transaction open (then there is nothing to undo)."""
        if self._in_transaction:
            super().rollback()
            self._in_transaction = False

    def commit(self) -> None:
        """Commit, unless SQLite has no transaction open (then there is nothing to write)."""
        if self._in_transaction:
            super().commit()
            self._in_transaction = False


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy's aiosqlite dialect uses, making one-hop connections."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        """Open an aiosqlite connection (arguments as ``sqlite3.connect``) and adapt it."""
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter: never block interpreter exit
        return OneHopConnection(self, await_(connection))


def dbapi() -> OneHopDBAPI:
    """The module to pass as ``module=`` to ``create_async_engine`` for a SQLite URL."""
    return OneHopDBAPI(aiosqlite, sqlite3)
