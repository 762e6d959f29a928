"""Orders pulled from Wish, written into Tradewind's tables (upserts, never duplicates).

Written directly against :class:`~core.models.Order` and :class:`~core.models.OrderLine` until
the core order service exists; :func:`upsert_orders` is the one entry point to re-point.

- A new order is inserted with ``INSERT ... ON CONFLICT (store_id, platform_order_id) DO
  NOTHING``, so two syncs racing on one store can never create it twice; its line follows.
- A known order is updated only when Wish's ``updated_at`` is newer than the one stored (the
  overlap of incremental syncs re-reads orders without writing them).
- Tradewind's flow state is set from Wish's state on insert, and moved on update only where
  Wish's change decides it (refunded, cancelled, shipped outside Tradewind, held for review and
  released again); the rules are in :func:`initial_state` and :func:`next_state`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.interfaces.orders import OrderRecord, OrderStatus
from core.models import Order, OrderLine, OrderState, StockStatus, Store, Variant

HOLD_REASON = "Wish is reviewing this order (REQUIRE_REVIEW); do not ship it yet."
_BEFORE_SHIPPING = frozenset(
    {
        OrderState.TO_REVIEW,
        OrderState.PENDING,
        OrderState.REQUESTING_TRACKING,
        OrderState.TO_PRINT,
        OrderState.EXCEPTION,
    }
)


@dataclass
class OrderCounts:
    """What one upsert did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: OrderCounts) -> None:
        """Add another page's counts."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def initial_state(record: OrderRecord) -> tuple[OrderState, str | None]:
    """Tradewind's state for an order seen for the first time, and an exception reason."""
    if record.fulfilled_by_platform:
        return OrderState.IGNORED, None
    states = {
        OrderStatus.SHIPPED: OrderState.SHIPPED,
        OrderStatus.COMPLETED: OrderState.SHIPPED,
        OrderStatus.REFUNDED: OrderState.REFUNDED,
        OrderStatus.CANCELLED: OrderState.CANCELLED,
    }
    if record.status is OrderStatus.ON_HOLD:
        return OrderState.EXCEPTION, HOLD_REASON
    return states.get(record.status, OrderState.TO_REVIEW), None


def next_state(
    current: OrderState, exception_reason: str | None, record: OrderRecord
) -> OrderState | None:
    """The state a known order moves to after Wish's change, or ``None`` to keep it."""
    if record.status is OrderStatus.REFUNDED and current is not OrderState.REFUNDED:
        return OrderState.REFUNDED
    if record.status is OrderStatus.CANCELLED and current is not OrderState.CANCELLED:
        return OrderState.CANCELLED
    if record.status is OrderStatus.SHIPPED and current in _BEFORE_SHIPPING:
        return OrderState.SHIPPED
    if record.status is OrderStatus.ON_HOLD and current in (
        OrderState.TO_REVIEW,
        OrderState.PENDING,
    ):
        return OrderState.EXCEPTION
    released = current is OrderState.EXCEPTION and exception_reason == HOLD_REASON
    if record.status is OrderStatus.TO_SHIP and released:
        return OrderState.TO_REVIEW
    return None


def _address(record: OrderRecord) -> dict[str, Any]:
    address = record.shipping_address
    if address is None:
        return {}
    return {
        "name": address.name,
        "street1": address.street1,
        "street2": address.street2,
        "street3": address.street3,
        "city": address.city,
        "state": address.state,
        "zipcode": address.postal_code,
        "country_code": address.country_code,
        "phone": address.phone,
        "email": address.email,
    }


def _platform_fields(record: OrderRecord) -> dict[str, Any]:
    tracking = [
        {"tracking_number": t.tracking_number, "carrier": t.carrier_name} for t in record.tracking
    ]
    return {**dict(record.platform_fields), "tracking": tracking}


def order_values(record: OrderRecord, now: datetime) -> dict[str, Any]:
    """The columns Wish's record decides (on insert and on update)."""
    line = record.lines[0]
    subtotal = sum((ln.unit_price.amount * ln.quantity for ln in record.lines), Decimal(0))
    shipping = sum(
        ((ln.shipping_price.amount if ln.shipping_price else Decimal(0)) * ln.quantity)
        for ln in record.lines
    )
    address = record.shipping_address
    return {
        "platform_state": record.platform_status,
        "buyer_name": address.name[:200] if address else "",
        "country_code": address.country_code if address else None,
        "shipping_address": _address(record),
        "currency": line.unit_price.currency,
        "subtotal": subtotal,
        "shipping_total": shipping,
        "total": record.total.amount,
        "buyer_note": record.buyer_note or None,
        "platform_data": _platform_fields(record),
        "ordered_at": record.created_at,
        "paid_at": record.paid_at,
        "platform_updated_at": record.updated_at,
        "ship_by": record.ship_by,
        "last_synced_at": now,
    }


def _line_values(record: OrderRecord, variant_ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "platform_line_id": line.line_id,
            "platform_product_id": line.listing_id,
            "platform_variant_id": line.variant_id,
            "sku": line.sku[:100],
            "variant_id": variant_ids.get(line.sku),
            "name": line.title[:500],
            "options": ", ".join(f"{k}: {v}" for k, v in line.options.items())[:200],
            "image_url": line.image_url,
            "quantity": max(1, line.quantity),
            "unit_price": line.unit_price.amount,
            "shipping_price": line.shipping_price.amount if line.shipping_price else Decimal(0),
            "currency": line.unit_price.currency,
        }
        for line in record.lines
    ]


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


async def _variant_ids(
    session: AsyncSession, store_id: int, records: Sequence[OrderRecord]
) -> dict[str, int]:
    skus = {line.sku for record in records for line in record.lines if line.sku}
    if not skus:
        return {}
    rows = await session.exec(
        select(Variant.sku, Variant.id).where(
            Variant.store_id == store_id, col(Variant.sku).in_(skus)
        )
    )
    return {sku: variant_id for sku, variant_id in rows if variant_id is not None}


async def upsert_orders(
    session: AsyncSession, store: Store, records: Sequence[OrderRecord], now: datetime
) -> OrderCounts:
    """Insert new orders (with lines) and update changed ones, in the caller's transaction."""
    counts = OrderCounts()
    latest: dict[str, OrderRecord] = {}
    for record in records:
        seen = latest.get(record.order_id)
        if seen is None or record.updated_at > seen.updated_at:
            latest[record.order_id] = record
    if not latest:
        return counts
    assert store.id is not None
    rows = await session.exec(
        select(Order).where(Order.store_id == store.id, col(Order.platform_order_id).in_(latest))
    )
    known = {order.platform_order_id: order for order in rows}
    variant_ids = await _variant_ids(session, store.id, list(latest.values()))
    fresh = [r for r in latest.values() if r.order_id not in known]
    counts.created = await _insert_orders(session, store, fresh, variant_ids, now)
    for platform_id, order in known.items():
        record = latest[platform_id]
        if order.platform_updated_at is not None and order.platform_updated_at >= record.updated_at:
            counts.unchanged += 1
            continue
        await _update_order(session, order, record, variant_ids, now)
        counts.updated += 1
    return counts


async def _insert_orders(
    session: AsyncSession,
    store: Store,
    records: Sequence[OrderRecord],
    variant_ids: dict[str, int],
    now: datetime,
) -> int:
    if not records:
        return 0
    order_table: Table = Order.__table__  # type: ignore[attr-defined]
    values = []
    for record in records:
        state, reason = initial_state(record)
        values.append(
            {
                **order_values(record, now),
                "account_id": store.account_id,
                "store_id": store.id,
                "platform_order_id": record.order_id,
                "state": state,
                "exception_reason": reason,
                "stock_status": StockStatus.UNCHECKED,
                "platform_marked_shipped_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    statement = (
        _insert(session, order_table)
        .on_conflict_do_nothing(index_elements=["store_id", "platform_order_id"])
        .returning(order_table.c.id, order_table.c.platform_order_id)
    )
    inserted = {pid: oid for oid, pid in (await session.exec(statement, params=values)).all()}
    if not inserted:
        return 0
    line_rows = [
        {**line, "account_id": store.account_id, "order_id": inserted[record.order_id]}
        for record in records
        if record.order_id in inserted
        for line in _line_values(record, variant_ids)
    ]
    line_table: Table = OrderLine.__table__  # type: ignore[attr-defined]
    await session.exec(_insert(session, line_table), params=line_rows)
    return len(inserted)


async def _update_order(
    session: AsyncSession,
    order: Order,
    record: OrderRecord,
    variant_ids: dict[str, int],
    now: datetime,
) -> None:
    order_id, current, reason = order.id, order.state, order.exception_reason
    values = order_values(record, now)
    moved = next_state(current, reason, record)
    if moved is not None:
        values["state"] = moved
        if moved is OrderState.EXCEPTION:
            values.update(previous_state=current, exception_reason=HOLD_REASON)
        elif current is OrderState.EXCEPTION and reason == HOLD_REASON:
            values["exception_reason"] = None
        if moved is OrderState.SHIPPED:
            values["shipped_at"] = record.updated_at
    await session.exec(update(Order).where(col(Order.id) == order_id).values(**values))
    for line in _line_values(record, variant_ids):
        changes = {k: v for k, v in line.items() if k != "platform_line_id"}
        if changes.get("variant_id") is None:
            changes.pop("variant_id")
        await session.exec(
            update(OrderLine)
            .where(
                col(OrderLine.order_id) == order_id,
                col(OrderLine.platform_line_id) == line["platform_line_id"],
            )
            .values(**changes)
        )
