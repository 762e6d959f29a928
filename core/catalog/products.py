"""Product life: create, read, edit and delete, with the rules of DESIGN.md §2 rules 4-9.

Every function takes the caller's session (the caller owns the transaction: a controller wraps
one call in :func:`core.db.transaction`) and an :class:`~core.actor.Actor`; another account's
product answers :class:`~core.errors.NotFound`. Claiming is in :mod:`core.catalog.claiming`,
variants in :mod:`core.catalog.variants`, publishing in :mod:`core.catalog.publishing`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import history, records, states
from core.catalog.access import (
    load_product,
    load_products,
    load_store,
    require_read,
    require_write,
)
from core.catalog.history import Author, author_of
from core.catalog.schemas import (
    DeleteResult,
    EditResult,
    HistoryEntry,
    ImageRef,
    ProductCreate,
    ProductOut,
    ProductPatch,
    PushIntent,
    Refusal,
    VariantIn,
)
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.interfaces.collector import CollectedProduct
from core.models.base import utcnow
from core.models.catalog import Product, ProductHistory, ProductState, Variant
from core.models.images import ImageRole

SCALAR_FIELDS = (
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
    "platform_category_id",
    "platform_data",
)
"""Product columns a create or an edit sets one to one."""

PRIVATE_FIELDS = frozenset({"source_url", "category_ids", "cost", "cost_currency"})
"""Fields that never reach a platform: changing only these pushes nothing (rules 8, 9)."""


async def create_product(
    session: AsyncSession, actor: Actor, data: ProductCreate, *, job_id: int | None = None
) -> ProductOut:
    """Create a product by hand: in the collection box, or as a draft of ``data.store_id``.

    Raises:
        NotFound: the store, a picture or a category is not the account's.
        RuleViolation: the parent SKU or a variant SKU is already used in the store.
    """
    require_write(actor)
    store_id = data.store_id
    if store_id is not None:
        await load_store(session, actor, store_id)
    fields = {name: getattr(data, name) for name in SCALAR_FIELDS if name in data.model_fields_set}
    product = Product(
        account_id=actor.account_id,
        store_id=store_id,
        state=ProductState.COLLECTION_BOX if store_id is None else ProductState.DRAFT,
        created_by_id=actor.user_id,
        **fields,
    )
    return await _insert_product(
        session,
        actor,
        product,
        data.variants,
        main=data.main_image,
        extras=data.extra_images or [],
        category_ids=data.category_ids or [],
        author=author_of(actor, job_id),
        action="created",
    )


async def create_from_collected(
    session: AsyncSession,
    actor: Actor,
    collected: CollectedProduct,
    *,
    collector_id: str | None = None,
    job_id: int | None = None,
) -> ProductOut:
    """Put what a collector found into the collection box (rule 12).

    The source price becomes the private purchase cost and the first selling price (a price
    formula usually replaces it); the description's HTML becomes plain text; the source URL is
    kept privately (rule 9).
    """
    require_write(actor)
    parent_sku = _collected_parent_sku(collected, collector_id)
    variants = _collected_variants(collected, parent_sku)
    images = [ImageRef(url=url) for url in collected.images if url]
    product = Product(
        account_id=actor.account_id,
        state=ProductState.COLLECTION_BOX,
        parent_sku=parent_sku,
        title=collected.title[:500],
        description=html_to_text(collected.description_html),
        language=collected.language or "zh",
        source_url=collected.source_url,
        collected_from=collector_id,
        created_by_id=actor.user_id,
    )
    return await _insert_product(
        session,
        actor,
        product,
        variants,
        main=images[0] if images else None,
        extras=images[1:],
        category_ids=[],
        author=author_of(actor, job_id),
        action="collected",
        message=collected.source_url,
    )


def _collected_parent_sku(collected: CollectedProduct, collector_id: str | None) -> str | None:
    if not collected.source_item_id:
        return None
    prefix = f"{collector_id}-" if collector_id else ""
    return f"{prefix}{collected.source_item_id}"[:100]


def _collected_variants(collected: CollectedProduct, parent_sku: str | None) -> list[VariantIn]:
    base = parent_sku or "SKU"
    found = collected.variants or ()
    if not found:
        price = collected.price
        return [
            VariantIn(
                sku=base[:100],
                price=price.amount if price else 0,
                currency=price.currency if price else "USD",
                cost=price.amount if price else None,
                cost_currency=price.currency if price else None,
            )
        ]
    variants = []
    used: set[str] = set()
    for number, variant in enumerate(found, start=1):
        price = variant.price or collected.price
        sku = (variant.sku or f"{base}-{number}")[:100]
        if sku in used:
            sku = f"{base}-{number}"[:100]
        used.add(sku)
        variants.append(
            VariantIn(
                sku=sku,
                options=dict(variant.options),
                price=price.amount if price else 0,
                currency=price.currency if price else "USD",
                cost=price.amount if price else None,
                cost_currency=price.currency if price else None,
                inventory=max(variant.stock or 0, 0),
                image=ImageRef(url=variant.image_url) if variant.image_url else None,
            )
        )
    return variants


_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(markup: str) -> str:
    """Plain text of an HTML description: block ends become line breaks, tags go."""
    if not markup:
        return ""
    text = _BLOCK_TAGS.sub("\n", markup)
    text = html.unescape(_TAGS.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


async def _insert_product(
    session: AsyncSession,
    actor: Actor,
    product: Product,
    variants: Sequence[VariantIn],
    *,
    main: ImageRef | None,
    extras: Sequence[ImageRef],
    category_ids: Sequence[int],
    author: Author,
    action: str,
    message: str | None = None,
) -> ProductOut:
    refs = [ref for ref in [main, *extras, *(v.image for v in variants)] if ref is not None]
    await records.require_images(session, actor.account_id, refs)
    categories = await records.require_categories(session, actor.account_id, category_ids)
    await records.require_free_parent_sku(
        session, actor.account_id, product.store_id, product.parent_sku
    )
    await records.require_free_skus(session, product.store_id, [v.sku for v in variants])
    session.add(product)
    await session.flush()
    assert product.id is not None
    await records.replace_product_images(
        session,
        actor.account_id,
        product.id,
        main=main,
        extras=extras,
        replace_main=True,
        replace_extras=True,
    )
    for position, data in enumerate(variants):
        variant = Variant(
            account_id=actor.account_id,
            product_id=product.id,
            store_id=product.store_id,
            position=position,
            **records.variant_values(data),
        )
        session.add(variant)
        await session.flush()
        if data.image is not None:
            assert variant.id is not None
            await records.set_variant_image(
                session, actor.account_id, product.id, variant.id, data.image
            )
    await records.set_categories(session, actor.account_id, product.id, categories)
    await history.record(
        session,
        actor.account_id,
        product.id,
        action,
        author,
        {"state": [None, product.state]},
        message,
    )
    return await records.product_out(session, product)


async def get_product(session: AsyncSession, actor: Actor, product_id: int) -> ProductOut:
    """One product with variants, pictures and categories.

    Raises:
        NotFound: not the account's product (or in a store the actor may not see).
    """
    require_read(actor)
    return await records.product_out(session, await load_product(session, actor, product_id))


async def update_product(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    patch: ProductPatch,
    *,
    job_id: int | None = None,
) -> EditResult:
    """Edit a product: everything but its store (rule 7) and its state.

    An edit of a listing that is on the platform (published or delisted) that changes anything
    the platform shows marks it ``is_updating`` and returns the push to enqueue; changes of
    private fields only (source URL, local categories) push nothing.

    Raises:
        NotFound: not the account's product, picture or category.
        RuleViolation: a change of store, an edit while publishing, a parent SKU change of a
            listing on the platform, or a parent SKU already used in the store.
    """
    require_write(actor)
    product = await load_product(session, actor, product_id, for_update=True)
    given = patch.model_fields_set
    if "store_id" in given and patch.store_id != product.store_id:
        raise RuleViolation(msg("a product's store cannot be changed"))
    states.require_editable(product.state)
    changes = await _apply_fields(session, actor, product, patch)
    changes.update(await _apply_images(session, actor, product, patch))
    if "category_ids" in given:
        changes.update(await _apply_categories(session, actor, product, patch.category_ids or []))
    push = await after_edit(session, actor, product, changes, author_of(actor, job_id), "edited")
    return EditResult(product=await records.product_out(session, product), push=push)


async def _apply_fields(
    session: AsyncSession, actor: Actor, product: Product, patch: ProductPatch
) -> dict[str, list[Any]]:
    given = patch.model_fields_set
    new = {name: getattr(patch, name) for name in SCALAR_FIELDS if name in given}
    for required in ("title", "description", "tags", "tags_translated", "language"):
        if required in new and new[required] is None:
            raise RuleViolation(msg("%(field)s cannot be empty (null)", field=required))
    old = {name: getattr(product, name) for name in new}
    changes = history.diff(old, new)
    if "parent_sku" in changes:
        if product.state in states.ON_PLATFORM_STATES:
            raise RuleViolation(
                msg(
                    "the parent SKU of a listing on the platform cannot be changed "
                    "(the platform knows the listing by it)"
                )
            )
        await records.require_free_parent_sku(
            session, actor.account_id, product.store_id, new["parent_sku"], product_id=product.id
        )
    for name in changes:
        setattr(product, name, new[name])
    return changes


async def _apply_images(
    session: AsyncSession, actor: Actor, product: Product, patch: ProductPatch
) -> dict[str, list[Any]]:
    given = patch.model_fields_set
    replace_main = "main_image" in given
    replace_extras = "extra_images" in given
    if not (replace_main or replace_extras):
        return {}
    assert product.id is not None
    refs = [patch.main_image, *(patch.extra_images or [])]
    await records.require_images(session, actor.account_id, [r for r in refs if r is not None])
    before = await records.product_out(session, product)
    await records.replace_product_images(
        session,
        actor.account_id,
        product.id,
        main=patch.main_image,
        extras=patch.extra_images,
        replace_main=replace_main,
        replace_extras=replace_extras,
    )
    after = await records.product_out(session, product)

    def pictures(out: ProductOut) -> list[str]:
        return [
            f"{image.role}:{image.image_id or image.url}"
            for image in out.images
            if image.role is not ImageRole.VARIANT
        ]

    return history.diff({"images": pictures(before)}, {"images": pictures(after)})


async def _apply_categories(
    session: AsyncSession, actor: Actor, product: Product, category_ids: Sequence[int]
) -> dict[str, list[Any]]:
    assert product.id is not None
    wanted = await records.require_categories(session, actor.account_id, category_ids)
    before = (await records.product_out(session, product)).category_ids
    if sorted(before) == sorted(wanted):
        return {}
    await records.set_categories(session, actor.account_id, product.id, wanted)
    return {"category_ids": [before, wanted]}


async def after_edit(
    session: AsyncSession,
    actor: Actor,
    product: Product,
    changes: dict[str, list[Any]],
    author: Author,
    action: str,
) -> PushIntent | None:
    """Record the edit and start the push when the platform must learn about it."""
    if not changes:
        return None
    assert product.id is not None
    push = None
    if product.state in states.ON_PLATFORM_STATES and set(changes) - PRIVATE_FIELDS:
        product.is_updating = True
        product.update_error = None
        push = PushIntent(product_ids=[product.id])
    product.updated_at = utcnow()
    session.add(product)
    await session.flush()
    await history.record(session, actor.account_id, product.id, action, author, changes)
    return push


async def delete_product(session: AsyncSession, actor: Actor, product_id: int) -> None:
    """Delete one product permanently (rules 5, 6).

    Raises:
        NotFound: not the account's product.
        RuleViolation: it is published or delisted ("delist instead"), or being published.
    """
    result = await delete_products(session, actor, [product_id])
    if result.refused:
        reason = result.refused[0].reason
        if reason == "not found":
            raise NotFound(msg("product %(id)s not found", id=product_id))
        raise RuleViolation(reason)


async def delete_products(
    session: AsyncSession, actor: Actor, product_ids: Sequence[int]
) -> DeleteResult:
    """Delete the deletable products among ``product_ids`` permanently; say why not the rest.

    Deletion has no trash; the UI asks for confirmation naming ``len(product_ids)``.
    """
    require_write(actor)
    requested = list(dict.fromkeys(product_ids))
    found = await load_products(session, actor, requested, for_update=True)
    refused: list[Refusal] = []
    deletable: list[int] = []
    for product_id in requested:
        product = found.get(product_id)
        refusal = msg("not found") if product is None else states.deletion_refusal(product.state)
        if refusal:
            refused.append(Refusal(product_id=product_id, reason=refusal))
        else:
            deletable.append(product_id)
    for start in range(0, len(deletable), 500):
        chunk = deletable[start : start + 500]
        await session.exec(
            delete(Product).where(
                col(Product.account_id) == actor.account_id,
                col(Product.id).in_(chunk),
            )
        )
    return DeleteResult(
        requested=len(requested), deleted=len(deletable), deleted_ids=deletable, refused=refused
    )


async def product_history(
    session: AsyncSession, actor: Actor, product_id: int, *, limit: int = 100
) -> list[HistoryEntry]:
    """The product's history, newest first."""
    require_read(actor)
    await load_product(session, actor, product_id)
    rows = await session.exec(
        select(ProductHistory)
        .where(
            col(ProductHistory.account_id) == actor.account_id,
            col(ProductHistory.product_id) == product_id,
        )
        .order_by(col(ProductHistory.created_at).desc(), col(ProductHistory.id).desc())
        .limit(limit)
    )
    return [HistoryEntry.model_validate(row, from_attributes=True) for row in rows.all()]


__all__ = [
    "PRIVATE_FIELDS",
    "create_from_collected",
    "create_product",
    "delete_product",
    "delete_products",
    "get_product",
    "html_to_text",
    "product_history",
    "update_product",
]
