"""Catalog batches as job functions: ``async def job(ctx, payload) -> result``.

Each one works item by item (a product), records every outcome with ``ctx.item_done``,
``item_failed`` (the reason, field by field for validation problems) or ``item_skipped``, and
skips the items a previous attempt finished (``ctx.finished_items()``), so a retried job
resumes where it stopped. Every product is handled in its own transaction(s), so one bad
product never undoes the others. The payload carries the acting user's permissions
(:func:`actor_payload`), so a job is allowed exactly what its starter was.

The queue module registers :data:`CATALOG_JOBS` (see :func:`register_catalog_jobs`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from core.actor import Access, Actor, Area
from core.catalog import (
    batch_edit,
    claiming,
    import_writer,
    importing,
    products,
    publishing,
    states,
    tally,
)
from core.catalog.batch_operations import Operation
from core.catalog.listing_query import Selection, selected_ids
from core.catalog.publishing import ItemResult, Outcome, StoreConnector
from core.errors import PermanentError, TradewindError, TransientError
from core.i18n import N_, STORE_MESSAGES, joined, message_of, msg
from core.interfaces.jobs import ItemReport, JobContext, JobDefinition

PUSH_UPDATES_JOB = "catalog.push_updates"
_OPERATIONS = TypeAdapter(list[Operation])


def actor_payload(actor: Actor) -> dict[str, Any]:
    """The actor as JSON for a job payload."""
    return {
        "account_id": actor.account_id,
        "user_id": actor.user_id,
        "is_owner": actor.is_owner,
        "access": {area.value: int(level) for area, level in actor.access.items()},
        "store_ids": sorted(actor.store_ids) if actor.store_ids is not None else None,
    }


def actor_from_payload(ctx: JobContext, payload: dict[str, Any]) -> Actor:
    """The actor a job acts as (its starter; the account must be the job's)."""
    data = payload.get("actor") or {}
    account_id = data.get("account_id", ctx.account_id)
    if account_id is None or (ctx.account_id is not None and account_id != ctx.account_id):
        raise PermanentError(msg("the job's account does not match its payload"))
    store_ids = data.get("store_ids")
    return Actor(
        account_id=int(account_id),
        user_id=data.get("user_id"),
        is_owner=bool(data.get("is_owner", True)),
        access={Area(area): Access(level) for area, level in data.get("access", {}).items()},
        store_ids=frozenset(store_ids) if store_ids is not None else None,
    )


def connector_for(ctx: JobContext) -> StoreConnector:
    """The store connector of the running process: credentials refreshed when near expiry."""
    from core.crypto import CredentialCipher
    from core.stores.connector import StoresConnector

    return StoresConnector(
        ctx.sessions,
        ctx.registry.marketplaces,
        ctx.http,
        CredentialCipher.from_settings(ctx.settings),
    )


async def _product_ids(ctx: JobContext, actor: Actor, payload: dict[str, Any]) -> list[int]:
    if "product_ids" in payload:
        return [int(i) for i in payload["product_ids"]]
    selection = Selection.model_validate(payload["selection"])
    async with ctx.sessions() as session:
        return await selected_ids(session, actor, selection)


async def _for_each(
    ctx: JobContext,
    keys: Iterable[int],
    handle: Callable[[int], Awaitable[ItemResult]],
) -> dict[str, Any]:
    """Run ``handle`` per product not finished yet; record outcomes; count them."""
    keys = list(keys)
    await ctx.set_total(len(keys))
    finished = await ctx.finished_items()
    counts = {outcome.value: 0 for outcome in Outcome}
    for product_id in keys:
        key = str(product_id)
        if key in finished:
            continue
        if await ctx.is_cancelled():
            return {**counts, "cancelled": True}
        try:
            result = await handle(product_id)
        except TransientError:
            raise  # the queue retries the job; finished items are skipped then
        except TradewindError as exc:  # rule refusals, not found, permission, platform "no"
            result = ItemResult(Outcome.FAILED, message_of(exc))
        counts[result.outcome.value] += 1
        if result.outcome is Outcome.DONE:
            await ctx.item_done(key, note=result.message)
        elif result.outcome is Outcome.SKIPPED:
            await ctx.item_skipped(key, result.message)
        else:
            await ctx.item_failed(key, result.message)
    return counts


async def publish_products_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Publish products: ``{"actor", "product_ids" | "selection"}``."""
    actor = actor_from_payload(ctx, payload)
    connector = connector_for(ctx)

    async def handle(product_id: int) -> ItemResult:
        return await publishing.publish_one(
            ctx.sessions, actor, connector, product_id, job_id=ctx.job_id
        )

    return await _for_each(ctx, await _product_ids(ctx, actor, payload), handle)


async def push_updates_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Push edits of listings on the platform: ``{"actor", "product_ids"}``."""
    actor = actor_from_payload(ctx, payload)
    connector = connector_for(ctx)

    async def handle(product_id: int) -> ItemResult:
        return await publishing.push_update_one(
            ctx.sessions, actor, connector, product_id, job_id=ctx.job_id
        )

    return await _for_each(ctx, await _product_ids(ctx, actor, payload), handle)


def _sale_state_job(action: states.ProductAction) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        actor = actor_from_payload(ctx, payload)
        connector = connector_for(ctx)

        async def handle(product_id: int) -> ItemResult:
            return await publishing.change_sale_state(
                ctx.sessions, actor, connector, product_id, action, job_id=ctx.job_id
            )

        return await _for_each(ctx, await _product_ids(ctx, actor, payload), handle)

    job.__doc__ = f"{action.value.title()} products: ``{{'actor', 'product_ids' | 'selection'}}``."
    return job


delist_products_job = _sale_state_job(states.ProductAction.DELIST)
relist_products_job = _sale_state_job(states.ProductAction.RELIST)


async def delete_products_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Delete products permanently: ``{"actor", "product_ids" | "selection"}``."""
    actor = actor_from_payload(ctx, payload)

    async def handle(product_id: int) -> ItemResult:
        async with ctx.sessions() as session, session.begin():
            result = await products.delete_products(session, actor, [product_id])
        if result.refused:
            return ItemResult(Outcome.FAILED, result.refused[0].reason)
        return ItemResult(Outcome.DONE, msg("deleted"))

    return await _for_each(ctx, await _product_ids(ctx, actor, payload), handle)


async def claim_products_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Claim products to stores: ``{"actor", "product_ids" | "selection", "store_ids"}``.

    A product is done when it was claimed to every store or already was; otherwise it fails
    with the reason per store.
    """
    actor = actor_from_payload(ctx, payload)
    store_ids = [int(i) for i in payload["store_ids"]]

    async def handle(product_id: int) -> ItemResult:
        async with ctx.sessions() as session, session.begin():
            result = await claiming.claim_products(
                session, actor, [product_id], store_ids, job_id=ctx.job_id
            )
        real = [r for r in result.refused if not claiming.is_already_claimed(r.reason)]
        if real:
            reasons = (
                msg("store %(store)s: %(reason)s", store=r.store_id, reason=r.reason) for r in real
            )
            return ItemResult(Outcome.FAILED, joined(reasons, "; "))
        made = ", ".join(str(copy.product_id) for copy in result.claimed)
        if not made:
            return ItemResult(Outcome.SKIPPED, msg("already claimed to these stores"))
        return ItemResult(Outcome.DONE, msg("claimed as drafts %(ids)s", ids=made))

    return await _for_each(ctx, await _product_ids(ctx, actor, payload), handle)


async def batch_edit_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Batch edit: ``{"actor", "product_ids" | "selection", "operations"}``.

    Products that changed on the platform get one push job (``catalog.push_updates``).
    """
    actor = actor_from_payload(ctx, payload)
    operations = _OPERATIONS.validate_python(payload["operations"])
    pushed: list[int] = []

    async def handle(product_id: int) -> ItemResult:
        async with ctx.sessions() as session, session.begin():
            result = await batch_edit.apply_to_ids(
                session, actor, [product_id], operations, job_id=ctx.job_id
            )
        if result.refused:
            return ItemResult(Outcome.FAILED, result.refused[0].reason)
        if result.push:
            pushed.extend(result.push.product_ids)
        if result.unchanged:
            return ItemResult(Outcome.SKIPPED, msg("nothing to change"))
        return ItemResult(Outcome.DONE, msg("changed"))

    counts = await _for_each(ctx, await _product_ids(ctx, actor, payload), handle)
    if pushed:
        counts["push_job_id"] = await ctx.enqueue(
            PUSH_UPDATES_JOB,
            {"actor": payload.get("actor"), "product_ids": pushed},
            account_id=actor.account_id,
            title="Push edited listings",
        )
    return counts


FILE_ITEM = "(file)"
"""Item key of an import's problems that belong to no product (the file, a row without a
parent SKU); its label is the file name."""

_WRITE_NOTES = {
    "created": N_("created in the collection box"),
    "updated": N_("updated from the file"),
    "skipped": N_("already in the collection box; left as it is"),
}


async def import_products_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Import a spreadsheet: ``{"actor", "path", "file_name", "options"}``.

    Items are parent SKUs: each written product is done ("created" / "updated"), each one
    left alone because it already exists is skipped, each one with problems fails with its
    problems, row by row. Problems that belong to no product fail the item ``file``. So a
    file with some bad rows ends ``partial``, one where nothing could be written ``failed``.
    The result keeps the report (problems in their translatable form). The uploaded file is
    left for the caller to remove.
    """
    actor = actor_from_payload(ctx, payload)
    options = importing.ImportOptions.model_validate(payload.get("options") or {})
    file_name = payload.get("file_name") or Path(payload["path"]).name

    async def progress(settled: int, total: int) -> None:
        await ctx.set_total(total)

    async def written(settled: list[import_writer.WrittenProduct]) -> None:
        await ctx.record_items(
            [
                ItemReport(
                    key=product.parent_sku[:300],
                    outcome="skipped" if product.outcome == "skipped" else "done",
                    message=msg(_WRITE_NOTES[product.outcome]),
                )
                for product in settled
            ]
        )

    report = await importing.import_file(
        ctx.sessions,
        actor,
        Path(payload["path"]),
        file_name,
        options,
        job_id=ctx.job_id,
        progress=progress,
        written=written,
    )
    if report.created:  # thousands of +1 rows: fold them now, not on the next page shown
        await tally.fold_after_bulk_write(ctx.sessions, actor.account_id)
    failures = _failed_items(report, file_name)
    await ctx.record_items(failures)
    await ctx.set_total(report.created + report.updated + report.skipped + len(failures))
    result = report.model_dump(mode="json", exclude={"problems"})
    result["problem_count"] = len(report.problems)
    result["problems"] = [
        problem.model_dump(mode="json", context=STORE_MESSAGES)
        for problem in report.problems[:IMPORT_PROBLEMS_KEPT]
    ]
    return result


IMPORT_PROBLEMS_KEPT = 1000
"""Problems kept in an import job's result (the page shows them with row and column)."""


def _failed_items(report: importing.ImportReport, file_name: str) -> list[ItemReport]:
    """One failed item per product with errors (its problems, row by row), plus ``file``."""
    lines: dict[str, list[str]] = {}
    for problem in report.problems:
        if problem.severity != "error":
            continue
        line = (
            msg("row %(row)s: %(problem)s", row=problem.row, problem=problem.message)
            if problem.row
            else problem.message
        )
        lines.setdefault(problem.parent_sku or FILE_ITEM, []).append(line)
    return [
        ItemReport(
            key=key[:300],
            outcome="failed",
            message=joined(found),
            label=file_name if key == FILE_ITEM else "",
        )
        for key, found in lines.items()
    ]


CATALOG_JOBS: tuple[JobDefinition, ...] = (
    JobDefinition("catalog.claim", claim_products_job, title="Claim products to stores"),
    JobDefinition("catalog.publish", publish_products_job, title="Publish products"),
    JobDefinition(PUSH_UPDATES_JOB, push_updates_job, title="Push edited listings"),
    JobDefinition("catalog.delist", delist_products_job, title="Delist products"),
    JobDefinition("catalog.relist", relist_products_job, title="Relist products"),
    JobDefinition("catalog.delete", delete_products_job, title="Delete products"),
    JobDefinition("catalog.batch_edit", batch_edit_job, title="Batch edit products"),
    JobDefinition("catalog.import", import_products_job, title="Import products"),
)
"""Every catalog job, for the queue's registry."""


def register_catalog_jobs(register: Callable[[JobDefinition], None]) -> None:
    """Hand every catalog job to ``register`` (the ``register_jobs`` hook's callable)."""
    for definition in CATALOG_JOBS:
        register(definition)
