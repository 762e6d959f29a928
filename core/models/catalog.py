"""Catalog: products (listings) with variants, the local category tree and product history.

A product is either in the **collection box** (``store_id`` NULL: raw material collected from
a source or copied from a synced listing) or bound to exactly one store for life (rule 7).
Claiming a collection-box product to a store copies it into a new store-bound draft, so the
same collected product can be claimed to several stores.

Uniqueness choices:
- ``parent_sku`` is unique per store (``account_id, store_id, parent_sku``); NULL store ids
  never collide, so collection-box products may share a parent SKU (the same page collected
  twice, or no SKU yet). The SKU is checked when the product is claimed into a store.
- Variant SKUs are unique per product and per store (``variant.store_id`` is a copy of the
  product's store, which never changes): platforms such as Wish refuse duplicate variation
  SKUs in one shop, and order lines are matched to variants by ``(store_id, sku)``.
- Bindings (OCA's word: local id ↔ platform id per store) are the ``platform_product_id`` /
  ``platform_variant_id`` columns, unique per store, so a sync or a retried publish can
  never create a second local row for one platform listing.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Numeric, UniqueConstraint
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
    trigram_index,
)


class ProductState(enum.StrEnum):
    """Life of a product (rule 4). Only published (and delisted) products exist remotely."""

    COLLECTION_BOX = "collection_box"
    DRAFT = "draft"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    DELISTED = "delisted"


class CategoryKind(enum.StrEnum):
    """What a local category tree classifies (rule 8); each kind is its own tree."""

    PRODUCT = "product"
    ORDER = "order"
    IMAGE = "image"


def dimension_field() -> Any:
    """A length in centimetres, two decimals, nullable."""
    return Field(default=None, sa_column=Column(Numeric(8, 2), nullable=True))


class Product(SQLModel, table=True):
    """A listing: what is (or will be) published in one store, or sits in the collection box.

    Texts are kept side by side: ``title``/``description``/``tags`` as typed or collected (in
    ``language``), ``*_translated`` as the translator returned them (in
    ``translation_language``). ``source_url`` is private (rule 9) and never sent. Images are
    :class:`~core.models.images.ProductImage` rows. ``platform_data`` holds the plugin's
    platform-specific fields that core does not model (category attributes, shipping template
    ids, ...). ``is_updating`` is true while an edit of a published product is being pushed;
    ``update_error`` keeps the platform's reason when that push failed.
    """

    __table_args__ = (
        UniqueConstraint("account_id", "store_id", "parent_sku", name="uq_product_parent_sku"),
        UniqueConstraint("store_id", "platform_product_id", name="uq_product_binding"),
        CheckConstraint(
            "(state = 'collection_box' AND store_id IS NULL)"
            " OR (state <> 'collection_box' AND store_id IS NOT NULL)",
            name="store_matches_state",
        ),
        Index("ix_product_account_state_updated", "account_id", "state", "updated_at"),
        Index("ix_product_account_store_state", "account_id", "store_id", "state"),
        # Keyset pagination of the product list (all tabs / one tab, newest first).
        Index("ix_product_account_updated", "account_id", "updated_at"),
        Index("ix_product_account_created", "account_id", "created_at"),
        Index("ix_product_account_state_created", "account_id", "state", "created_at"),
        Index("ix_product_account_title", "account_id", "title"),
        # Text search (ILIKE '%…%') on PostgreSQL; see core.catalog.listing_query.
        trigram_index("ix_product_title_trgm", "title"),
        trigram_index("ix_product_parent_sku_trgm", "parent_sku"),
        trigram_index("ix_product_source_url_trgm", "source_url"),
    )

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    store_id: int | None = fk("store.id", nullable=True, ondelete=None)
    state: ProductState = enum_field(ProductState, ProductState.COLLECTION_BOX)
    is_updating: bool = False
    parent_sku: str | None = Field(default=None, max_length=100)
    title: str = Field(default="", max_length=500)
    title_translated: str | None = Field(default=None, max_length=500)
    description: str = text_field("", nullable=False)
    description_translated: str | None = text_field()
    tags: list[Any] = json_field(list)
    tags_translated: list[Any] = json_field(list)
    language: str = Field(default="zh", max_length=16)
    translation_language: str | None = Field(default=None, max_length=16)
    brand: str | None = Field(default=None, max_length=100)
    source_url: str | None = text_field()
    collected_from: str | None = Field(default=None, max_length=64)
    copied_from_id: int | None = fk("product.id", nullable=True, ondelete="SET NULL")
    platform_product_id: str | None = Field(default=None, max_length=64)
    platform_category_id: str | None = Field(default=None, max_length=64)
    platform_state: str | None = Field(default=None, max_length=64)
    platform_data: dict[str, Any] = json_field()
    publish_error: str | None = text_field()
    update_error: str | None = text_field()
    problems: list[Any] = json_field(list)
    problem_count: int = 0
    created_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)
    published_at: datetime | None = time_field()
    delisted_at: datetime | None = time_field()
    last_synced_at: datetime | None = time_field()


class Variant(SQLModel, table=True):
    """One SKU of a product: options (colour, size), price, stock shown to the platform.

    ``store_id`` is the product's store, copied on insert (it never changes, rule 7) so SKUs
    and platform variant ids can be unique per store. ``inventory`` is the quantity offered on
    the platform; the physical stock lives in :class:`~core.models.inventory.StockLevel`.
    ``options`` is a list of ``{"name": ..., "value": ...}``. ``cost`` (in ``cost_currency``)
    is the private purchase cost, used by price formulas and never sent to a platform.
    """

    __table_args__ = (
        UniqueConstraint("product_id", "sku"),
        UniqueConstraint("store_id", "sku"),
        UniqueConstraint("store_id", "platform_variant_id", name="uq_variant_binding"),
        CheckConstraint("inventory >= 0", name="inventory_not_negative"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        trigram_index("ix_variant_sku_trgm", "sku"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    product_id: int = fk("product.id")
    store_id: int | None = fk("store.id", nullable=True, ondelete=None)
    sku: str = Field(max_length=100)
    position: int = 0
    options: list[Any] = json_field(list)
    price: Decimal = money_field(Decimal("0"))
    currency: str = currency_field()
    shipping_price: Decimal | None = money_field(nullable=True)
    msrp: Decimal | None = money_field(nullable=True)
    cost: Decimal | None = money_field(nullable=True)
    cost_currency: str | None = Field(default=None, min_length=3, max_length=3)
    inventory: int = 0
    weight_grams: int | None = None
    length_cm: Decimal | None = dimension_field()
    width_cm: Decimal | None = dimension_field()
    height_cm: Decimal | None = dimension_field()
    gtin: str | None = Field(default=None, max_length=14)
    is_enabled: bool = True
    platform_variant_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class Category(SQLModel, table=True):
    """A node of an account's local category tree (rule 8); never sent to a platform.

    ``path`` is the chain of ancestor ids, ``"/"`` for a root and ``"/3/17/"`` for a child of
    17 under root 3; it makes "unique name among siblings" a plain unique constraint (a NULL
    ``parent_id`` would not collide) and a subtree one ``LIKE '/3/17/%'`` query. Moving a node
    rewrites the paths of its subtree.
    """

    __table_args__ = (
        UniqueConstraint("account_id", "kind", "path", "name", name="uq_category_sibling_name"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    kind: CategoryKind = enum_field(CategoryKind, CategoryKind.PRODUCT)
    parent_id: int | None = fk("category.id", nullable=True)
    path: str = Field(default="/", max_length=255)
    name: str = Field(max_length=100)
    position: int = 0
    created_at: datetime = time_field(default_now=True)


class ProductCategory(SQLModel, table=True):
    """A product filed under a local category (a product may be in several)."""

    __tablename__ = "product_category"
    __table_args__ = (UniqueConstraint("product_id", "category_id"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    product_id: int = fk("product.id")
    category_id: int = fk("category.id")


class ProductHistory(SQLModel, table=True):
    """What happened to a product, who did it and when (an edit, a publish, a sync).

    ``changes`` maps a field name to ``[old, new]``; ``job_id`` names the batch it was part of.
    """

    __tablename__ = "product_history"
    __table_args__ = (Index("ix_product_history_product_created", "product_id", "created_at"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    product_id: int = fk("product.id", index=False)
    user_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    job_id: int | None = fk("job_record.id", nullable=True, ondelete="SET NULL")
    action: str = Field(max_length=50)
    changes: dict[str, Any] = json_field()
    message: str | None = text_field()
    created_at: datetime = time_field(default_now=True)


class ProductStateTally(SQLModel, table=True):
    """Changes to how many products each (account, store, state) holds, for the state tabs.

    Database triggers on ``product`` (see :mod:`core.catalog.tally`) append ``+1`` / ``-1``
    rows on every insert, delete and change of account, store or state, whoever writes (the
    ORM, bulk statements, raw SQL), so the tab counts are ``SUM(delta)`` per state without
    scanning the products. Appending never waits for another writer's lock; readers fold the
    rows of an account into one per (store, state) when they pile up. No foreign keys: the
    triggers also fire while an account's products are deleted with it.
    """

    __tablename__ = "product_state_tally"
    __table_args__ = (Index("ix_product_state_tally_account_store", "account_id", "store_id"),)

    id: int | None = id_field()
    account_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    store_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    state: str = Field(max_length=32)
    delta: int
