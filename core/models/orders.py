"""Orders, their lines, shipments and logistics methods (rules 20-26).

``UNIQUE(store_id, platform_order_id)`` is what makes a sync unable to duplicate an order:
every pull is an upsert keyed by it, whatever the platform's pagination or clock does.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import (
    account_fk,
    currency_field,
    enum_field,
    fk,
    id_field,
    json_field,
    money_field,
    text_field,
    time_field,
)


class OrderState(enum.StrEnum):
    """Where an order is in the seller's flow (rule 20)."""

    TO_REVIEW = "to_review"  # 待审核: new paid order
    PENDING = "pending"  # 待处理: choose logistics, fill customs data
    REQUESTING_TRACKING = "requesting_tracking"  # 运单号申请: carrier call running or failed
    TO_PRINT = "to_print"  # 待打单: tracking number and label ready
    SHIPPED = "shipped"  # 已发货
    IGNORED = "ignored"  # 已忽略: fulfilled by the platform
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    EXCEPTION = "exception"  # 问题件, see ``exception_reason``


class StockStatus(enum.StrEnum):
    """Whether an order's lines are covered by stock (to print: 有货 / 缺货)."""

    UNCHECKED = "unchecked"  # no allocation attempted yet
    IN_STOCK = "in_stock"  # every paired line is allocated
    OUT_OF_STOCK = "out_of_stock"  # some line could not be allocated
    UNPAIRED = "unpaired"  # some line has no pairing with a stock item


class ShippingType(enum.StrEnum):
    """How an order was (or will be) shipped; "shipped" filters by it (rule 25)."""

    ONLINE = "online"  # a carrier API assigned tracking number and label
    OFFLINE = "offline"  # the seller entered the tracking number
    VIRTUAL = "virtual"  # marked shipped with a virtual tracking number


class Order(SQLModel, table=True):
    """A buyer's order in one store, pulled by sync (table ``sales_order``).

    ``platform_state`` is the platform's raw state, kept for display and sync decisions;
    ``state`` is Tradewind's flow. ``previous_state`` remembers where an order was before it
    became an exception, so resolving it can put it back. ``shipping_address`` holds
    ``name, street1, street2, street3, city, state, zipcode, country_code, phone, email``.
    ``platform_data`` keeps the platform fields core does not model.
    """

    __tablename__ = "sales_order"
    __table_args__ = (
        UniqueConstraint("store_id", "platform_order_id", name="uq_sales_order_platform_id"),
        Index("ix_sales_order_account_state_updated", "account_id", "state", "updated_at"),
        Index("ix_sales_order_account_state_stock", "account_id", "state", "stock_status"),
        Index("ix_sales_order_account_ordered", "account_id", "ordered_at"),
        Index("ix_sales_order_store_platform_updated", "store_id", "platform_updated_at"),
    )

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    store_id: int = fk("store.id", ondelete=None, index=False)
    platform_order_id: str = Field(max_length=64)
    platform_state: str | None = Field(default=None, max_length=64)
    state: OrderState = enum_field(OrderState, OrderState.TO_REVIEW)
    previous_state: OrderState | None = enum_field(OrderState, None, nullable=True)
    stock_status: StockStatus = enum_field(StockStatus, StockStatus.UNCHECKED)
    exception_reason: str | None = text_field()
    shipping_type: ShippingType | None = enum_field(ShippingType, None, nullable=True)
    logistics_method_id: int | None = fk("logistics_method.id", nullable=True, ondelete="SET NULL")
    category_id: int | None = fk("category.id", nullable=True, ondelete="SET NULL")
    buyer_name: str = Field(default="", max_length=200)
    buyer_id: str | None = Field(default=None, max_length=128)
    country_code: str | None = Field(default=None, max_length=2, index=True)
    shipping_address: dict[str, Any] = json_field()
    currency: str = currency_field()
    subtotal: Decimal = money_field(Decimal("0"))
    shipping_total: Decimal = money_field(Decimal("0"))
    total: Decimal = money_field(Decimal("0"))
    buyer_note: str | None = text_field()
    seller_note: str | None = text_field()
    platform_data: dict[str, Any] = json_field()
    ordered_at: datetime | None = time_field()
    paid_at: datetime | None = time_field()
    platform_updated_at: datetime | None = time_field()
    ship_by: datetime | None = time_field()
    shipped_at: datetime | None = time_field()
    platform_marked_shipped_at: datetime | None = time_field()
    last_synced_at: datetime | None = time_field()
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class OrderLine(SQLModel, table=True):
    """One purchased SKU of an order. ``variant_id`` is set when the SKU matches a listing."""

    __tablename__ = "order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "platform_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    order_id: int = fk("sales_order.id", index=False)
    platform_line_id: str = Field(max_length=64)
    platform_product_id: str | None = Field(default=None, max_length=64)
    platform_variant_id: str | None = Field(default=None, max_length=64)
    sku: str = Field(default="", max_length=100, index=True)
    variant_id: int | None = fk("variant.id", nullable=True, ondelete="SET NULL")
    name: str = Field(default="", max_length=500)
    options: str = Field(default="", max_length=200)
    image_url: str | None = text_field()
    quantity: int = 1
    unit_price: Decimal = money_field(Decimal("0"))
    shipping_price: Decimal = money_field(Decimal("0"))
    currency: str = currency_field()


class LogisticsMethod(SQLModel, table=True):
    """A way the account ships: a carrier plugin service with its settings (rules 21-22).

    ``settings`` holds the non-secret settings the carrier's schema asks for; secrets (API
    keys of the seller's own EUB or forwarder account) are in ``secrets_encrypted`` (Fernet,
    :mod:`core.crypto`). ``store_id`` is set when the carrier works through one store's
    platform authorization (AliExpress online logistics). ``platform_carrier_names`` maps a
    platform id to the carrier name that platform expects when an order is marked shipped.
    """

    __tablename__ = "logistics_method"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    name: str = Field(max_length=100)
    carrier: str = Field(max_length=64)
    service_code: str = Field(default="", max_length=100)
    shipping_type: ShippingType = enum_field(ShippingType, ShippingType.ONLINE)
    store_id: int | None = fk("store.id", nullable=True)
    settings: dict[str, Any] = json_field()
    secrets_encrypted: str | None = text_field()
    platform_carrier_names: dict[str, str] = json_field()
    is_enabled: bool = True
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class ShipmentStatus(enum.StrEnum):
    """Life of one carrier request."""

    REQUESTING = "requesting"  # sent or about to be sent; outcome not known yet
    CREATED = "created"  # the carrier assigned a tracking number
    FAILED = "failed"  # the carrier said no (``error`` says why)
    CANCELLED = "cancelled"


class Shipment(SQLModel, table=True):
    """One attempt to get a tracking number (and label) for an order.

    ``idempotency_key`` is unique: the shipping job derives it from the order and attempt, so a
    duplicated or retried job finds the existing row instead of calling the carrier again; a
    row left ``requesting`` after a lost response is read back from the carrier by
    ``carrier_reference`` (or the key, when the carrier supports it) before any new request.
    """

    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_shipment_account_status", "account_id", "status"),
    )

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    order_id: int = fk("sales_order.id")
    logistics_method_id: int | None = fk("logistics_method.id", nullable=True, ondelete="SET NULL")
    carrier: str = Field(max_length=64)
    service_code: str = Field(default="", max_length=100)
    shipping_type: ShippingType = enum_field(ShippingType, ShippingType.ONLINE)
    status: ShipmentStatus = enum_field(ShipmentStatus, ShipmentStatus.REQUESTING)
    idempotency_key: str = Field(max_length=128)
    tracking_number: str | None = Field(default=None, max_length=64, index=True)
    carrier_reference: str | None = Field(default=None, max_length=128)
    label_storage_key: str | None = Field(default=None, max_length=255)
    label_format: str | None = Field(default=None, max_length=16)
    weight_grams: int | None = None
    customs: list[Any] = json_field(list)
    error: str | None = text_field()
    platform_marked_at: datetime | None = time_field()
    platform_mark_error: str | None = text_field()
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)
