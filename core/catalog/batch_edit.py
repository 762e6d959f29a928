"""Batch edit (rule 10): preview the first rows, then apply exactly that to the selection.

A selection is explicit product ids, or a filter with ``all_matching``. Both :func:`preview`
and :func:`apply` build the same snapshots and run the same pure operations
(:mod:`core.catalog.batch_operations`), so the preview is the result. Products being published
are refused per product; listings on the platform that change publicly are marked "updating"
and returned as one push intent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import batch_operations, history, records, states
from core.catalog.access import load_products, require_read, require_write
from core.catalog.batch_operations import (
    AddCategories,
    Operation,
    ProductDraft,
    SetCategories,
    VariantDraft,
)
from core.catalog.history import author_of
from core.catalog.listing_query import Selection, selected_ids
from core.catalog.schemas import PushIntent, Refusal
from core.errors import RuleViolation
from core.i18n import MessageText, message_of, msg
from core.interfaces.listings import ORIGIN_COUNTRY_FIELD
from core.models.base import utcnow
from core.models.catalog import Product, ProductCategory, Variant

CHUNK = 200
PRIVATE_CHANGES = frozenset({"category_ids"})

__all__ = ["Selection", "apply", "apply_to_ids", "preview", "selected_ids"]


class FieldChange(BaseModel):
    """One field before and after."""

    field: str
    before: Any
    after: Any


class PreviewRow(BaseModel):
    """What the batch does to one product (or why it leaves it alone)."""

    product_id: int
    parent_sku: str | None
    title: str
    changes: list[FieldChange]
    refused: MessageText | None = None


class Preview(BaseModel):
    """How many products the selection holds, and the first rows of changes."""

    matched: int
    rows: list[PreviewRow]


class BatchEditResult(BaseModel):
    """Outcome of :func:`apply`."""

    matched: int
    changed: int
    unchanged: int
    refused: list[Refusal]
    push: PushIntent | None = None


async def load_drafts(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> list[ProductDraft]:
    """Snapshots of the visible products among ``ids``, in that order."""
    found = await load_products(session, actor, ids, for_update=True)
    present = [found[product_id] for product_id in ids if product_id in found]
    variants: dict[int, list[VariantDraft]] = defaultdict(list)
    categories: dict[int, list[int]] = defaultdict(list)
    if present:
        keys = [product.id for product in present]
        for row in (
            await session.exec(
                select(Variant)
                .where(col(Variant.product_id).in_(keys))
                .order_by(col(Variant.position), col(Variant.id))
            )
        ).all():
            assert row.id is not None
            variants[row.product_id].append(
                VariantDraft(
                    id=row.id,
                    sku=row.sku,
                    price=row.price,
                    currency=row.currency,
                    shipping_price=row.shipping_price,
                    msrp=row.msrp,
                    cost=row.cost,
                    inventory=row.inventory,
                )
            )
        for product_id, category_id in (
            await session.exec(
                select(ProductCategory.product_id, ProductCategory.category_id)
                .where(col(ProductCategory.product_id).in_(keys))
                .order_by(col(ProductCategory.id))
            )
        ).all():
            categories[product_id].append(category_id)
    drafts = []
    for product in present:
        assert product.id is not None
        drafts.append(
            ProductDraft(
                id=product.id,
                parent_sku=product.parent_sku,
                state=product.state,
                title=product.title,
                description=product.description,
                tags=[str(tag) for tag in product.tags],
                category_ids=categories.get(product.id, []),
                variants=variants.get(product.id, []),
                platform_category_id=product.platform_category_id,
                origin_country=(product.platform_data or {}).get(ORIGIN_COUNTRY_FIELD),
            )
        )
    return drafts


def _outcome(
    draft: ProductDraft, operations: Sequence[Operation]
) -> tuple[ProductDraft | None, dict[str, list[Any]], str | None]:
    refusal = states.edit_refusal(draft.state)
    if refusal:
        return None, {}, refusal
    try:
        after = batch_operations.edit(draft, operations)
    except RuleViolation as exc:
        return None, {}, message_of(exc)
    return after, batch_operations.changes(draft, after), None


async def _check(session: AsyncSession, actor: Actor, operations: Sequence[Operation]) -> None:
    batch_operations.check_operations(operations)
    wanted = [
        category_id
        for operation in operations
        if isinstance(operation, SetCategories | AddCategories)
        for category_id in operation.category_ids
    ]
    await records.require_categories(session, actor.account_id, wanted)


async def preview(
    session: AsyncSession,
    actor: Actor,
    selection: Selection,
    operations: Sequence[Operation],
    *,
    limit: int = 20,
) -> Preview:
    """The first ``limit`` products of the selection before and after (nothing is written).

    Raises:
        RuleViolation: no operation, or a formula that cannot be read.
        NotFound: a category that is not the account's.
    """
    require_read(actor)
    await _check(session, actor, operations)
    ids = await selected_ids(session, actor, selection)
    rows = []
    for draft in await load_drafts(session, actor, ids[: max(limit, 0)]):
        _after, found, refusal = _outcome(draft, operations)
        rows.append(
            PreviewRow(
                product_id=draft.id,
                parent_sku=draft.parent_sku,
                title=draft.title,
                changes=[FieldChange(field=k, before=v[0], after=v[1]) for k, v in found.items()],
                refused=refusal,
            )
        )
    return Preview(matched=len(ids), rows=rows)


async def apply(
    session: AsyncSession,
    actor: Actor,
    selection: Selection,
    operations: Sequence[Operation],
    *,
    job_id: int | None = None,
) -> BatchEditResult:
    """Apply ``operations`` to every product of the selection, in the caller's transaction."""
    require_write(actor)
    await _check(session, actor, operations)
    ids = await selected_ids(session, actor, selection)
    total = BatchEditResult(matched=0, changed=0, unchanged=0, refused=[])
    for start in range(0, len(ids), CHUNK):
        part = await apply_to_ids(
            session, actor, ids[start : start + CHUNK], operations, job_id=job_id, checked=True
        )
        total = merge_results(total, part)
    return total


def merge_results(total: BatchEditResult, part: BatchEditResult) -> BatchEditResult:
    """Add the outcome of one chunk to the running total."""
    pushed = [
        *(total.push.product_ids if total.push else []),
        *(part.push.product_ids if part.push else []),
    ]
    return BatchEditResult(
        matched=total.matched + part.matched,
        changed=total.changed + part.changed,
        unchanged=total.unchanged + part.unchanged,
        refused=[*total.refused, *part.refused],
        push=PushIntent(product_ids=pushed) if pushed else None,
    )


async def apply_to_ids(
    session: AsyncSession,
    actor: Actor,
    product_ids: Sequence[int],
    operations: Sequence[Operation],
    *,
    job_id: int | None = None,
    checked: bool = False,
) -> BatchEditResult:
    """Apply ``operations`` to some products (one chunk of a batch job)."""
    require_write(actor)
    if not checked:
        await _check(session, actor, operations)
    drafts = await load_drafts(session, actor, product_ids)
    found = {draft.id for draft in drafts}
    result = BatchEditResult(
        matched=len(drafts),
        changed=0,
        unchanged=0,
        refused=[
            Refusal(product_id=i, reason=msg("not found")) for i in product_ids if i not in found
        ],
    )
    author = author_of(actor, job_id)
    pushed: list[int] = []
    history_rows = []
    for draft in drafts:
        after, found_changes, refusal = _outcome(draft, operations)
        if refusal or after is None:
            result.refused.append(Refusal(product_id=draft.id, reason=refusal or msg("refused")))
            continue
        if not found_changes:
            result.unchanged += 1
            continue
        public = bool(set(found_changes) - PRIVATE_CHANGES)
        push = draft.state in states.ON_PLATFORM_STATES and public
        await _write(session, actor, draft, after, found_changes, push=push)
        if push:
            pushed.append(draft.id)
        history_rows.append(
            history.history_row(actor.account_id, draft.id, "batch_edited", author, found_changes)
        )
        result.changed += 1
    await history.record_many(session, history_rows)
    result.push = PushIntent(product_ids=pushed) if pushed else None
    return result


async def _write(
    session: AsyncSession,
    actor: Actor,
    before: ProductDraft,
    after: ProductDraft,
    found: dict[str, list[Any]],
    *,
    push: bool,
) -> None:
    values: dict[str, Any] = {"updated_at": utcnow()}
    for name in ("title", "description", "tags", "platform_category_id"):
        if name in found:
            values[name] = getattr(after, name)
    if "origin_country" in found:
        # The product is already in the session (loaded FOR UPDATE by load_drafts).
        product = await session.get(Product, after.id)
        assert product is not None
        values["platform_data"] = {
            **(product.platform_data or {}),
            ORIGIN_COUNTRY_FIELD: after.origin_country,
        }
    if push:
        values.update(is_updating=True, update_error=None)
    await session.exec(
        update(Product)
        .where(col(Product.id) == after.id, col(Product.account_id) == actor.account_id)
        .values(**values)
    )
    if "category_ids" in found:
        await records.set_categories(session, actor.account_id, after.id, after.category_ids)
    for old, new in zip(before.variants, after.variants, strict=True):
        changed = {
            name: getattr(new, name)
            for name in ("price", "currency", "shipping_price", "msrp", "inventory")
            if getattr(old, name) != getattr(new, name)
        }
        if changed:
            await session.exec(update(Variant).where(col(Variant.id) == new.id).values(**changed))
