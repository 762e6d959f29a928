"""Orders through the adapter against the in-process sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from core.errors import NotFound, PermanentError, TransientError
from core.interfaces.common import CallContext, iterate_pages
from core.interfaces.marketplace import Credentials
from core.interfaces.orders import (
    ActionStatus,
    FulfilmentRequest,
    OrderAction,
    OrderRecord,
    OrderStatus,
)
from plugins.wish.client import WishMarketplace
from plugins.wish.mapping import from_ms
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.sandbox_helpers import admin

START = from_ms(START_MS)


async def generate(
    client: httpx.AsyncClient, merchant: dict[str, Any], count: int, spread_s: float = 0
) -> list[str]:
    data = await admin(
        client,
        "POST",
        f"/sandbox/merchants/{merchant['id']}/orders/generate",
        json={"count": count, "released_within_s": spread_s},
    )
    ids: list[str] = data["order_ids"]
    return ids


async def all_orders(
    adapter: WishMarketplace, ctx: CallContext, credentials: Credentials, since: Any
) -> list[OrderRecord]:
    async def fetch(cursor: str | None) -> Any:
        return await adapter.list_orders(ctx, credentials, since=since, cursor=cursor)

    return [order async for order in iterate_pages(fetch)]


@pytest.mark.parametrize(("page_size", "spread_s"), [(1, 600), (7, 0), (50, 60), (500, 0)])
async def test_every_order_exactly_once_across_tie_groups(
    client: httpx.AsyncClient,
    wish_settings: Any,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
    page_size: int,
    spread_s: float,
) -> None:
    adapter = WishMarketplace(wish_settings.model_copy(update={"order_page_size": page_size}))
    expected: list[str] = []
    for batch in (12, 1, 30):
        expected += await generate(client, merchant, batch, spread_s)
        advance(0.001)
    seen = await all_orders(adapter, ctx, credentials, START - timedelta(days=1))
    ids = [order.order_id for order in seen]
    assert sorted(ids) == sorted(expected)
    assert len(ids) == len(set(ids))


async def test_a_full_page_sharing_both_times_is_read_from_both_ends(
    client: httpx.AsyncClient,
    wish_settings: Any,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
) -> None:
    # 500 orders of one batch share updated_at and released_at: exactly the largest page.
    adapter = WishMarketplace(wish_settings.model_copy(update={"order_page_size": 50}))
    expected = await generate(client, merchant, 500)
    seen = await all_orders(adapter, ctx, credentials, START - timedelta(minutes=1))
    assert sorted(o.order_id for o in seen) == sorted(expected)


async def test_list_orders_since_skips_older_changes(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
) -> None:
    await generate(client, merchant, 3)
    advance(120)
    newer = await generate(client, merchant, 2)
    seen = await all_orders(adapter, ctx, credentials, START + timedelta(seconds=60))
    assert sorted(o.order_id for o in seen) == sorted(newer)


async def test_order_record_shape(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
) -> None:
    (order_id,) = await generate(client, merchant, 1)
    order = await adapter.get_order(ctx, credentials, order_id)
    assert order.status is OrderStatus.TO_SHIP and order.platform_status == "APPROVED"
    assert order.created_at == START and order.updated_at == START
    (line,) = order.lines
    assert line.line_id == order_id and line.sku.startswith("SANDBOX-SKU-")
    assert order.total.amount == (line.unit_price.amount + line.shipping_price.amount) * (  # type: ignore[union-attr]
        line.quantity
    )
    assert order.shipping_address is not None and len(order.shipping_address.country_code) == 2
    assert order.ship_by == START + timedelta(days=5)
    with pytest.raises(NotFound):
        await adapter.get_order(ctx, credentials, "000000000000000000000000")


async def test_fulfil_normalises_tracking_and_settles(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
) -> None:
    (order_id,) = await generate(client, merchant, 1)
    request = FulfilmentRequest(
        carrier_code="yanwen", tracking_number="lk 434-266-003cn", origin_country="CN"
    )
    first = await adapter.fulfil_order(ctx, credentials, order_id, request)
    assert first.status is ActionStatus.PENDING
    pending = await adapter.check_order_action(ctx, credentials, order_id, OrderAction.FULFIL)
    assert pending.status is ActionStatus.PENDING
    sent_before = adapter.transport.stats.requests
    again = await adapter.fulfil_order(ctx, credentials, order_id, request)
    assert again.status is ActionStatus.PENDING
    advance(6)
    done = await adapter.check_order_action(ctx, credentials, order_id, OrderAction.FULFIL)
    assert done.status is ActionStatus.DONE
    order = await adapter.get_order(ctx, credentials, order_id)
    assert order.status is OrderStatus.SHIPPED
    assert [(t.tracking_number, t.carrier_name) for t in order.tracking] == [
        ("LK434266003CN", "YanWen")
    ]
    repeat = await adapter.fulfil_order(ctx, credentials, order_id, request)
    assert repeat.status is ActionStatus.DONE
    order = await adapter.get_order(ctx, credentials, order_id)
    assert len(order.tracking) == 1  # the repeat sent nothing
    assert adapter.transport.stats.requests - sent_before >= 4


async def test_failed_tracking_update_is_reported(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
) -> None:
    (order_id,) = await generate(client, merchant, 1)
    request = FulfilmentRequest(carrier_code="USPS", tracking_number="FAIL123", origin_country="CN")
    await adapter.fulfil_order(ctx, credentials, order_id, request)
    advance(6)
    result = await adapter.check_order_action(ctx, credentials, order_id, OrderAction.FULFIL)
    assert result.status is ActionStatus.FAILED and "tracking" in result.message


async def test_fulfil_refuses_unknown_carriers_and_bad_numbers(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
) -> None:
    (order_id,) = await generate(client, merchant, 1)
    carriers = await adapter.list_carriers(ctx, credentials)
    assert "YanWen" in [c.code for c in carriers]
    with pytest.raises(PermanentError) as carrier:
        await adapter.fulfil_order(
            ctx,
            credentials,
            order_id,
            FulfilmentRequest(
                carrier_code="Pony Express", tracking_number="A1", origin_country="CN"
            ),
        )
    assert carrier.value.field == "carrier_code"
    with pytest.raises(PermanentError) as number:
        await adapter.fulfil_order(
            ctx,
            credentials,
            order_id,
            FulfilmentRequest(carrier_code="USPS", tracking_number="A1#2", origin_country="CN"),
        )
    assert number.value.field == "tracking_number"


async def test_cancel_with_an_allowed_reason(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
) -> None:
    (order_id,) = await generate(client, merchant, 1)
    reasons = [r.code for r in await adapter.list_refund_reasons(ctx, credentials, order_id)]
    assert "MERCHANT_OUT_OF_STOCK" in reasons
    with pytest.raises(PermanentError) as wrong:
        await adapter.cancel_order(ctx, credentials, order_id, reason="ITEM_IS_DAMAGED")
    assert wrong.value.field == "reason" and "MERCHANT_OUT_OF_STOCK" in str(wrong.value)
    result = await adapter.cancel_order(
        ctx, credentials, order_id, reason="MERCHANT_OUT_OF_STOCK", note="sold out"
    )
    assert result.status is ActionStatus.PENDING
    advance(6)
    settled = await adapter.wait_for_order_action(
        ctx, credentials, order_id, OrderAction.CANCEL, interval_s=0
    )
    assert settled.status is ActionStatus.DONE
    order = await adapter.get_order(ctx, credentials, order_id)
    assert order.status is OrderStatus.REFUNDED
    again = await adapter.cancel_order(ctx, credentials, order_id, reason="MERCHANT_OUT_OF_STOCK")
    assert again.status is ActionStatus.DONE


async def test_another_update_in_progress_means_try_later(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    merchant: dict[str, Any],
) -> None:
    (order_id,) = await generate(client, merchant, 1)
    await adapter.cancel_order(ctx, credentials, order_id, reason="UNABLE_TO_SHIP")
    with pytest.raises(TransientError) as busy:
        await adapter.fulfil_order(
            ctx,
            credentials,
            order_id,
            FulfilmentRequest(carrier_code="USPS", tracking_number="A1", origin_country="CN"),
        )
    assert busy.value.retry_after is not None
