"""Purchasing (rule 28, light): suppliers and purchase orders that restock stock items."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import (
    account_fk,
    currency_field,
    enum_field,
    fk,
    id_field,
    money_field,
    text_field,
    time_field,
)


class Supplier(SQLModel, table=True):
    """Where an account buys goods (a 1688 shop, a wholesaler)."""

    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    name: str = Field(max_length=200)
    url: str | None = text_field()
    contact: str | None = text_field()
    notes: str | None = text_field()
    created_at: datetime = time_field(default_now=True)


class PurchaseOrderState(enum.StrEnum):
    """Life of a purchase order."""

    DRAFT = "draft"
    ORDERED = "ordered"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class PurchaseOrder(SQLModel, table=True):
    """Goods ordered from a supplier into a warehouse; receiving them writes stock movements.

    ``number`` is the account's own reference, unique per account; ``supplier_order_ref`` is
    the supplier's (e.g. the 1688 order number).
    """

    __tablename__ = "purchase_order"
    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        Index("ix_purchase_order_account_state_updated", "account_id", "state", "updated_at"),
    )

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    number: str = Field(max_length=40)
    supplier_id: int | None = fk("supplier.id", nullable=True, ondelete="SET NULL")
    warehouse_id: int = fk("warehouse.id", ondelete=None)
    state: PurchaseOrderState = enum_field(PurchaseOrderState, PurchaseOrderState.DRAFT)
    currency: str = currency_field("CNY")
    shipping_cost: Decimal = money_field(Decimal("0"))
    total: Decimal = money_field(Decimal("0"))
    supplier_order_ref: str | None = Field(default=None, max_length=100)
    tracking_number: str | None = Field(default=None, max_length=64)
    notes: str | None = text_field()
    ordered_at: datetime | None = time_field()
    expected_at: datetime | None = time_field()
    received_at: datetime | None = time_field()
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class PurchaseOrderLine(SQLModel, table=True):
    """A stock item ordered on a purchase order, and how much of it has arrived."""

    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "stock_item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received_quantity >= 0", name="received_not_negative"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    purchase_order_id: int = fk("purchase_order.id", index=False)
    stock_item_id: int = fk("stock_item.id", ondelete=None)
    quantity: int
    received_quantity: int = 0
    unit_cost: Decimal = money_field(Decimal("0"))
    source_url: str | None = text_field()
