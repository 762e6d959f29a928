"""Listings through the adapter against the in-process sandbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from core.errors import NotFound, PermanentError
from core.interfaces.common import CallContext, iterate_pages
from core.interfaces.listings import ListingStatus
from core.interfaces.marketplace import Credentials
from plugins.wish.client import WishMarketplace
from tests.plugins.wish.plugin_helpers import make_listing, usd
from tests.plugins.wish.sandbox_helpers import admin


async def wish_product(client: httpx.AsyncClient, credentials: Credentials, pid: str) -> Any:
    headers = {"Authorization": f"Bearer {credentials.data['access_token']}"}
    response = await client.get(f"/api/v3/products/{pid}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_publish_creates_the_product_with_its_variations(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials, client: httpx.AsyncClient
) -> None:
    listing = make_listing("MUG-1", variants=3)
    record = await adapter.publish_listing(ctx, credentials, listing)
    assert record.status is ListingStatus.UNDER_REVIEW
    assert record.platform_status == "WISH_INACTIVE"
    assert record.parent_sku == "MUG-1" and not record.partial
    assert [v.sku for v in record.variants] == ["MUG-1-0", "MUG-1-1", "MUG-1-2"]
    assert record.variants[1].price == usd("10.99")
    assert record.variants[2].quantity == 102
    assert record.variants[0].options == {"color": "color-0"}
    stored = await wish_product(client, credentials, record.listing_id)
    warehouse = credentials.data["warehouse_id"]
    assert stored["default_shipping_prices"] == [
        {
            "warehouse_id": warehouse,
            "default_shipping_price": {"amount": 2.5, "currency_code": "USD"},
        }
    ]
    assert stored["variations"][0]["options"] == [{"name": "COLOR", "value": "color-0"}]
    assert stored["variations"][0]["logistics_details"] == {"origin_country": "CN", "weight": 350}
    assert [i["url"] for i in stored["extra_images"]] == [
        f"https://img.example/MUG-1/{i}.jpg" for i in range(3)
    ]


async def test_review_then_delist_relist_and_get(
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    advance: Callable[[float], None],
) -> None:
    record = await adapter.publish_listing(ctx, credentials, make_listing("MUG-2"))
    advance(61)
    active = await adapter.get_listing(ctx, credentials, record.listing_id)
    assert active.status is ListingStatus.ACTIVE
    await adapter.delist_listing(ctx, credentials, record.listing_id)
    delisted = await adapter.get_listing(ctx, credentials, record.listing_id)
    assert (delisted.status, delisted.platform_status) == (
        ListingStatus.DELISTED,
        "MERCHANT_INACTIVE",
    )
    await adapter.delist_listing(ctx, credentials, record.listing_id)  # idempotent
    await adapter.relist_listing(ctx, credentials, record.listing_id)
    relisted = await adapter.get_listing(ctx, credentials, record.listing_id)
    assert relisted.status is ListingStatus.ACTIVE


async def test_rejected_review_carries_wishs_reason(
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    advance: Callable[[float], None],
) -> None:
    listing = make_listing("BAD-1", title="Branded bag [REJECT]")
    record = await adapter.publish_listing(ctx, credentials, listing)
    advance(61)
    rejected = await adapter.get_listing(ctx, credentials, record.listing_id)
    assert rejected.status is ListingStatus.REJECTED
    assert rejected.platform_status == "REMOVED_BY_WISH"
    assert rejected.status_reason.startswith("Prohibited item")
    assert all(not v.enabled for v in rejected.variants)


async def test_edit_updates_fields_and_disables_dropped_variants(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials, client: httpx.AsyncClient
) -> None:
    record = await adapter.publish_listing(ctx, credentials, make_listing("MUG-3", variants=3))
    original = make_listing("MUG-3", variants=3)
    first = replace(original.variants[0], price=usd("12.50"), quantity=7)
    edited = replace(
        original,
        title="Ceramic mug, large",
        tags=("mug", "large"),
        variants=(first, original.variants[1]),
    )
    updated = await adapter.update_listing(ctx, credentials, record.listing_id, edited)
    assert updated.title == "Ceramic mug, large"
    assert updated.tags == ("mug", "large")
    by_sku = {v.sku: v for v in updated.variants}
    assert by_sku["MUG-3-0"].price == usd("12.50") and by_sku["MUG-3-0"].quantity == 7
    assert by_sku["MUG-3-1"].enabled and not by_sku["MUG-3-2"].enabled
    stored = await wish_product(client, credentials, record.listing_id)
    assert stored["name"] == "Ceramic mug, large"


async def test_edit_cannot_add_a_variation(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials
) -> None:
    record = await adapter.publish_listing(ctx, credentials, make_listing("MUG-4", variants=2))
    bigger = make_listing("MUG-4", variants=3)
    with pytest.raises(PermanentError) as refused:
        await adapter.update_listing(ctx, credentials, record.listing_id, bigger)
    assert refused.value.field == "variants[2].remote_id"


async def test_find_by_parent_sku_and_not_found(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials
) -> None:
    assert await adapter.find_listing_by_sku(ctx, credentials, "NOPE") is None
    record = await adapter.publish_listing(ctx, credentials, make_listing("MUG-5"))
    found = await adapter.find_listing_by_sku(ctx, credentials, "MUG-5")
    assert found is not None and found.listing_id == record.listing_id and found.variants
    with pytest.raises(NotFound):
        await adapter.get_listing(ctx, credentials, "000000000000000000000000")
    with pytest.raises(NotFound):
        await adapter.delist_listing(ctx, credentials, "000000000000000000000000")


async def test_invalid_listing_is_refused_before_sending(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials
) -> None:
    requests_before = adapter.transport.stats.requests
    listing = make_listing("MUG-6", description="<b>bold</b> claims")
    with pytest.raises(PermanentError) as refused:
        await adapter.publish_listing(ctx, credentials, listing)
    assert refused.value.field == "description"
    assert adapter.transport.stats.requests == requests_before


async def test_wish_refusals_name_the_payload_field(
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
) -> None:
    await adapter.publish_listing(ctx, credentials, make_listing("MUG-7", variants=2))
    clash = make_listing("MUG-8", variants=2)
    clash = replace(clash, variants=(replace(clash.variants[0], sku="MUG-7-1"), clash.variants[1]))
    with pytest.raises(PermanentError) as refused:
        await adapter.publish_listing(ctx, credentials, clash)
    assert refused.value.code == "90001"
    assert refused.value.field == "variants[0].sku"
    with pytest.raises(PermanentError) as duplicate:
        await adapter.publish_listing(ctx, credentials, make_listing("MUG-7", variants=1))
    assert duplicate.value.field == "parent_sku"


async def test_wrong_currency_is_caught_from_the_store_profile(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials
) -> None:
    listing = make_listing("EUR-1", variants=1)
    euro = replace(listing.variants[0], price=replace(listing.variants[0].price, currency="EUR"))
    listing = replace(listing, variants=(euro,))
    with pytest.raises(PermanentError) as refused:
        await adapter.publish_listing(ctx, credentials, listing)
    assert refused.value.field == "variants[0].price"


@pytest.mark.parametrize("page_size", [1, 3, 100])
async def test_list_listings_pages_through_everything(
    client: httpx.AsyncClient,
    ctx: CallContext,
    credentials: Credentials,
    wish_settings: Any,
    advance: Callable[[float], None],
    page_size: int,
) -> None:
    adapter = WishMarketplace(wish_settings.model_copy(update={"product_page_size": page_size}))
    ids = []
    for index in range(7):
        record = await adapter.publish_listing(ctx, credentials, make_listing(f"P-{index}", 1))
        ids.append(record.listing_id)
        if index % 3 == 2:
            advance(0.001)  # groups of products share one updated_at millisecond

    async def fetch(cursor: str | None) -> Any:
        return await adapter.list_listings(ctx, credentials, cursor=cursor)

    seen = [record async for record in iterate_pages(fetch)]
    assert sorted(r.listing_id for r in seen) == sorted(ids)
    assert all(r.partial and not r.variants for r in seen)


async def test_list_listings_since_a_time(
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    advance: Callable[[float], None],
) -> None:
    await adapter.publish_listing(ctx, credentials, make_listing("OLD-1", 1))
    advance(10)
    newer = await adapter.publish_listing(ctx, credentials, make_listing("NEW-1", 1))
    assert newer.updated_at is not None
    page = await adapter.list_listings(
        ctx, credentials, cursor=None, updated_since=newer.updated_at
    )
    assert [r.parent_sku for r in page.items] == ["NEW-1"]


async def test_decimal_prices_round_trip(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials
) -> None:
    listing = make_listing("DEC-1", variants=1)
    cheap = replace(listing.variants[0], price=usd("0.10"))
    record = await adapter.publish_listing(ctx, credentials, replace(listing, variants=(cheap,)))
    assert record.variants[0].price is not None
    assert record.variants[0].price.amount == Decimal("0.1")


async def test_merchant_outside_china_needs_no_weight(
    client: httpx.AsyncClient, adapter: WishMarketplace, ctx: CallContext
) -> None:
    from tests.plugins.wish.plugin_helpers import authorize

    us = await admin(client, "POST", "/sandbox/merchants", json={"country_code": "US"})
    store = await authorize(client, adapter, us["id"])
    listing = make_listing("US-1", variants=1, platform_fields={"mainland_china": False})
    light = replace(listing.variants[0], weight_grams=None)
    listing = replace(listing, variants=(light,))
    assert adapter.validate_listing(listing) == []
    record = await adapter.publish_listing(ctx, store.credentials, listing)
    assert record.parent_sku == "US-1"
