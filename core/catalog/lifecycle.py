"""State changes of a product's life on the platform, each checked by the state machine.

The publishing jobs (and later the platform sync) call these; they take the caller's session
and write a history row for every change. They never talk to a platform themselves: see
:mod:`core.catalog.publishing` for the calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import history, states
from core.catalog.access import load_product, require_write
from core.catalog.history import author_of
from core.catalog.states import ProductAction
from core.interfaces.common import Problem
from core.interfaces.listings import ListingRecord
from core.models.base import utcnow
from core.models.catalog import Product, Variant


async def _move(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    action: ProductAction,
    *,
    job_id: int | None,
    changes: dict[str, Any] | None = None,
    message: str | None = None,
) -> Product:
    require_write(actor)
    product = await load_product(session, actor, product_id, for_update=True)
    new_state = states.next_state(product.state, action)
    all_changes = {"state": [product.state, new_state], **(changes or {})}
    product.state = new_state
    product.updated_at = utcnow()
    session.add(product)
    await session.flush()
    assert product.id is not None
    await history.record(
        session,
        actor.account_id,
        product.id,
        action.value,
        author_of(actor, job_id),
        all_changes,
        message,
    )
    return product


async def begin_publish(
    session: AsyncSession, actor: Actor, product_id: int, *, job_id: int | None = None
) -> Product:
    """Draft or publish-failed -> publishing (the listing is about to be sent)."""
    product = await _move(session, actor, product_id, ProductAction.START_PUBLISH, job_id=job_id)
    product.publish_error = None
    product.problems = []
    product.problem_count = 0
    session.add(product)
    await session.flush()
    return product


async def publish_succeeded(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    listing: ListingRecord,
    *,
    job_id: int | None = None,
) -> Product:
    """Publishing -> published; binds the platform's ids to the product and its variants."""
    product = await _move(
        session,
        actor,
        product_id,
        ProductAction.PUBLISH_SUCCEEDED,
        job_id=job_id,
        changes={"platform_product_id": [None, listing.listing_id]},
    )
    product.platform_product_id = listing.listing_id
    product.platform_state = listing.platform_status
    product.published_at = utcnow()
    product.last_synced_at = utcnow()
    session.add(product)
    await bind_variants(session, product, listing)
    await session.flush()
    return product


async def bind_variants(session: AsyncSession, product: Product, listing: ListingRecord) -> None:
    """Record the platform's variant ids on our variants, matched by SKU."""
    remote = {variant.sku: variant.variant_id for variant in listing.variants}
    if not remote:
        return
    variants = (
        await session.exec(select(Variant).where(col(Variant.product_id) == product.id))
    ).all()
    for variant in variants:
        remote_id = remote.get(variant.sku)
        if remote_id and variant.platform_variant_id != remote_id:
            variant.platform_variant_id = remote_id
            session.add(variant)


async def publish_failed(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    reason: str,
    *,
    job_id: int | None = None,
) -> Product:
    """Publishing -> publish failed, keeping the platform's reason."""
    product = await _move(
        session, actor, product_id, ProductAction.PUBLISH_FAILED, job_id=job_id, message=reason
    )
    product.publish_error = reason
    session.add(product)
    await session.flush()
    return product


async def return_to_draft(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    reason: str,
    *,
    job_id: int | None = None,
) -> Product:
    """Publishing -> draft: the attempt stopped before anything was sent."""
    return await _move(
        session, actor, product_id, ProductAction.RETURN_TO_DRAFT, job_id=job_id, message=reason
    )


async def record_problems(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    problems: Sequence[Problem],
    *,
    job_id: int | None = None,
) -> Product:
    """Keep the validation problems on the product (the state does not change)."""
    require_write(actor)
    product = await load_product(session, actor, product_id, for_update=True)
    found = [problem_dict(problem) for problem in problems]
    product.problems = found
    product.problem_count = len(found)
    session.add(product)
    await session.flush()
    if found:
        assert product.id is not None
        await history.record(
            session,
            actor.account_id,
            product.id,
            "validation_failed",
            author_of(actor, job_id),
            message=format_problems(problems),
        )
    return product


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as JSON (kept on the product and shown field by field)."""
    return {
        "field": problem.field,
        "code": problem.code,
        "message": problem.message,
        "params": history.json_safe(problem.params),
        "severity": problem.severity.value,
    }


def format_problems(problems: Sequence[Problem]) -> str:
    """Every problem on its own line: ``field: message``."""
    return "\n".join(f"{problem.field}: {problem.message}" for problem in problems)


async def mark_delisted(
    session: AsyncSession, actor: Actor, product_id: int, *, job_id: int | None = None
) -> Product:
    """Published -> delisted (after the platform took it off sale)."""
    product = await _move(session, actor, product_id, ProductAction.DELIST, job_id=job_id)
    product.delisted_at = utcnow()
    session.add(product)
    await session.flush()
    return product


async def mark_relisted(
    session: AsyncSession, actor: Actor, product_id: int, *, job_id: int | None = None
) -> Product:
    """Delisted -> published (after the platform put it back on sale)."""
    product = await _move(session, actor, product_id, ProductAction.RELIST, job_id=job_id)
    product.delisted_at = None
    session.add(product)
    await session.flush()
    return product


async def update_settled(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    *,
    error: str | None,
    listing: ListingRecord | None = None,
    job_id: int | None = None,
) -> Product:
    """A pushed edit landed (``error`` None) or was refused; the product stops "updating"."""
    require_write(actor)
    product = await load_product(session, actor, product_id, for_update=True)
    product.is_updating = False
    product.update_error = error
    if listing is not None:
        product.platform_state = listing.platform_status
        await bind_variants(session, product, listing)
    session.add(product)
    await session.flush()
    assert product.id is not None
    await history.record(
        session,
        actor.account_id,
        product.id,
        "update_failed" if error else "update_pushed",
        author_of(actor, job_id),
        message=error,
    )
    return product
