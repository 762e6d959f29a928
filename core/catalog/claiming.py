"""Claiming (认领): copy a collection-box product into a store as a draft.

The collected product stays in the collection box, so it can be claimed to several stores; each
copy records ``copied_from_id``. A copy is refused (per product and store, with the reason)
when the store already has a copy of it, a product with its parent SKU, or one of its variant
SKUs — so a repeated or retried claim never makes a second draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import history, records, states
from core.catalog.access import (
    load_product,
    load_products,
    load_store,
    load_stores,
    require_write,
    store_not_found,
)
from core.catalog.history import Author, author_of
from core.catalog.schemas import ClaimedCopy, ClaimResult, ProductOut, Refusal
from core.catalog.states import ProductAction
from core.errors import NotFound, RuleViolation
from core.i18n import N_, Message, message_of, msg
from core.models.catalog import Product, ProductCategory, ProductState, Variant
from core.models.images import ProductImage
from core.models.stores import Store

ALREADY_CLAIMED = N_("already claimed to store %(store)s (product %(product)s)")
"""The refusal of a pair that was claimed before (a batch counts it as done, not failed)."""


def is_already_claimed(reason: str) -> bool:
    """Whether a claim refusal only says the product was claimed to that store before."""
    return isinstance(reason, Message) and reason.template == ALREADY_CLAIMED


COPIED_PRODUCT_FIELDS = (
    "parent_sku",
    "title",
    "title_translated",
    "description",
    "description_translated",
    "tags",
    "tags_translated",
    "language",
    "translation_language",
    "brand",
    "source_url",
    "collected_from",
    "platform_category_id",
    "platform_data",
)
"""What a claimed draft takes over from the collected product (not ids, state, bindings)."""


async def claim_products(
    session: AsyncSession,
    actor: Actor,
    product_ids: Sequence[int],
    store_ids: Sequence[int],
    *,
    job_id: int | None = None,
) -> ClaimResult:
    """Claim each collection-box product to each store; refused pairs say why.

    Args:
        session: the caller's session (one transaction for the whole call).
        actor: who claims.
        product_ids: collection-box products.
        store_ids: the stores to claim them to.
        job_id: the batch job this runs in, for the history.
    """
    require_write(actor)
    author = author_of(actor, job_id)
    sources = await load_products(session, actor, product_ids)
    stores = await load_stores(session, actor, store_ids)
    result = ClaimResult(claimed=[], refused=[])
    for product_id in dict.fromkeys(product_ids):
        source = sources.get(product_id)
        for store_id in dict.fromkeys(store_ids):
            store = stores.get(store_id)
            try:
                if source is None:
                    raise NotFound(msg("not found"))
                if store is None:
                    raise NotFound(store_not_found(store_id))
                copy = await _claim_one(session, actor, source, store, author)
            except (NotFound, RuleViolation) as refusal:
                result.refused.append(
                    Refusal(product_id=product_id, store_id=store_id, reason=message_of(refusal))
                )
                continue
            assert copy.id is not None
            result.claimed.append(
                ClaimedCopy(source_id=product_id, store_id=store_id, product_id=copy.id)
            )
    return result


async def claim_product(
    session: AsyncSession, actor: Actor, product_id: int, store_id: int
) -> ProductOut:
    """Claim one collection-box product to one store and return the new draft.

    Raises:
        NotFound: the product or the store is not the account's.
        RuleViolation: the product is not in the collection box, or the store already has it,
            its parent SKU or one of its variant SKUs.
    """
    require_write(actor)
    source = await load_product(session, actor, product_id)
    store = await load_store(session, actor, store_id)
    copy = await _claim_one(session, actor, source, store, author_of(actor))
    return await records.product_out(session, copy)


async def _claim_one(
    session: AsyncSession, actor: Actor, source: Product, store: Store, author: Author
) -> Product:
    if source.state is not ProductState.COLLECTION_BOX:
        raise RuleViolation(
            msg(
                "only collection-box products can be claimed; this one is %(state)s",
                state=states.label(source.state),
            )
        )
    new_state = states.next_state(source.state, ProductAction.CLAIM)
    assert source.id is not None and store.id is not None
    earlier = (
        await session.exec(
            select(Product.id).where(
                col(Product.copied_from_id) == source.id, col(Product.store_id) == store.id
            )
        )
    ).first()
    if earlier is not None:
        raise RuleViolation(
            msg(
                ALREADY_CLAIMED,
                store=repr(store.name),
                product=earlier,
            )
        )
    variants = list(
        (
            await session.exec(
                select(Variant)
                .where(col(Variant.product_id) == source.id)
                .order_by(col(Variant.position), col(Variant.id))
            )
        ).all()
    )
    await records.require_free_parent_sku(session, actor.account_id, store.id, source.parent_sku)
    await records.require_free_skus(session, store.id, [variant.sku for variant in variants])
    copy = Product(
        account_id=actor.account_id,
        store_id=store.id,
        state=new_state,
        copied_from_id=source.id,
        created_by_id=actor.user_id,
        **{name: getattr(source, name) for name in COPIED_PRODUCT_FIELDS},
    )
    session.add(copy)
    await session.flush()
    assert copy.id is not None
    variant_ids = await _copy_variants(session, copy, variants)
    await _copy_images_and_categories(session, source.id, copy.id, variant_ids)
    await history.record_many(
        session,
        [
            history.history_row(
                actor.account_id,
                copy.id,
                "claimed",
                author,
                {"state": [None, new_state], "store_id": [None, store.id]},
                f"claimed from product {source.id}",
            ),
            history.history_row(
                actor.account_id,
                source.id,
                "claimed_to_store",
                author,
                message=f"claimed to store {store.id} as product {copy.id}",
            ),
        ],
    )
    return copy


async def _copy_variants(
    session: AsyncSession, copy: Product, variants: Sequence[Variant]
) -> dict[int, int]:
    """Copy the variants to the draft; returns old variant id -> new variant id."""
    assert copy.id is not None
    mapping: dict[int, int] = {}
    for variant in variants:
        values = {name: getattr(variant, name) for name in records.VARIANT_FIELDS}
        new = Variant(
            account_id=copy.account_id,
            product_id=copy.id,
            store_id=copy.store_id,
            position=variant.position,
            options=list(variant.options),
            **values,
        )
        session.add(new)
        await session.flush()
        assert variant.id is not None and new.id is not None
        mapping[variant.id] = new.id
    return mapping


async def _copy_images_and_categories(
    session: AsyncSession, source_id: int, copy_id: int, variant_ids: dict[int, int]
) -> None:
    images = (
        await session.exec(select(ProductImage).where(col(ProductImage.product_id) == source_id))
    ).all()
    rows: list[dict[str, Any]] = [
        {
            "account_id": image.account_id,
            "product_id": copy_id,
            "variant_id": variant_ids.get(image.variant_id) if image.variant_id else None,
            "image_id": image.image_id,
            "external_url": image.external_url,
            "platform_url": None,
            "role": image.role,
            "position": image.position,
        }
        for image in images
        if image.image_id is not None or image.external_url is not None
    ]
    if rows:
        await session.exec(insert(ProductImage), params=rows)
    categories = (
        await session.exec(
            select(ProductCategory).where(col(ProductCategory.product_id) == source_id)
        )
    ).all()
    if categories:
        await session.exec(
            insert(ProductCategory),
            params=[
                {
                    "account_id": link.account_id,
                    "product_id": copy_id,
                    "category_id": link.category_id,
                }
                for link in categories
            ],
        )
