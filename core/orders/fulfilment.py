"""Declare an order shipped on its marketplace with a tracking number; platform-neutral.

Runs as the job ``orders.fulfil`` (registered by the built-in plugin ``orders``), payload::

    {"actor": ..., "order_id": int, "carrier_code": str, "tracking_number": str,
     "origin_country": "CN", "shipping_type": "offline" | "virtual"}

Idempotent: a retried job never sends the tracking number twice. Before sending, the order is
read back from the platform; when it already carries this tracking number, only the pending
action is followed up. Platforms that process fulfilment asynchronously answer ``PENDING``; the
action is polled with ``check_order_action`` until it settles (a still-pending action raises
``TransientError`` so the queue retries later, reading back first). Once the platform confirms,
the order moves to ``shipped`` with the given shipping type and a :class:`Shipment` row records
the tracking number.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from core.actor import Access, Actor, Area
from core.catalog.jobs import actor_from_payload
from core.crypto import CredentialCipher
from core.errors import PermanentError, RuleViolation, TransientError
from core.interfaces.common import CallContext
from core.interfaces.jobs import JobContext, JobDefinition
from core.interfaces.marketplace import Credentials, MarketplaceAdapter
from core.interfaces.orders import ActionResult, ActionStatus, FulfilmentRequest, OrderAction
from core.models import Order, OrderState, Shipment, ShipmentStatus, ShippingType, Store, utcnow
from core.orders.service import load_order
from core.stores.connector import StoresConnector
from core.stores.service import require_active

FULFIL_JOB = "orders.fulfil"
POLL_ATTEMPTS = 15
POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Fulfilment:
    """What the seller asked: the tracking to declare and how the order was shipped."""

    order_id: int
    request: FulfilmentRequest
    shipping_type: ShippingType

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Fulfilment:
        """Read it from a job payload."""
        shipping_type = ShippingType(payload.get("shipping_type") or ShippingType.OFFLINE)
        if shipping_type is ShippingType.ONLINE:
            raise PermanentError("online shipping goes through a carrier, not a tracking number")
        request = FulfilmentRequest(
            carrier_code=str(payload["carrier_code"]),
            tracking_number=str(payload["tracking_number"]),
            origin_country=str(payload.get("origin_country") or "CN").upper(),
            tracking_url=payload.get("tracking_url"),
        )
        return cls(int(payload["order_id"]), request, shipping_type)


def _same_tracking(left: str, right: str) -> bool:
    def norm(value: str) -> str:
        return "".join(value.split()).upper()

    return norm(left) == norm(right)


async def _poll(
    adapter: MarketplaceAdapter, call: CallContext, credentials: Credentials, order_id: str
) -> ActionResult:
    result = ActionResult(ActionStatus.PENDING)
    for attempt in range(POLL_ATTEMPTS):
        result = await adapter.check_order_action(call, credentials, order_id, OrderAction.FULFIL)
        if result.status is not ActionStatus.PENDING:
            return result
        if attempt + 1 < POLL_ATTEMPTS:
            await asyncio.sleep(POLL_INTERVAL_S)
    raise TransientError(
        "the platform is still processing the tracking number; it will be checked again",
        retry_after=30,
    )


async def fulfil_order(
    ctx: JobContext, actor: Actor, wanted: Fulfilment, connector: StoresConnector
) -> str:
    """Declare the order shipped (once); return what happened.

    Raises:
        NotFound: not the actor's order.
        RuleViolation: the order is cancelled or refunded, or shipped with other tracking.
        PermanentError: the platform refused the tracking.
        TransientError: the platform is unavailable or still processing.
    """
    actor.require(Area.ORDERS, Access.WRITE)
    async with ctx.sessions() as session:
        order = await load_order(session, actor, wanted.order_id)
        store = await session.get(Store, order.store_id)
        already = (
            await session.exec(
                select(Shipment).where(
                    col(Shipment.order_id) == order.id,
                    col(Shipment.status) == ShipmentStatus.CREATED,
                )
            )
        ).all()
    assert store is not None
    require_active(store)
    if order.state in (OrderState.CANCELLED, OrderState.REFUNDED):
        raise RuleViolation(f"order {order.platform_order_id} is {order.state.value}")
    tracking = wanted.request.tracking_number
    if any(s.tracking_number and _same_tracking(s.tracking_number, tracking) for s in already):
        return "already shipped with this tracking number"
    adapter, credentials = await connector.credentials(store)
    call = CallContext(http=ctx.http, account_id=store.account_id, store_id=store.id)
    record = await adapter.get_order(call, credentials, order.platform_order_id)
    if any(_same_tracking(t.tracking_number, tracking) for t in record.tracking):
        result = await _poll(adapter, call, credentials, order.platform_order_id)
    else:
        result = await adapter.fulfil_order(
            call, credentials, order.platform_order_id, wanted.request
        )
        if result.status is ActionStatus.PENDING:
            result = await _poll(adapter, call, credentials, order.platform_order_id)
    if result.status is ActionStatus.FAILED:
        raise PermanentError(result.message or "the platform refused the tracking number")
    await _mark_shipped(ctx, actor, wanted)
    return f"shipped with {tracking}"


async def _mark_shipped(ctx: JobContext, actor: Actor, wanted: Fulfilment) -> None:
    now = utcnow()
    request = wanted.request
    async with ctx.sessions() as session, session.begin():
        order: Order = await load_order(session, actor, wanted.order_id, for_update=True)
        order.previous_state = order.state if order.state is not OrderState.SHIPPED else None
        order.state = OrderState.SHIPPED
        order.shipping_type = wanted.shipping_type
        order.shipped_at = order.shipped_at or now
        order.platform_marked_shipped_at = now
        session.add(order)
        key = f"fulfil:{order.id}:{''.join(request.tracking_number.split()).upper()}"
        found = (
            await session.exec(select(Shipment).where(col(Shipment.idempotency_key) == key))
        ).first()
        if found is None:
            assert order.id is not None
            session.add(
                Shipment(
                    account_id=order.account_id,
                    order_id=order.id,
                    carrier=request.carrier_code,
                    shipping_type=wanted.shipping_type,
                    status=ShipmentStatus.CREATED,
                    idempotency_key=key,
                    tracking_number=request.tracking_number,
                    platform_marked_at=now,
                )
            )


async def fulfil_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Job ``orders.fulfil``: declare one order shipped with its tracking number."""
    actor = actor_from_payload(ctx, payload)
    wanted = Fulfilment.from_payload(payload)
    connector = StoresConnector(
        ctx.sessions,
        ctx.registry.marketplaces,
        ctx.http,
        CredentialCipher.from_settings(ctx.settings),
    )
    key = str(wanted.order_id)
    await ctx.set_total(1)
    message = await fulfil_order(ctx, actor, wanted, connector)
    await ctx.item_done(key, message)
    return {"order_id": wanted.order_id, "message": message}


ORDER_JOBS = (JobDefinition(FULFIL_JOB, fulfil_job, title="Ship an order with tracking"),)
