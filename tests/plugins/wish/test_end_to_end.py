"""The whole Wish flow over real HTTP (uvicorn): authorize, publish, delist, relist, edit,
sync orders into the database, ship one with tracking, sync again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import CredentialCipher
from core.interfaces.common import CallContext
from core.interfaces.listings import ListingStatus
from core.interfaces.orders import ActionStatus, FulfilmentRequest, OrderAction
from core.models import (
    Account,
    Order,
    OrderLine,
    OrderState,
    Product,
    ProductState,
    Store,
    Variant,
)
from plugins.wish.client import WishMarketplace
from plugins.wish.mapping import from_ms
from plugins.wish.sandbox import SandboxApp, SandboxClock, running_server
from plugins.wish.store_access import write_credentials
from plugins.wish.sync import SyncDeps, sync_orders, sync_products
from tests.plugins.wish.plugin_helpers import authorize, make_listing, settings_for, usd
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin


async def test_a_store_from_authorization_to_shipped_orders(
    app: SandboxApp,
    clock: SandboxClock,
    advance: Callable[[float], None],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        oauth_app = await admin(http, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
        merchant: dict[str, Any] = await admin(http, "POST", "/sandbox/merchants", json={})
        adapter = WishMarketplace(settings_for(oauth_app, base_url))
        ctx = CallContext(http=http)

        store = await authorize(http, adapter, merchant["id"])
        credentials = store.credentials

        mug = await adapter.publish_listing(ctx, credentials, make_listing("E2E-MUG", 3))
        cup = await adapter.publish_listing(ctx, credentials, make_listing("E2E-CUP", 1))
        advance(61)  # Wish's review passes
        assert (await adapter.get_listing(ctx, credentials, mug.listing_id)).status is (
            ListingStatus.ACTIVE
        )
        await adapter.delist_listing(ctx, credentials, cup.listing_id)
        await adapter.relist_listing(ctx, credentials, cup.listing_id)
        await adapter.delist_listing(ctx, credentials, cup.listing_id)
        edited = make_listing("E2E-MUG", 3, title="Ceramic mug, blue glaze")
        edited = replace(
            edited, variants=(replace(edited.variants[0], price=usd("11.50")), *edited.variants[1:])
        )
        await adapter.update_listing(ctx, credentials, mug.listing_id, edited)

        generated = await admin(
            http, "POST", f"/sandbox/merchants/{merchant['id']}/orders/generate", json={"count": 6}
        )
        order_ids: list[str] = generated["order_ids"]

        cipher = CredentialCipher([Fernet.generate_key().decode()])
        async with sessions() as session, session.begin():
            account = Account(name="seller")
            session.add(account)
            await session.flush()
            assert account.id is not None
            row = Store(
                account_id=account.id,
                platform="wish",
                platform_shop_id=store.identity.shop_id,
                name="Wish shop",
            )
            write_credentials(row, cipher, credentials)
            session.add(row)
            await session.flush()
            assert row.id is not None
            store_id = row.id
        deps = SyncDeps(sessions, http, adapter, cipher, now=lambda: from_ms(clock.now_ms()))
        assert (await sync_products(deps, store_id)).created == 2
        assert (await sync_orders(deps, store_id)).created == 6

        shipped = order_ids[0]
        request = FulfilmentRequest(
            carrier_code="epacket", tracking_number="LK 434 266 003 CN", origin_country="CN"
        )
        assert (await adapter.fulfil_order(ctx, credentials, shipped, request)).status is (
            ActionStatus.PENDING
        )
        advance(6)  # Wish processes the tracking update
        done = await adapter.check_order_action(ctx, credentials, shipped, OrderAction.FULFIL)
        assert done.status is ActionStatus.DONE
        assert (await sync_orders(deps, store_id)).updated == 1

    async with sessions() as session:
        orders = {o.platform_order_id: o for o in await session.exec(select(Order))}
        products = {p.parent_sku: p for p in await session.exec(select(Product))}
        lines = list(await session.exec(select(OrderLine)))
        variants = {v.sku: v.id for v in await session.exec(select(Variant))}
    assert sorted(orders) == sorted(order_ids)
    assert orders[shipped].state is OrderState.SHIPPED
    assert orders[shipped].platform_data["tracking"] == [
        {"tracking_number": "LK434266003CN", "carrier": "EPacket"}
    ]
    assert all(o.state is OrderState.TO_REVIEW for k, o in orders.items() if k != shipped)
    assert products["E2E-MUG"].state is ProductState.PUBLISHED
    assert products["E2E-MUG"].title == "Ceramic mug, blue glaze"
    assert products["E2E-CUP"].state is ProductState.DELISTED
    # Orders come from the active mug; each line is matched to its synced variant by SKU.
    assert len(lines) == 6 and all(line.variant_id == variants[line.sku] for line in lines)
