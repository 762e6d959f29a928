"""Listings pulled from Wish, written into Tradewind's catalog tables.

Written directly against :class:`~core.models.Product`, :class:`~core.models.Variant`,
:class:`~core.models.ProductImage` and :class:`~core.models.ProductHistory` until the core
catalog service exists; :func:`upsert_listing` and :func:`stale_listing_ids` are the entry
points to re-point.

A listing is matched by its binding (``platform_product_id``), else by ``parent_sku`` in the
store (a publish whose answer was lost left a local product without the binding). States:

====================  ==================  =====================================================
Wish ``state``        Tradewind state      notes
====================  ==================  =====================================================
ACTIVE                published
WISH_INACTIVE         publishing          under Wish's review
MERCHANT_INACTIVE     delisted
REMOVED_BY_WISH       publish failed      the review's reason in ``publish_error``
REMOVED_BY_MERCHANT   delisted            ``platform_state`` says it cannot be relisted
====================  ==================  =====================================================

A product being edited in Tradewind (``is_updating``) keeps its texts; only its state moves.
Variants are matched by binding, else by SKU; a Wish variation whose SKU another product of
the store already uses is reported, not written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.interfaces.listings import ListingRecord, ListingStatus, VariantRecord
from core.models import (
    ImageRole,
    Product,
    ProductHistory,
    ProductImage,
    ProductState,
    Store,
    Variant,
)

_STATES = {
    ListingStatus.ACTIVE: ProductState.PUBLISHED,
    ListingStatus.UNDER_REVIEW: ProductState.PUBLISHING,
    ListingStatus.DELISTED: ProductState.DELISTED,
    ListingStatus.REJECTED: ProductState.PUBLISH_FAILED,
}


@dataclass
class ListingOutcome:
    """What one upsert did: ``created``, ``updated``, ``unchanged`` or ``skipped``, and why."""

    action: str
    product_id: int
    problems: list[str] = field(default_factory=list)


def product_state(record: ListingRecord) -> ProductState:
    """Tradewind's state for a listing as Wish reports it (see the module docstring)."""
    if record.status is ListingStatus.REMOVED:
        if record.platform_status == "REMOVED_BY_WISH":
            return ProductState.PUBLISH_FAILED
        return ProductState.DELISTED
    return _STATES[record.status]


def _wish_updated(record: ListingRecord) -> str | None:
    return record.updated_at.isoformat() if record.updated_at else None


async def stale_listing_ids(
    session: AsyncSession, store_id: int, shallow: Sequence[ListingRecord]
) -> list[str]:
    """Ids among ``shallow`` whose Wish ``updated_at`` differs from the one last synced."""
    ids = [record.listing_id for record in shallow]
    if not ids:
        return []
    rows = await session.exec(
        select(Product.platform_product_id, Product.platform_data).where(
            Product.store_id == store_id, col(Product.platform_product_id).in_(ids)
        )
    )
    synced = {pid: (data or {}).get("wish_updated_at") for pid, data in rows}
    return [r.listing_id for r in shallow if synced.get(r.listing_id) != _wish_updated(r)]


async def _find(session: AsyncSession, store: Store, record: ListingRecord) -> Product | None:
    """The product bound to the listing, else the store's product with its parent SKU."""
    bound = await session.exec(
        select(Product).where(
            Product.store_id == store.id, Product.platform_product_id == record.listing_id
        )
    )
    product = bound.first()
    if product is None and record.parent_sku:
        by_sku = await session.exec(
            select(Product).where(
                Product.account_id == store.account_id,
                Product.store_id == store.id,
                Product.parent_sku == record.parent_sku,
            )
        )
        product = by_sku.first()
    return product


def _platform_data(record: ListingRecord, previous: dict[str, Any]) -> dict[str, Any]:
    return {
        **previous,
        "wish_updated_at": _wish_updated(record),
        "main_image_url": record.main_image_url,
        "extra_image_urls": list(record.extra_image_urls),
        "num_sold": record.platform_fields.get("num_sold"),
        "wish_status": record.platform_fields.get("wish_status"),
    }


async def upsert_listing(
    session: AsyncSession, store: Store, record: ListingRecord, now: datetime
) -> ListingOutcome:
    """Create or update the product, variants and images of a full listing record."""
    assert store.id is not None
    product = await _find(session, store, record)
    state = product_state(record)
    if product is not None and product.platform_product_id not in (None, record.listing_id):
        return ListingOutcome(
            "skipped",
            product.id or 0,
            [
                f"parent SKU {record.parent_sku} is already used by product {product.id}, "
                f"bound to Wish listing {product.platform_product_id}; not synced"
            ],
        )
    if product is None:
        product = Product(account_id=store.account_id, store_id=store.id, state=state)
        action = "created"
    elif product.platform_data.get("wish_updated_at") == _wish_updated(record):
        return ListingOutcome("unchanged", product.id or 0)
    else:
        action = "updated"
    previous_state = product.state if action == "updated" else None
    product.platform_product_id = record.listing_id
    product.platform_state = record.platform_status
    product.state = state
    failed = state is ProductState.PUBLISH_FAILED
    product.publish_error = (record.status_reason or "rejected by Wish") if failed else None
    product.platform_data = _platform_data(record, dict(product.platform_data or {}))
    product.last_synced_at = now
    if state is ProductState.PUBLISHED and product.published_at is None:
        product.published_at = record.created_at or now
    if state is ProductState.DELISTED and product.delisted_at is None:
        product.delisted_at = now
    if action == "created" or not product.is_updating:
        _copy_texts(product, record)
    session.add(product)
    await session.flush()
    assert product.id is not None
    problems = await _upsert_variants(session, store, product, record.variants)
    if action == "created":
        _add_images(session, product, record)
    if previous_state != state:
        session.add(
            ProductHistory(
                account_id=store.account_id,
                product_id=product.id,
                action="wish.sync",
                changes={"state": [previous_state, state]},
                message=record.status_reason or None,
            )
        )
    return ListingOutcome(action, product.id, problems)


def _copy_texts(product: Product, record: ListingRecord) -> None:
    product.parent_sku = record.parent_sku or product.parent_sku
    product.title = record.title[:500]
    product.description = record.description
    product.tags = list(record.tags)
    product.platform_category_id = record.category_id
    if product.language in ("", "zh") and product.title_translated is None:
        product.language = "en"


async def _upsert_variants(
    session: AsyncSession, store: Store, product: Product, variants: Sequence[VariantRecord]
) -> list[str]:
    assert product.id is not None
    skus = [v.sku for v in variants]
    ids = [v.variant_id for v in variants]
    rows = await session.exec(
        select(Variant).where(
            Variant.store_id == store.id,
            col(Variant.sku).in_(skus) | col(Variant.platform_variant_id).in_(ids),
        )
    )
    existing = list(rows)
    by_binding = {v.platform_variant_id: v for v in existing if v.platform_variant_id}
    by_sku = {v.sku: v for v in existing}
    problems: list[str] = []
    for position, remote in enumerate(variants):
        local = by_binding.get(remote.variant_id) or by_sku.get(remote.sku)
        if local is not None and local.product_id != product.id:
            problems.append(
                f"variant {remote.sku} is used by another product of this store "
                f"(product {local.product_id}); it was not synced"
            )
            continue
        if local is None:
            local = Variant(
                account_id=store.account_id,
                product_id=product.id,
                store_id=store.id,
                sku=remote.sku,
            )
        _copy_variant(local, remote, position)
        session.add(local)
    await session.flush()
    return problems


def _copy_variant(local: Variant, remote: VariantRecord, position: int) -> None:
    local.sku = remote.sku
    local.position = position
    local.platform_variant_id = remote.variant_id
    local.is_enabled = remote.enabled
    local.options = [{"name": name, "value": value} for name, value in remote.options.items()]
    if remote.price is not None:
        local.price = remote.price.amount
        local.currency = remote.price.currency
    if remote.quantity is not None:
        local.inventory = max(0, remote.quantity)


def _add_images(session: AsyncSession, product: Product, record: ListingRecord) -> None:
    """Record Wish's copies of the pictures of a product the sync created."""
    assert product.id is not None
    urls: list[tuple[ImageRole, str]] = []
    if record.main_image_url:
        urls.append((ImageRole.MAIN, record.main_image_url))
    urls += [(ImageRole.EXTRA, url) for url in record.extra_image_urls]
    for position, (role, url) in enumerate(urls):
        session.add(
            ProductImage(
                account_id=product.account_id,
                product_id=product.id,
                platform_url=url,
                role=role,
                position=position,
            )
        )
