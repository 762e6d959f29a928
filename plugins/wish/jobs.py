"""The Wish plugin's background jobs and their schedule.

- ``wish.sync_orders`` ``{"store_id": int, "full"?: bool}``: pull one store's orders
  (:func:`plugins.wish.sync.sync_orders`); the result is the sync report.
- ``wish.sync_products`` ``{"store_id": int, "full"?: bool}``: pull one store's listings.
- ``wish.sync_all`` ``{"streams"?: ["orders", "products"]}``: enqueue both syncs for every
  active Wish store (one job per store and stream, de-duplicated while one is queued); the
  cron schedule ``wish.sync_all.schedule`` runs it every ``sync_interval_minutes``.

Publishing belongs to the catalog's jobs, which call the adapter
(:class:`~plugins.wish.client.WishMarketplace`) through the registry.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.crypto import CredentialCipher
from core.errors import PermanentError
from core.i18n import msg
from core.interfaces.jobs import CronDefinition, JobContext, JobDefinition
from core.models import Store, StoreStatus
from plugins.wish.client import WishMarketplace
from plugins.wish.settings import PLUGIN_ID, WishSettings
from plugins.wish.sync import SyncDeps, SyncReport, sync_orders, sync_products

SYNC_ORDERS = "wish.sync_orders"
SYNC_PRODUCTS = "wish.sync_products"
SYNC_ALL = "wish.sync_all"
SYNC_SCHEDULE = "wish.sync_all.schedule"
SYNC_TIMEOUT_S = 1800
_STREAM_JOBS = {"orders": SYNC_ORDERS, "products": SYNC_PRODUCTS}


def sync_deps(ctx: JobContext) -> SyncDeps:
    """What a sync needs, from a job's context.

    Raises:
        PermanentError: the Wish marketplace is not loaded in this process.
    """
    adapter = ctx.registry.marketplaces.get(PLUGIN_ID)
    if not isinstance(adapter, WishMarketplace):
        raise PermanentError("the Wish marketplace is not loaded in this process")
    cipher = CredentialCipher.from_settings(ctx.settings)
    return SyncDeps(ctx.sessions, ctx.http, adapter, cipher, locale=ctx.settings.default_locale)


def _store_id(payload: dict[str, Any]) -> int:
    try:
        return int(payload["store_id"])
    except (KeyError, TypeError, ValueError):
        raise PermanentError("the payload needs an integer store_id") from None


async def _finish(ctx: JobContext, report: SyncReport) -> dict[str, Any]:
    """Record the run on the job: each item that failed, and one item for all that was written.

    Tens of thousands of orders a run are not worth one job item each; the written ones are
    one done item, so a run where a few failed among many written ends partial, not failed.
    """
    written = report.created + report.updated + report.unchanged
    if written:
        await ctx.item_done(
            f"{report.stream}:written",
            label=msg("Synced from Wish"),
            note=msg(
                "%(created)s new, %(updated)s updated, %(unchanged)s unchanged",
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            ),
        )
    for key, error in report.failed:
        await ctx.item_failed(key, error)
    return report.as_dict()


async def sync_orders_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Job ``wish.sync_orders``: pull one store's orders."""
    report = await sync_orders(
        sync_deps(ctx),
        _store_id(payload),
        account_id=ctx.account_id,
        full=bool(payload.get("full", False)),
    )
    return await _finish(ctx, report)


async def sync_products_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Job ``wish.sync_products``: pull one store's listings."""
    report = await sync_products(
        sync_deps(ctx),
        _store_id(payload),
        account_id=ctx.account_id,
        full=bool(payload.get("full", False)),
    )
    return await _finish(ctx, report)


async def sync_all_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Job ``wish.sync_all``: enqueue the syncs of every active Wish store."""
    streams = list(payload.get("streams") or _STREAM_JOBS)
    unknown = sorted(set(streams) - set(_STREAM_JOBS))
    if unknown:
        raise PermanentError(f"unknown sync streams: {', '.join(unknown)}")
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(Store.id, Store.account_id)
            .where(
                Store.platform == PLUGIN_ID,
                col(Store.status).in_([StoreStatus.ACTIVE, StoreStatus.EXPIRING]),
            )
            .order_by(col(Store.id))
        )
        stores = list(rows)
    for store_id, account_id in stores:
        for stream in streams:
            name = _STREAM_JOBS[stream]
            await ctx.enqueue(
                name,
                {"store_id": store_id},
                account_id=account_id,
                dedup_key=f"{name}:{store_id}",
                title=f"Sync Wish {stream} of store {store_id}",
            )
    return {"stores": len(stores), "jobs": len(stores) * len(streams)}


def job_definitions(settings: WishSettings) -> list[JobDefinition | CronDefinition]:
    """The jobs and the schedule the plugin registers."""
    return [
        JobDefinition(SYNC_ORDERS, sync_orders_job, "Sync Wish orders", timeout=SYNC_TIMEOUT_S),
        JobDefinition(
            SYNC_PRODUCTS, sync_products_job, "Sync Wish products", timeout=SYNC_TIMEOUT_S
        ),
        JobDefinition(SYNC_ALL, sync_all_job, "Sync every Wish store", max_tries=1),
        CronDefinition(SYNC_SCHEDULE, SYNC_ALL, every_seconds=settings.sync_interval_minutes * 60),
    ]
