"""Inventory (rules 27-28): warehouses, stock items, stock levels, ledger, pairings.

Stock items are local SKUs; allocations reserve stock for order lines; pairings tie listing
variants to stock items.

Race-free stock: :class:`StockLevel` carries CHECK constraints ``on_hand >= 0``,
``allocated >= 0`` and ``allocated <= on_hand``. Allocation is a single
``UPDATE stock_level SET allocated = allocated + :n WHERE id = :id``; the database re-checks
the constraint on the locked row, so two concurrent orders from any stores can never reserve
the same last piece — the second update fails with an ``IntegrityError`` and its order goes
to "out of stock". Dispatch lowers ``on_hand`` and ``allocated`` together. A stock count that
finds fewer pieces than are allocated is refused too: release allocations first (those orders
become out of stock), which keeps the numbers honest instead of silently negative.
"""

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
    json_field,
    money_field,
    text_field,
    time_field,
)
from core.models.catalog import dimension_field


class Warehouse(SQLModel, table=True):
    """A place where an account keeps stock (its own shelf, a forwarder's warehouse)."""

    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    name: str = Field(max_length=100)
    is_default: bool = False
    address: dict[str, str] = json_field()
    created_at: datetime = time_field(default_now=True)


class StockItem(SQLModel, table=True):
    """A local SKU (仓库清单): what sits on the shelf, with customs and purchasing data."""

    __tablename__ = "stock_item"
    __table_args__ = (UniqueConstraint("account_id", "sku"),)

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    sku: str = Field(max_length=100)
    name: str = Field(default="", max_length=300)
    declared_name_cn: str | None = Field(default=None, max_length=200)
    declared_name_en: str | None = Field(default=None, max_length=200)
    hs_code: str | None = Field(default=None, max_length=20)
    declared_value: Decimal | None = money_field(nullable=True)
    cost: Decimal | None = money_field(nullable=True)
    currency: str = currency_field("CNY")
    weight_grams: int | None = None
    length_cm: Decimal | None = dimension_field()
    width_cm: Decimal | None = dimension_field()
    height_cm: Decimal | None = dimension_field()
    image_id: int | None = fk("image.id", nullable=True, ondelete="SET NULL")
    supplier_id: int | None = fk("supplier.id", nullable=True, ondelete="SET NULL")
    supplier_url: str | None = text_field()
    low_stock_threshold: int | None = None
    lead_time_days: int | None = None
    is_active: bool = True
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class StockLevel(SQLModel, table=True):
    """Stock of one item in one warehouse. Available = ``on_hand - allocated``."""

    __tablename__ = "stock_level"
    __table_args__ = (
        UniqueConstraint("stock_item_id", "warehouse_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("allocated >= 0", name="allocated_not_negative"),
        CheckConstraint("allocated <= on_hand", name="allocated_within_on_hand"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    stock_item_id: int = fk("stock_item.id", index=False)
    warehouse_id: int = fk("warehouse.id", ondelete=None)
    on_hand: int = 0
    allocated: int = 0
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class MovementKind(enum.StrEnum):
    """Why stock moved."""

    RECEIPT = "receipt"  # goods in from a purchase order
    DISPATCH = "dispatch"  # shipped to a buyer (on_hand and allocated go down)
    ADJUSTMENT = "adjustment"  # stock count / manual correction
    TRANSFER = "transfer"  # between warehouses (one row per side)
    RETURN = "return"  # back from a buyer
    ALLOCATE = "allocate"  # reserved for an order line (allocated goes up)
    RELEASE = "release"  # reservation released (allocated goes down)


class StockMovement(SQLModel, table=True):
    """One line of the stock ledger; the sum of deltas explains every stock level.

    ``dedup_key`` (unique per account) makes a retried job's movement a no-op, e.g.
    ``dispatch:order_line:42``.
    """

    __tablename__ = "stock_movement"
    __table_args__ = (
        UniqueConstraint("account_id", "dedup_key"),
        Index("ix_stock_movement_item_created", "stock_item_id", "created_at"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    stock_item_id: int = fk("stock_item.id", index=False)
    warehouse_id: int = fk("warehouse.id", ondelete=None)
    kind: MovementKind = enum_field(MovementKind, MovementKind.ADJUSTMENT)
    on_hand_delta: int = 0
    allocated_delta: int = 0
    on_hand_after: int = 0
    order_id: int | None = fk("sales_order.id", nullable=True, ondelete="SET NULL")
    purchase_order_id: int | None = fk("purchase_order.id", nullable=True, ondelete="SET NULL")
    job_id: int | None = fk("job_record.id", nullable=True, ondelete="SET NULL")
    user_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    dedup_key: str | None = Field(default=None, max_length=200)
    note: str | None = text_field()
    created_at: datetime = time_field(default_now=True)


class StockAllocation(SQLModel, table=True):
    """Pieces of a stock item reserved in a warehouse for one order line.

    ``StockLevel.allocated`` is the sum of these rows. An order line cannot be deleted while it
    holds an allocation (NO ACTION): release first, so the level is never left too high.
    """

    __tablename__ = "stock_allocation"
    __table_args__ = (
        UniqueConstraint(
            "order_line_id", "stock_item_id", "warehouse_id", name="uq_stock_allocation_line"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    order_line_id: int = fk("order_line.id", ondelete=None, index=False)
    stock_item_id: int = fk("stock_item.id", ondelete=None)
    warehouse_id: int = fk("warehouse.id", ondelete=None)
    quantity: int
    created_at: datetime = time_field(default_now=True)


class Pairing(SQLModel, table=True):
    """A listing variant made of ``quantity`` pieces of a stock item (商品配对).

    One row is a plain pairing; several rows for one variant form a bundle (one listing SKU =
    3 of X + 5 of Y). ``is_auto`` marks pairings made by equal SKU.
    """

    __table_args__ = (
        UniqueConstraint("variant_id", "stock_item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    variant_id: int = fk("variant.id", index=False)
    stock_item_id: int = fk("stock_item.id")
    quantity: int = 1
    is_auto: bool = False
    created_at: datetime = time_field(default_now=True)
