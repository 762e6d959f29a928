"""The state-tab counts, kept by the database instead of counted on every page.

Counting an account's products per state reads every one of them (about 7 ms at 100,000
products on SQLite, every time the list is shown). Instead, triggers on ``product`` append a
``+1`` row to ``product_state_tally`` for every product inserted, a ``-1`` row for every one
deleted, and one of each when a product changes account, store or state. Whoever writes
(the ORM, bulk statements, raw SQL, a migration), the sum of the deltas per (store, state) is
the number of products there. Rows are only ever appended by writers, so no writer waits for
another's lock; the reader folds an account's rows into one per (store, state) when more than
:data:`FOLD_AFTER` have piled up (after an import, say).

The triggers are created by the migrations and, for ``metadata.create_all`` (tests, tools),
by the ``after_create`` listener of :mod:`core.models.catalog_triggers`. **A migration that rebuilds
the product table** (SQLite ``batch_alter_table`` copies the table and drops its triggers)
must create them again with :func:`trigger_statements`; ``tests/core/catalog/
test_tally.py`` checks that a migrated database has them.

Counts from here answer the filters the tally knows (state, store, platform, the stores a
staff member may see); any other filter (search, category, price, dates, problems) is
counted on the products by :func:`core.catalog.listing_query.count_by_state`.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, func, insert, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.models.catalog import ProductState, ProductStateTally
from core.models.catalog_triggers import REBUILD_STATEMENTS, TRIGGER_NAMES, trigger_statements
from core.models.stores import Store

FOLD_AFTER = 256
"""Fold an account's tally rows when a count reads more than this many."""

__all__ = [
    "FOLD_AFTER",
    "REBUILD_STATEMENTS",
    "TRIGGER_NAMES",
    "fold",
    "fold_after_bulk_write",
    "state_counts",
    "trigger_statements",
]


async def state_counts(
    session: AsyncSession,
    actor: Actor,
    *,
    store_id: int | None = None,
    platform: str | None = None,
) -> dict[ProductState, int]:
    """How many products of the actor's visible ones each state holds.

    Args:
        session: the caller's session.
        actor: who asks (account, and the stores a staff member may see).
        store_id: only this store.
        platform: only stores of this platform.
    """
    tally = ProductStateTally
    clauses = [col(tally.account_id) == actor.account_id]
    if actor.store_ids is not None:
        visible = sorted(actor.store_ids)
        clauses.append(or_(col(tally.store_id).is_(None), col(tally.store_id).in_(visible)))
    if store_id is not None:
        clauses.append(col(tally.store_id) == store_id)
    if platform:
        clauses.append(
            col(tally.store_id).in_(
                sa_select(col(Store.id)).where(
                    col(Store.account_id) == actor.account_id, col(Store.platform) == platform
                )
            )
        )
    connection = await session.connection()
    rows = (
        await connection.execute(
            sa_select(col(tally.state), func.sum(tally.delta), func.count())
            .where(*clauses)
            .group_by(col(tally.state))
        )
    ).all()
    counts = dict.fromkeys(ProductState, 0)
    piled = 0
    for state, total, row_count in rows:
        piled += int(row_count)
        if state in counts:
            counts[ProductState(state)] = int(total or 0)
    if piled > FOLD_AFTER and isinstance(session.bind, AsyncEngine):
        await _fold_once(session.bind, actor.account_id)
    return counts


_folding: set[int] = set()


async def _fold_once(engine: AsyncEngine, account_id: int) -> None:
    """Fold unless this process is folding the account already.

    Without this, 32 pages shown at once after an import would all fold, one after another,
    for nothing.
    """
    if account_id in _folding:
        return
    _folding.add(account_id)
    try:
        await fold(engine, account_id)
    finally:
        _folding.discard(account_id)


async def fold(engine: AsyncEngine, account_id: int) -> int:
    """Replace the account's tally rows by one per (store, state); returns rows removed.

    Runs in its own transaction. Rows appended meanwhile by other transactions are not
    seen by the ``DELETE`` and stay as they are, so nothing is counted twice or lost; two
    folds at once leave the same sums.
    """
    async with engine.begin() as connection:
        return await _fold_on(connection, account_id)


async def fold_after_bulk_write(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    """Fold in a transaction of its own, after a job appended many rows (an import)."""
    async with sessions() as session, session.begin():
        return await _fold_on(await session.connection(), account_id)


async def _fold_on(connection: AsyncConnection, account_id: int) -> int:
    tally = ProductStateTally
    removed = (
        await connection.execute(
            delete(tally)
            .where(col(tally.account_id) == account_id)
            .returning(col(tally.store_id), col(tally.state), col(tally.delta))
        )
    ).all()
    totals: Counter[tuple[int | None, str]] = Counter()
    for store_id, state, delta in removed:
        totals[(store_id, state)] += int(delta)
    kept = [
        {"account_id": account_id, "store_id": store, "state": state, "delta": total}
        for (store, state), total in sorted(totals.items(), key=lambda item: repr(item[0]))
        if total != 0
    ]
    if kept:
        await connection.execute(insert(tally), kept)
    return len(removed)
