"""SQLite persistence of the sandbox (stdlib :mod:`sqlite3`).

One connection per sandbox, used only from the event loop's thread. Handlers never await
inside a transaction, so each request's reads and writes are atomic without further locking.
A restarted sandbox on the same file keeps its merchants, apps, tokens, products and orders.
Products and orders are stored as JSON documents next to the columns that lists filter and
sort on.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, country_code TEXT NOT NULL,
    currency TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS warehouses (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, name TEXT NOT NULL,
    shipping_type TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS warehouses_merchant ON warehouses (merchant_id);
CREATE TABLE IF NOT EXISTS apps (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    name TEXT NOT NULL, scopes TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS auth_codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, merchant_id TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL, redeemed_at_ms INTEGER);
CREATE TABLE IF NOT EXISTS grants (
    refresh_token TEXT PRIMARY KEY, client_id TEXT NOT NULL, merchant_id TEXT NOT NULL,
    scopes TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS access_tokens (
    token TEXT PRIMARY KEY, refresh_token TEXT NOT NULL, client_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens (client_id, merchant_id);
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, parent_sku TEXT NOT NULL,
    state TEXT NOT NULL, status TEXT NOT NULL, review_status TEXT NOT NULL,
    review_due_ms INTEGER, review_reason TEXT, enabled INTEGER NOT NULL,
    removed INTEGER NOT NULL, request_id TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL, doc TEXT NOT NULL, UNIQUE (merchant_id, parent_sku));
CREATE INDEX IF NOT EXISTS products_updated ON products (merchant_id, updated_at_ms, id);
CREATE INDEX IF NOT EXISTS products_created ON products (merchant_id, created_at_ms, id);
CREATE INDEX IF NOT EXISTS products_review ON products (review_due_ms);
CREATE TABLE IF NOT EXISTS skus (
    merchant_id TEXT NOT NULL, sku TEXT NOT NULL, product_id TEXT NOT NULL,
    variation_id TEXT NOT NULL, PRIMARY KEY (merchant_id, sku));
CREATE TABLE IF NOT EXISTS product_requests (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, product_id TEXT NOT NULL,
    status TEXT NOT NULL, blocking_reason TEXT, created_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS product_requests_product ON product_requests (product_id);
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, state TEXT NOT NULL,
    released_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
    expected_ship_ms INTEGER NOT NULL, order_types TEXT NOT NULL,
    pending_due_ms INTEGER, pending TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_updated ON orders (merchant_id, updated_at_ms, id);
CREATE INDEX IF NOT EXISTS orders_released ON orders (merchant_id, released_at_ms, id);
CREATE INDEX IF NOT EXISTS orders_pending ON orders (pending_due_ms);
CREATE INDEX IF NOT EXISTS orders_ship_by ON orders (state, expected_ship_ms);
"""

_COUNTER_BLOCK = 65536


def dumps(value: Any) -> str:
    """Serialise a JSON document for storage."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    """Deserialise a stored JSON document."""
    return json.loads(text)


class SandboxStore:
    """The sandbox's database.

    Args:
        path: the SQLite file (created if missing); ":memory:" for a throw-away store.
        seed: seeds the machine part of generated object ids.
    """

    def __init__(self, path: str | Path, *, seed: int = 0) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._machine = random.Random(f"wish-sandbox-machine:{seed}").getrandbits(40)
        self._counter = 0
        self._counter_limit = 0
        self._depth = 0
        self._reserve_counters()

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the enclosed statements atomically (nested uses join the outer transaction)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        return self._conn.execute(sql, params).rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Return every row of a query."""
        return self._conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Return the first row of a query, or None."""
        found: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return found

    def new_object_id(self, now_ms: int) -> str:
        """Return a new BSON-ObjectId-like id (24 hex digits, increasing in creation order)."""
        if self._counter >= self._counter_limit:
            self._reserve_counters()
        self._counter += 1
        seconds = (now_ms // 1000) & 0xFFFFFFFF
        return f"{seconds:08x}{self._machine:010x}{self._counter & 0xFFFFFF:06x}"

    def _reserve_counters(self) -> None:
        # Counters are reserved in blocks and the block end persisted, so ids stay unique
        # across restarts without a write per id.
        found = self.row("SELECT value FROM meta WHERE key = 'id_counter'")
        start = int(found["value"]) if found else 0
        end = start + _COUNTER_BLOCK
        self.execute(
            "INSERT INTO meta (key, value) VALUES ('id_counter', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(end),),
        )
        self._counter, self._counter_limit = start, end

    def merchant(self, merchant_id: str) -> sqlite3.Row | None:
        """Return a merchant row."""
        return self.row("SELECT * FROM merchants WHERE id = ?", (merchant_id,))

    def warehouses(self, merchant_id: str) -> list[dict[str, Any]]:
        """Return a merchant's warehouses as Wish ``WarehouseResponse`` objects."""
        rows = self.rows(
            "SELECT doc FROM warehouses WHERE merchant_id = ? ORDER BY id", (merchant_id,)
        )
        return [loads(row["doc"]) for row in rows]
