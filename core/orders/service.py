"""Read orders and start a sync of a store's orders; platform-neutral.

A marketplace plugin that syncs orders registers a job named ``<platform>.sync_orders`` with
payload ``{"store_id": int}`` (the Wish plugin's ``wish.sync_orders``); :func:`sync_now` finds
it by that convention in the registry, so no core code names a platform.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.errors import NotFound, RuleViolation
from core.jobs.queue import JobQueue
from core.models import Order, OrderLine, OrderState, ShippingType, Store
from core.stores.service import load_store, require_active


def sync_job_name(platform: str) -> str:
    """The job that pulls a store's orders from ``platform`` (by convention)."""
    return f"{platform}.sync_orders"


class OrderLineOut(BaseModel):
    """One line of an order."""

    id: int
    platform_line_id: str
    sku: str
    name: str
    options: str
    quantity: int
    unit_price: Decimal
    shipping_price: Decimal
    currency: str
    variant_id: int | None
    image_url: str | None


class OrderSummary(BaseModel):
    """One row of the order list."""

    id: int
    store_id: int
    platform_order_id: str
    platform_state: str | None
    state: OrderState
    shipping_type: ShippingType | None
    buyer_name: str
    country_code: str | None
    currency: str
    total: Decimal
    ordered_at: datetime | None
    ship_by: datetime | None
    shipped_at: datetime | None
    updated_at: datetime


class OrderOut(OrderSummary):
    """An order with its lines, address and tracking."""

    shipping_address: dict[str, Any]
    subtotal: Decimal
    shipping_total: Decimal
    buyer_note: str | None
    tracking: list[dict[str, Any]]
    lines: list[OrderLineOut]


class OrderPage(BaseModel):
    """One page of orders, the total matching, and the counts per state."""

    items: list[OrderSummary]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]


def _summary(order: Order) -> dict[str, Any]:
    return {name: getattr(order, name) for name in OrderSummary.model_fields}


def _scope(actor: Actor) -> list[Any]:
    clauses: list[Any] = [col(Order.account_id) == actor.account_id]
    if actor.store_ids is not None:
        clauses.append(col(Order.store_id).in_(sorted(actor.store_ids)))
    return clauses


async def list_orders(
    session: AsyncSession,
    actor: Actor,
    *,
    state: OrderState | None = None,
    store_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> OrderPage:
    """Orders of the stores the actor may see, newest first."""
    actor.require(Area.ORDERS, Access.READ)
    clauses = _scope(actor)
    if store_id is not None:
        clauses.append(col(Order.store_id) == store_id)
    counted = await session.exec(
        select(col(Order.state), func.count()).where(*clauses).group_by(col(Order.state))
    )
    counts = dict.fromkeys((s.value for s in OrderState), 0)
    for found_state, count in counted.all():
        counts[OrderState(found_state).value] = int(count)
    if state is not None:
        clauses.append(col(Order.state) == state)
    page, per_page = max(page, 1), max(1, min(per_page, 200))
    rows = await session.exec(
        select(Order)
        .where(*clauses)
        .order_by(col(Order.ordered_at).desc(), col(Order.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    total = counts[state.value] if state is not None else sum(counts.values())
    return OrderPage(
        items=[OrderSummary(**_summary(order)) for order in rows.all()],
        total=total,
        page=page,
        per_page=per_page,
        counts=counts,
    )


async def load_order(
    session: AsyncSession, actor: Actor, order_id: int, *, for_update: bool = False
) -> Order:
    """The actor's order ``order_id``.

    Raises:
        NotFound: not the account's order, or in a store the actor may not see.
    """
    query = select(Order).where(col(Order.id) == order_id, *_scope(actor))
    if for_update:
        query = query.with_for_update()
    order = (await session.exec(query)).first()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order


async def get_order(session: AsyncSession, actor: Actor, order_id: int) -> OrderOut:
    """One order with lines and address."""
    actor.require(Area.ORDERS, Access.READ)
    order = await load_order(session, actor, order_id)
    lines = await session.exec(
        select(OrderLine).where(col(OrderLine.order_id) == order.id).order_by(col(OrderLine.id))
    )
    tracking = order.platform_data.get("tracking") if order.platform_data else None
    return OrderOut(
        **_summary(order),
        shipping_address=dict(order.shipping_address or {}),
        subtotal=order.subtotal,
        shipping_total=order.shipping_total,
        buyer_note=order.buyer_note,
        tracking=list(tracking or []),
        lines=[
            OrderLineOut(**{name: getattr(line, name) for name in OrderLineOut.model_fields})
            for line in lines.all()
        ],
    )


async def sync_now(
    sessions: async_sessionmaker[AsyncSession],
    queue: JobQueue,
    registry: Any,
    actor: Actor,
    store_id: int,
) -> int:
    """Queue the store's order sync (deduplicated while one is queued or running).

    Raises:
        NotFound: not the actor's store.
        RuleViolation: the store is deauthorized, or its plugin does not sync orders.
    """
    actor.require(Area.ORDERS, Access.WRITE)
    async with sessions() as session:
        store: Store = await load_store(session, actor, store_id)
    require_active(store)
    name = sync_job_name(store.platform)
    if name not in registry.jobs:
        raise RuleViolation(f"the {store.platform} plugin does not sync orders")
    return await queue.enqueue(
        name,
        {"store_id": store_id},
        account_id=actor.account_id,
        user_id=actor.user_id,
        dedup_key=f"{name}:{store_id}",
        title=f"Sync orders of {store.name}",
    )
