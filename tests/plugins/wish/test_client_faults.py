"""Lost answers, timeouts, 5xx and dropped connections over real HTTP (uvicorn).

The fault script forces the outcome of the next faulted requests; the assertions look at what
the sandbox holds afterwards: a listing is never created twice, tracking is never declared
twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from core.errors import OutcomeUnknown, PermanentError, TransientError
from core.interfaces.common import CallContext
from core.interfaces.marketplace import AuthorizedStore
from core.interfaces.orders import ActionStatus, FulfilmentRequest, OrderAction
from plugins.wish.client import WishMarketplace
from plugins.wish.sandbox import SandboxApp, running_server
from tests.plugins.wish.plugin_helpers import authorize, fast_sleep, make_listing, settings_for
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin


@pytest.fixture
async def live(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield http


@pytest.fixture
async def live_adapter(live: httpx.AsyncClient) -> WishMarketplace:
    oauth_app = await admin(live, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
    settings = settings_for(oauth_app, str(live.base_url), request_timeout_seconds=0.5)
    return WishMarketplace(settings, sleep=fast_sleep)


@pytest.fixture
async def store(
    live: httpx.AsyncClient, live_adapter: WishMarketplace, merchant: dict[str, Any]
) -> AuthorizedStore:
    return await authorize(live, live_adapter, merchant["id"])


async def faults(http: httpx.AsyncClient, **knobs: Any) -> None:
    await admin(http, "PUT", "/sandbox/faults", json={"hang_s": 5, **knobs})


async def products_with(http: httpx.AsyncClient, store: AuthorizedStore, sku: str) -> int:
    headers = {"Authorization": f"Bearer {store.credentials.data['access_token']}"}
    listed = await http.get("/api/v3/products", headers=headers, params={"parent_sku": sku})
    return len(listed.json()["data"])


@pytest.mark.parametrize(
    ("script", "mode"),
    [
        (["lost"], "drop"),  # applied, connection dropped
        (["lost"], "hang"),  # applied, answer never comes (client timeout)
        (["timeout"], "drop"),  # not applied, client timeout
        (["error"], "drop"),  # not applied, 5xx
        (["drop"], "drop"),  # not applied, connection dropped
        (["lost", "lost"], "drop"),  # applied; the first look-up's answer lost as well
    ],
)
async def test_publish_creates_exactly_one_listing(
    live: httpx.AsyncClient,
    live_adapter: WishMarketplace,
    store: AuthorizedStore,
    script: list[str],
    mode: str,
) -> None:
    ctx = CallContext(http=live)
    await faults(live, script=script, lost_response_mode=mode)
    record = await live_adapter.publish_listing(ctx, store.credentials, make_listing("ONCE-1"))
    assert record.parent_sku == "ONCE-1" and len(record.variants) == 3
    assert await products_with(live, store, "ONCE-1") == 1
    assert live_adapter.transport.stats.requests > 1


async def test_publish_gives_up_as_outcome_unknown(
    live: httpx.AsyncClient, live_adapter: WishMarketplace, store: AuthorizedStore
) -> None:
    ctx = CallContext(http=live)
    await faults(live, error_share=1.0)
    with pytest.raises(OutcomeUnknown):
        await live_adapter.publish_listing(ctx, store.credentials, make_listing("NEVER-1"))
    # The create answered 5xx (outcome unknown) and the read-backs kept failing: the caller
    # learns that the outcome is unknown, so it reads back before trying again.
    await faults(live, reset=True)
    assert await products_with(live, store, "NEVER-1") == 0


async def test_a_retried_publish_adopts_its_own_earlier_listing(
    live: httpx.AsyncClient, live_adapter: WishMarketplace, store: AuthorizedStore
) -> None:
    ctx = CallContext(http=live)
    first = await live_adapter.publish_listing(ctx, store.credentials, make_listing("TWICE-1"))
    again = await live_adapter.publish_listing(ctx, store.credentials, make_listing("TWICE-1"))
    assert again.listing_id == first.listing_id
    other = make_listing("TWICE-1", variants=2)
    with pytest.raises(PermanentError) as taken:
        await live_adapter.publish_listing(ctx, store.credentials, other)
    assert taken.value.field == "parent_sku"
    assert await products_with(live, store, "TWICE-1") == 1


async def test_reads_are_retried_through_faults(
    live: httpx.AsyncClient, live_adapter: WishMarketplace, store: AuthorizedStore
) -> None:
    ctx = CallContext(http=live)
    await faults(live, script=["drop", "timeout", "error"])
    identity = await live_adapter.test_credentials(ctx, store.credentials)
    assert identity.shop_id == store.identity.shop_id
    stats = live_adapter.transport.stats
    assert (stats.server_errors, stats.timeouts) == (1, 1)
    assert stats.connection_errors >= 1


async def test_reads_give_up_after_the_configured_attempts(
    live: httpx.AsyncClient, live_adapter: WishMarketplace, store: AuthorizedStore
) -> None:
    ctx = CallContext(http=live)
    await faults(live, script=["error"] * 4)
    with pytest.raises(TransientError) as failed:
        await live_adapter.test_credentials(ctx, store.credentials)
    assert not isinstance(failed.value, OutcomeUnknown)
    assert "HTTP 5" in str(failed.value)


async def generate_one(http: httpx.AsyncClient, store: AuthorizedStore) -> str:
    merchant_id = store.identity.shop_id
    data = await admin(
        http, "POST", f"/sandbox/merchants/{merchant_id}/orders/generate", json={"count": 1}
    )
    order_id: str = data["order_ids"][0]
    return order_id


async def test_tracking_is_declared_once_when_its_answer_is_lost(
    live: httpx.AsyncClient,
    live_adapter: WishMarketplace,
    store: AuthorizedStore,
    advance: Callable[[float], None],
) -> None:
    ctx = CallContext(http=live)
    order_id = await generate_one(live, store)
    request = FulfilmentRequest(
        carrier_code="EPacket", tracking_number="LN156947362CN", origin_country="CN"
    )
    # carriers ok, order read ok, PUT applied but lost, then read back and harmless repeat
    await faults(live, script=["ok", "ok", "lost"])
    result = await live_adapter.fulfil_order(ctx, store.credentials, order_id, request)
    assert result.status is ActionStatus.PENDING
    advance(6)
    done = await live_adapter.check_order_action(
        ctx, store.credentials, order_id, OrderAction.FULFIL
    )
    assert done.status is ActionStatus.DONE
    order = await live_adapter.get_order(ctx, store.credentials, order_id)
    assert [t.tracking_number for t in order.tracking] == ["LN156947362CN"]


async def test_refund_is_sent_once_when_its_answer_is_lost(
    live: httpx.AsyncClient,
    live_adapter: WishMarketplace,
    store: AuthorizedStore,
    advance: Callable[[float], None],
) -> None:
    ctx = CallContext(http=live)
    order_id = await generate_one(live, store)
    # order read, reasons read, PUT applied but lost; the read-back shows the refund running
    await faults(live, script=["ok", "ok", "lost"])
    result = await live_adapter.cancel_order(
        ctx, store.credentials, order_id, reason="UNABLE_TO_SHIP"
    )
    assert result.status is ActionStatus.PENDING
    advance(6)
    order = await live_adapter.get_order(ctx, store.credentials, order_id)
    assert order.platform_status == "REFUNDED"
    assert len(order.platform_fields["refunds"]) == 1
