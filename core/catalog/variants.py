"""Variants of a product: add, edit, remove (the editor's grid).

SKUs are unique within the product and within its store. A variant that exists on the
platform (it has a platform variant id) keeps its SKU and cannot be removed — the platform
knows it by that SKU; disable it (``is_enabled = false``) instead. Edits of listings on the
platform return the push to enqueue, as product edits do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import records, states
from core.catalog.access import load_product, require_write
from core.catalog.history import author_of, diff
from core.catalog.products import after_edit
from core.catalog.schemas import EditResult, VariantIn, VariantPatch
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.models.catalog import Product, Variant


async def add_variant(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    data: VariantIn,
    *,
    job_id: int | None = None,
) -> EditResult:
    """Add a variant at the end of the product's grid.

    Raises:
        NotFound: not the account's product or picture.
        RuleViolation: the SKU is taken in the product or the store; the product is being
            published.
    """
    require_write(actor)
    product = await _editable_product(session, actor, product_id)
    assert product.id is not None
    await records.require_free_skus(session, product.store_id, [data.sku], product_id=product.id)
    if data.image is not None:
        await records.require_images(session, actor.account_id, [data.image])
    last = (
        await session.exec(
            select(func.max(Variant.position)).where(col(Variant.product_id) == product.id)
        )
    ).one()
    variant = Variant(
        account_id=actor.account_id,
        product_id=product.id,
        store_id=product.store_id,
        position=0 if last is None else last + 1,
        **records.variant_values(data),
    )
    session.add(variant)
    await session.flush()
    assert variant.id is not None
    if data.image is not None:
        await records.set_variant_image(
            session, actor.account_id, product.id, variant.id, data.image
        )
    new = _snapshot(variant)
    changes = {f"variants[{data.sku}]": [None, new]}
    push = await after_edit(
        session, actor, product, changes, author_of(actor, job_id), "variant_added"
    )
    return EditResult(product=await records.product_out(session, product), push=push)


async def update_variant(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    variant_id: int,
    patch: VariantPatch,
    *,
    job_id: int | None = None,
) -> EditResult:
    """Change the fields of one variant that ``patch`` gives.

    Raises:
        NotFound: not the account's product, variant or picture.
        RuleViolation: the new SKU is taken, or the SKU of a variant on the platform would
            change; the product is being published.
    """
    require_write(actor)
    product = await _editable_product(session, actor, product_id)
    variant = await _load_variant(session, product, variant_id)
    given = patch.model_fields_set
    new: dict[str, Any] = {
        name: getattr(patch, name) for name in records.VARIANT_FIELDS if name in given
    }
    if "options" in given:
        new["options"] = records.options_list(patch.options or {})
    for required in ("sku", "price", "currency", "inventory", "is_enabled", "options"):
        if required in new and new[required] is None:
            raise RuleViolation(msg("%(field)s cannot be empty (null)", field=required))
    old = {name: getattr(variant, name) for name in new}
    changes = diff(old, new)
    if "sku" in changes:
        if variant.platform_variant_id:
            raise RuleViolation(
                msg("the SKU of a variant on the platform cannot be changed; add a new variant")
            )
        await records.require_free_skus(
            session,
            product.store_id,
            [new["sku"]],
            product_id=product.id,
            exclude_variant_ids=[variant_id],
        )
    for name in changes:
        setattr(variant, name, new[name])
    session.add(variant)
    if "image" in given:
        assert product.id is not None
        if patch.image is not None:
            await records.require_images(session, actor.account_id, [patch.image])
        await records.set_variant_image(
            session, actor.account_id, product.id, variant_id, patch.image
        )
        changes["image"] = [None, patch.image.model_dump() if patch.image else None]
    await session.flush()
    labelled = {f"variants[{variant.sku}].{name}": value for name, value in changes.items()}
    push = await after_edit(
        session, actor, product, labelled, author_of(actor, job_id), "variant_edited"
    )
    return EditResult(product=await records.product_out(session, product), push=push)


async def remove_variant(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    variant_id: int,
    *,
    job_id: int | None = None,
) -> EditResult:
    """Remove a variant that is not on the platform.

    Raises:
        NotFound: not the account's product or variant.
        RuleViolation: the variant exists on the platform (disable it instead); the product is
            being published.
    """
    require_write(actor)
    product = await _editable_product(session, actor, product_id)
    variant = await _load_variant(session, product, variant_id)
    if variant.platform_variant_id:
        raise RuleViolation(
            msg(
                "variant %(sku)s exists on the platform and cannot be removed; disable it instead",
                sku=repr(variant.sku),
            )
        )
    old = _snapshot(variant)
    await session.delete(variant)
    await session.flush()
    changes = {f"variants[{variant.sku}]": [old, None]}
    push = await after_edit(
        session, actor, product, changes, author_of(actor, job_id), "variant_removed"
    )
    return EditResult(product=await records.product_out(session, product), push=push)


async def _editable_product(session: AsyncSession, actor: Actor, product_id: int) -> Product:
    product = await load_product(session, actor, product_id, for_update=True)
    states.require_editable(product.state)
    return product


async def _load_variant(session: AsyncSession, product: Product, variant_id: int) -> Variant:
    variant = (
        await session.exec(
            select(Variant).where(
                col(Variant.id) == variant_id, col(Variant.product_id) == product.id
            )
        )
    ).one_or_none()
    if variant is None:
        raise NotFound(msg("variant %(id)s not found", id=variant_id))
    return variant


def _snapshot(variant: Variant) -> dict[str, Any]:
    values = {name: getattr(variant, name) for name in records.VARIANT_FIELDS}
    values["options"] = records.options_dict(variant.options)
    return values
