"""Sync Wish into the real database (SQLite, or PostgreSQL when configured) from the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import CredentialCipher
from core.errors import AuthorizationExpired
from core.interfaces.common import CallContext
from core.interfaces.marketplace import AuthorizedStore, Credentials
from core.interfaces.orders import FulfilmentRequest
from core.models import (
    Account,
    ImageRole,
    Order,
    OrderLine,
    OrderState,
    Product,
    ProductImage,
    ProductState,
    Store,
    StoreStatus,
    SyncState,
    SyncStream,
    Variant,
)
from plugins.wish.client import WishMarketplace
from plugins.wish.mapping import format_ms, from_ms, time_ms
from plugins.wish.paging import Item, KeysetSpec, RangeCursor
from plugins.wish.paging import advance as advance_page
from plugins.wish.sandbox import SandboxClock
from plugins.wish.store_access import (
    refresh_store_credentials,
    store_credentials,
    write_credentials,
)
from plugins.wish.sync import SyncDeps, run_lanes, sync_orders, sync_products
from tests.plugins.wish.plugin_helpers import make_listing
from tests.plugins.wish.sandbox_helpers import admin

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def cipher() -> CredentialCipher:
    return CredentialCipher([Fernet.generate_key().decode()])


@pytest.fixture
def small_pages(wish_settings: Any) -> WishMarketplace:
    settings = wish_settings.model_copy(
        update={"order_page_size": 7, "product_page_size": 3, "sync_lanes": 3}
    )
    return WishMarketplace(settings)


@pytest.fixture
def deps(
    sessions: Sessions,
    client: httpx.AsyncClient,
    small_pages: WishMarketplace,
    cipher: CredentialCipher,
    clock: SandboxClock,
) -> SyncDeps:
    return SyncDeps(sessions, client, small_pages, cipher, now=lambda: from_ms(clock.now_ms()))


@pytest.fixture
async def store_id(
    sessions: Sessions, cipher: CredentialCipher, authorized: AuthorizedStore
) -> int:
    async with sessions() as session, session.begin():
        account = Account(name="seller")
        session.add(account)
        await session.flush()
        assert account.id is not None
        store = Store(
            account_id=account.id,
            platform="wish",
            platform_shop_id=authorized.identity.shop_id,
            name="Wish shop",
        )
        write_credentials(store, cipher, authorized.credentials)
        session.add(store)
        await session.flush()
        assert store.id is not None
        return store.id


async def generate(client: httpx.AsyncClient, merchant: dict[str, Any], count: int) -> list[str]:
    path = f"/sandbox/merchants/{merchant['id']}/orders/generate"
    data = await admin(client, "POST", path, json={"count": count, "released_within_s": 30})
    ids: list[str] = data["order_ids"]
    return ids


async def order_ids(sessions: Sessions, store_id: int) -> list[str]:
    async with sessions() as session:
        rows = await session.exec(select(Order.platform_order_id).where(Order.store_id == store_id))
        return list(rows)


async def test_orders_are_synced_exactly_once_with_lines_and_addresses(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
    clock: SandboxClock,
) -> None:
    expected: list[str] = []
    for count in (40, 3, 500, 1):  # 500 share one updated_at: far more than a page
        expected += await generate(client, merchant, count)
        newest = from_ms(clock.now_ms())
        advance(0.25)
    report = await sync_orders(deps, store_id)
    assert (report.pulled, report.created, report.updated) == (544, 544, 0)
    ids = await order_ids(sessions, store_id)
    assert sorted(ids) == sorted(expected) and len(set(ids)) == len(ids)
    async with sessions() as session:
        lines = (await session.exec(select(func.count()).select_from(OrderLine))).one()
        assert lines == 544
        order = (await session.exec(select(Order).where(Order.platform_order_id == ids[0]))).one()
        assert order.state is OrderState.TO_REVIEW and order.platform_state == "APPROVED"
        assert order.shipping_address["country_code"] == order.country_code
        assert order.total > 0 and order.platform_updated_at is not None
        state = (
            await session.exec(select(SyncState).where(SyncState.stream == SyncStream.ORDERS))
        ).one()
        assert state.watermark == report.watermark == newest
        assert state.lag_seconds == 0 and state.items_pulled == 544


async def test_incremental_sync_updates_changed_orders_and_adds_new_ones(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    credentials: Credentials,
    advance: Callable[[float], None],
) -> None:
    first = await generate(client, merchant, 20)
    await sync_orders(deps, store_id)
    advance(60)
    ctx = CallContext(http=client)
    shipping = FulfilmentRequest(
        carrier_code="USPS", tracking_number="9400111", origin_country="CN"
    )
    await deps.adapter.fulfil_order(ctx, credentials, first[0], shipping)
    await deps.adapter.cancel_order(ctx, credentials, first[1], reason="UNABLE_TO_SHIP")
    advance(6)
    newer = await generate(client, merchant, 5)
    report = await sync_orders(deps, store_id)
    assert report.created == 5 and report.updated == 2
    assert sorted(await order_ids(sessions, store_id)) == sorted(first + newer)
    async with sessions() as session:
        rows = await session.exec(select(Order).where(col(Order.platform_order_id).in_(first[:2])))
        states = {o.platform_order_id: (o.state, o.platform_state) for o in rows}
    assert states[first[0]] == (OrderState.SHIPPED, "SHIPPED")
    assert states[first[1]] == (OrderState.REFUNDED, "REFUNDED")
    again = await sync_orders(deps, store_id)
    assert (again.created, again.updated) == (0, 0)  # the overlap re-reads, writes nothing


async def test_concurrent_syncs_never_duplicate_an_order(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
) -> None:
    expected = await generate(client, merchant, 60)
    await asyncio.gather(sync_orders(deps, store_id), sync_orders(deps, store_id, full=True))
    ids = await order_ids(sessions, store_id)
    assert sorted(ids) == sorted(expected)


async def test_products_are_synced_in_their_states(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    client: httpx.AsyncClient,
    credentials: Credentials,
    advance: Callable[[float], None],
) -> None:
    ctx = CallContext(http=client)
    adapter = deps.adapter
    live = await adapter.publish_listing(ctx, credentials, make_listing("LIVE-1", 3))
    off = await adapter.publish_listing(ctx, credentials, make_listing("OFF-1", 2))
    await adapter.publish_listing(ctx, credentials, make_listing("BAD-1", 1, title="x [REJECT]"))
    advance(61)
    await adapter.publish_listing(ctx, credentials, make_listing("NEW-1", 1))
    await adapter.delist_listing(ctx, credentials, off.listing_id)
    async with sessions() as session, session.begin():
        store = await session.get(Store, store_id)
        assert store is not None
        session.add(
            Product(
                account_id=store.account_id,
                store_id=store_id,
                state=ProductState.PUBLISHING,
                parent_sku="LIVE-1",
                title="local title",
            )
        )
    report = await sync_products(deps, store_id)
    assert report.pulled == 4 and report.created == 3 and report.updated == 1
    async with sessions() as session:
        products = {p.parent_sku: p for p in await session.exec(select(Product))}
        assert len(products) == 4
        assert products["LIVE-1"].state is ProductState.PUBLISHED
        assert products["LIVE-1"].platform_product_id == live.listing_id
        assert products["LIVE-1"].title == "Ceramic mug LIVE-1"
        assert products["OFF-1"].state is ProductState.DELISTED
        assert products["BAD-1"].state is ProductState.PUBLISH_FAILED
        assert (products["BAD-1"].publish_error or "").startswith("Prohibited item")
        assert products["NEW-1"].state is ProductState.PUBLISHING
        variants = list(await session.exec(select(Variant).where(Variant.store_id == store_id)))
        assert len(variants) == 7 and all(v.platform_variant_id for v in variants)
        images = await session.exec(
            select(ProductImage)
            .where(ProductImage.product_id == products["OFF-1"].id)
            .order_by(col(ProductImage.position))
        )
        assert [(i.role, i.platform_url) for i in images] == [
            (ImageRole.MAIN, "https://img.example/OFF-1/main.jpg"),
            (ImageRole.EXTRA, "https://img.example/OFF-1/0.jpg"),
            (ImageRole.EXTRA, "https://img.example/OFF-1/1.jpg"),
        ]

    requests_before = adapter.transport.stats.requests
    again = await sync_products(deps, store_id)
    assert (again.created, again.updated) == (0, 0)
    assert adapter.transport.stats.requests - requests_before <= 3  # no product re-read


async def test_an_expired_token_is_refreshed_and_stored(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    cipher: CredentialCipher,
    credentials: Credentials,
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
) -> None:
    await generate(client, merchant, 2)
    advance(30 * 86_400 - 3600)  # within a day of expiry: refreshed before use
    report = await sync_orders(deps, store_id)
    assert report.created == 2
    async with sessions() as session:
        store = await session.get(Store, store_id)
        assert store is not None
        stored = store_credentials(store, cipher)
    assert stored.data["access_token"] != credentials.data["access_token"]
    assert store.status is StoreStatus.ACTIVE


async def test_a_refused_refresh_marks_the_store_for_reauthorization(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    cipher: CredentialCipher,
    credentials: Credentials,
    advance: Callable[[float], None],
) -> None:
    broken = Credentials({**credentials.data, "refresh_token": "revoked"})
    async with sessions() as session, session.begin():
        store = await session.get(Store, store_id)
        assert store is not None
        write_credentials(store, cipher, broken)
        session.add(store)
    advance(31 * 86_400)
    with pytest.raises(AuthorizationExpired):
        await sync_orders(deps, store_id)
    async with sessions() as session:
        store = await session.get(Store, store_id)
        assert store is not None and store.status is StoreStatus.NEEDS_REAUTH
        state = (await session.exec(select(SyncState))).one()
        assert state.consecutive_failures == 1 and state.last_error


async def test_two_workers_refresh_a_store_once(
    deps: SyncDeps, store_id: int, credentials: Credentials
) -> None:
    ctx = CallContext(http=deps.http)
    stale = credentials
    first, second = await asyncio.gather(
        refresh_store_credentials(deps.sessions, deps.adapter, ctx, deps.cipher, store_id, stale),
        refresh_store_credentials(deps.sessions, deps.adapter, ctx, deps.cipher, store_id, stale),
    )
    assert first.data["access_token"] == second.data["access_token"]
    assert (await deps.adapter.test_credentials(ctx, first)).shop_id


@pytest.mark.parametrize("lanes", [1, 4])
async def test_lanes_split_the_window_and_deliver_every_item_once(lanes: int) -> None:
    spec = KeysetSpec("updated_at", "released_at", 1, page_size=10, max_page_size=50)
    items = [
        {"id": f"{n:04d}", "updated_at": format_ms(n * 7), "released_at": format_ms(0)}
        for n in range(1000)
    ]
    inside = most = 0

    async def fetch(cursor: RangeCursor) -> tuple[list[Item], RangeCursor | None]:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.001)
        inside -= 1
        low, high = cursor.lo, cursor.hi if cursor.hi is not None else 10**9
        window = [i for i in items if low <= time_ms(i, "updated_at") <= high][: spec.page_size]
        return advance_page(spec, cursor, window)

    delivered: list[str] = []

    async def sink(page: list[Item]) -> None:
        delivered.extend(str(item["id"]) for item in page)

    await run_lanes([RangeCursor(lo=0, hi=7000)], fetch, sink, lanes)
    assert sorted(delivered) == [item["id"] for item in items]
    assert most == lanes


async def test_a_parent_sku_bound_to_another_listing_is_reported_not_duplicated(
    deps: SyncDeps,
    sessions: Sessions,
    store_id: int,
    client: httpx.AsyncClient,
    credentials: Credentials,
) -> None:
    ctx = CallContext(http=client)
    remote = await deps.adapter.publish_listing(ctx, credentials, make_listing("SAME-1", 1))
    async with sessions() as session, session.begin():
        store = await session.get(Store, store_id)
        assert store is not None
        session.add(
            Product(
                account_id=store.account_id,
                store_id=store_id,
                state=ProductState.DELISTED,
                parent_sku="SAME-1",
                platform_product_id="an-older-listing",
            )
        )
    report = await sync_products(deps, store_id)
    assert report.created == 0
    assert [key for key, _ in report.failed] == [remote.listing_id]
    async with sessions() as session:
        products = list(await session.exec(select(Product)))
    assert [p.platform_product_id for p in products] == ["an-older-listing"]
