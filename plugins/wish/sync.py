"""Sync Wish: pull a store's orders and products into Tradewind (rule 14: a sync only pulls).

Each pull is incremental. Its window starts at the stream's watermark
(:class:`~core.models.SyncState`) minus an overlap (plugin settings), or ``initial_sync_days``
back on the first run, and ends one overlap after "now" (a Wish clock running ahead loses
nothing). The window is walked in ``updated_at`` order by keyset pages
(:mod:`plugins.wish.paging`); up to ``sync_lanes`` parts of it are walked in parallel: a lane
whose page comes back full hands the upper half of its remaining range to an idle lane. Pages
flow through a bounded queue to one writer, so memory stays flat and the database sees one
writer per sync. Writes are upserts keyed by Wish's ids (:mod:`.sync_orders_db`,
:mod:`.sync_products_db`), so the overlap and retries never duplicate anything.

After a complete run the watermark becomes the newest ``updated_at`` seen (Wish's own clock,
so clock skew between Tradewind and Wish cannot open a gap); a failed run leaves it where it
was and the next run covers the same window again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import CredentialCipher
from core.interfaces.common import CallContext
from core.interfaces.listings import ListingRecord
from core.interfaces.marketplace import Credentials
from core.models import Store, SyncState, SyncStream, utcnow
from plugins.wish.client import WishMarketplace
from plugins.wish.mapping import from_ms, listing_record, order_record, time_ms, to_ms
from plugins.wish.paging import Item, RangeCursor
from plugins.wish.store_access import load_store, with_fresh_credentials
from plugins.wish.sync_orders_db import OrderCounts, upsert_orders
from plugins.wish.sync_products_db import stale_listing_ids, upsert_listing

Fetch = Callable[[RangeCursor], Awaitable[tuple[list[Item], RangeCursor | None]]]
Sink = Callable[[list[Item]], Awaitable[None]]
_WRITE_BATCH = 200
"""Most items one writer transaction takes from pages that queued up meanwhile."""


@dataclass
class SyncDeps:
    """What a sync needs; jobs build it from their context, benchmarks and tests directly.

    Attributes:
        sessions: database sessions.
        http: the shared HTTP client.
        adapter: the Wish adapter.
        cipher: decrypts (and re-encrypts after a refresh) store credentials.
        locale: language of Wish's messages.
        now: the clock.
    """

    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    adapter: WishMarketplace
    cipher: CredentialCipher
    locale: str = "en"
    now: Callable[[], datetime] = utcnow


@dataclass
class SyncReport:
    """What one sync run did (kept as the job's result).

    ``failed`` holds ``(key, error)`` pairs: the Wish id of an item that was not written.
    """

    store_id: int
    stream: str
    since: datetime | None = None
    until: datetime | None = None
    pulled: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    watermark: datetime | None = None
    failed: list[tuple[str, str]] = field(default_factory=list)

    def count(self, counts: OrderCounts) -> None:
        """Add a page's upsert counts."""
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        data = asdict(self)
        for name in ("since", "until", "watermark"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        data["failed"] = [{"key": key, "error": error} for key, error in self.failed[:100]]
        return data


def _first_error(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


async def run_lanes(starts: Sequence[RangeCursor], fetch: Fetch, sink: Sink, lanes: int) -> None:
    """Walk the ``starts`` ranges with up to ``lanes`` parallel cursors; pages go to ``sink``."""
    pending: deque[RangeCursor] = deque(starts)
    busy = 0
    changed = asyncio.Condition()

    async def lane() -> None:
        nonlocal busy
        while True:
            async with changed:
                while not pending and busy:
                    await changed.wait()
                if not pending:
                    return
                cursor: RangeCursor | None = pending.popleft()
                busy += 1
            try:
                while cursor is not None:
                    items, cursor = await fetch(cursor)
                    if items:
                        await sink(items)
                    if cursor is not None and busy + len(pending) < lanes:
                        halves = cursor.split()
                        if halves is not None:
                            cursor = halves[0]
                            async with changed:
                                pending.append(halves[1])
                                changed.notify()
            finally:
                async with changed:
                    busy -= 1
                    changed.notify_all()

    async with asyncio.TaskGroup() as group:
        for _ in range(lanes):
            group.create_task(lane())


async def pipeline(starts: Sequence[RangeCursor], fetch: Fetch, write: Sink, lanes: int) -> None:
    """Fetch with :func:`run_lanes` into a bounded queue that one writer drains."""
    queue: asyncio.Queue[list[Item] | None] = asyncio.Queue(maxsize=2 * lanes)

    async def produce() -> None:
        await run_lanes(starts, fetch, queue.put, lanes)
        await queue.put(None)

    async def consume() -> None:
        done = False
        while not done:
            first = await queue.get()
            if first is None:
                return
            batch = list(first)
            # Pages that arrived meanwhile go into the same transaction.
            while len(batch) < _WRITE_BATCH and not queue.empty():
                more = queue.get_nowait()
                if more is None:
                    done = True
                    break
                batch.extend(more)
            await write(batch)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            group.create_task(consume())
    except BaseExceptionGroup as failed:
        raise _first_error(failed) from None


async def _sync_state(
    deps: SyncDeps, store: Store, stream: SyncStream, now: datetime
) -> tuple[int, datetime | None]:
    """The id and watermark of the store's sync state (created on first use)."""
    assert store.id is not None
    for _ in range(2):
        async with deps.sessions() as session:
            found = await session.exec(
                select(SyncState).where(SyncState.store_id == store.id, SyncState.stream == stream)
            )
            state = found.first()
            if state is None:
                state = SyncState(account_id=store.account_id, store_id=store.id, stream=stream)
                session.add(state)
            state.last_attempt_at = now
            try:
                await session.commit()
            except IntegrityError:  # created by a concurrent run: read it again
                continue
            assert state.id is not None
            return state.id, state.watermark
    raise RuntimeError("sync state could not be created")


async def _record_outcome(
    deps: SyncDeps,
    state_id: int,
    report: SyncReport | None,
    error: BaseException | None,
    now: datetime,
) -> None:
    async with deps.sessions() as session, session.begin():
        state = await session.get(SyncState, state_id)
        if state is None:
            return
        if error is not None or report is None:
            state.consecutive_failures += 1
            state.last_error = str(error)[:2000]
        else:
            state.watermark = report.watermark
            state.cursor = {}
            state.last_good_pull_at = now
            state.items_pulled += report.pulled
            state.consecutive_failures = 0
            state.last_error = None
            if report.watermark is not None:
                state.lag_seconds = max(0, int((now - report.watermark).total_seconds()))
        session.add(state)


async def _run(
    deps: SyncDeps,
    store_id: int,
    account_id: int | None,
    stream: SyncStream,
    overlap: timedelta,
    body: Callable[[Store, Credentials, SyncReport, list[RangeCursor]], Awaitable[None]],
    full: bool,
) -> SyncReport:
    now = deps.now()
    async with deps.sessions() as session:
        store = await load_store(session, store_id, account_id)
    state_id, watermark = await _sync_state(deps, store, stream, now)
    initial = now - timedelta(days=deps.adapter.settings.initial_sync_days)
    since = watermark - overlap if watermark is not None and not full else initial
    report = SyncReport(store_id, stream.value, since=since, until=now + overlap)

    async def work(credentials: Credentials) -> None:
        report.pulled = report.created = report.updated = report.unchanged = 0
        report.failed.clear()
        report.watermark = watermark
        # The part after "now" only matters when Wish's clock runs ahead: its own range.
        starts = [RangeCursor(lo=to_ms(since), hi=to_ms(now))]
        if overlap:
            starts.append(RangeCursor(lo=to_ms(now) + 1, hi=to_ms(now + overlap)))
        await body(store, credentials, report, starts)

    try:
        await with_fresh_credentials(
            deps.sessions,
            deps.adapter,
            _context(deps, store),
            deps.cipher,
            store_id,
            work,
            now=now,
        )
    except BaseException as error:
        await _record_outcome(deps, state_id, None, error, deps.now())
        raise
    await _record_outcome(deps, state_id, report, None, deps.now())
    return report


def _context(deps: SyncDeps, store: Store) -> CallContext:
    return CallContext(
        http=deps.http, account_id=store.account_id, store_id=store.id, locale=deps.locale
    )


def _seen(report: SyncReport, items: list[Item]) -> None:
    newest = from_ms(max(time_ms(item, "updated_at") for item in items))
    if report.watermark is None or newest > report.watermark:
        report.watermark = newest
    report.pulled += len(items)


async def sync_orders(
    deps: SyncDeps, store_id: int, *, account_id: int | None = None, full: bool = False
) -> SyncReport:
    """Pull the store's orders changed since the watermark (all of them with ``full``).

    Raises:
        AuthorizationExpired: Wish refused the store's token (the store is marked).
        NotFound: no such store (of ``account_id``).
    """
    adapter = deps.adapter

    async def body(
        store: Store, credentials: Credentials, report: SyncReport, starts: list[RangeCursor]
    ) -> None:
        ctx = _context(deps, store)

        async def fetch(cursor: RangeCursor) -> tuple[list[Item], RangeCursor | None]:
            return await adapter.list_orders_range(ctx, credentials, cursor)

        async def write(items: list[Item]) -> None:
            records = []
            for item in items:
                try:
                    records.append(order_record(item))
                except (KeyError, TypeError, ValueError) as exc:
                    report.failed.append((str(item.get("id")), f"unreadable order: {exc}"))
            async with deps.sessions() as session, session.begin():
                report.count(await upsert_orders(session, store, records, deps.now()))
            _seen(report, items)

        await pipeline(starts, fetch, write, adapter.settings.sync_lanes)

    return await _run(
        deps, store_id, account_id, SyncStream.ORDERS, adapter.order_sync_overlap, body, full
    )


async def sync_products(
    deps: SyncDeps, store_id: int, *, account_id: int | None = None, full: bool = False
) -> SyncReport:
    """Pull the store's listings changed since the watermark (all of them with ``full``).

    Only listings whose Wish ``updated_at`` differs from the one last synced are read in full
    (one ``GET`` each, concurrently within the store's rate budget).

    Raises:
        AuthorizationExpired: Wish refused the store's token (the store is marked).
        NotFound: no such store (of ``account_id``).
    """
    adapter = deps.adapter
    overlap = timedelta(minutes=adapter.settings.product_sync_overlap_minutes)

    async def body(
        store: Store, credentials: Credentials, report: SyncReport, starts: list[RangeCursor]
    ) -> None:
        ctx = _context(deps, store)
        assert store.id is not None
        store_id = store.id

        async def fetch(cursor: RangeCursor) -> tuple[list[Item], RangeCursor | None]:
            shallow, following = await adapter.list_products_range(ctx, credentials, cursor)
            if not shallow:
                return [], following
            async with deps.sessions() as session:
                records = [listing_record(item) for item in shallow]
                stale = set(await stale_listing_ids(session, store_id, records))
            full_records = await asyncio.gather(
                *(adapter.get_listing(ctx, credentials, pid) for pid in sorted(stale))
            )
            report.unchanged += len(shallow) - len(stale)
            _seen(report, shallow)
            return [{"record": record} for record in full_records], following

        async def write(items: list[Item]) -> None:
            async with deps.sessions() as session, session.begin():
                for item in items:
                    record: ListingRecord = item["record"]
                    outcome = await upsert_listing(session, store, record, deps.now())
                    if outcome.action == "created":
                        report.created += 1
                    elif outcome.action == "updated":
                        report.updated += 1
                    elif outcome.action == "unchanged":
                        report.unchanged += 1
                    report.failed.extend((record.listing_id, p) for p in outcome.problems)

        await pipeline(starts, fetch, write, adapter.settings.sync_lanes)

    return await _run(deps, store_id, account_id, SyncStream.PRODUCTS, overlap, body, full)
