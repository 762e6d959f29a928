"""Catalog batch jobs through the real queue and worker, registered by the built-in plugin."""

from __future__ import annotations

from sqlmodel import select

from core.catalog.jobs import actor_payload
from core.config import Settings
from core.models import JobItem, JobStatus, Product
from core.plugins import make_plugin_manager
from core.registry import build_registry
from tests.core.catalog.conftest import create, make_seller, sample_product
from tests.core.jobs_helpers import load, open_queue, run_until_idle


async def test_batch_delete_runs_in_a_worker_with_per_item_results(
    settings: Settings, sessions
) -> None:
    registry = build_registry(
        settings, make_plugin_manager(settings.model_copy(update={"plugins": ["catalog"]}))
    )
    assert "catalog.delete" in registry.jobs
    seller = await make_seller(sessions, "jobs")
    boxed = [await create(sessions, seller.actor, sample_product(f"P-{n}")) for n in range(3)]
    ids = [product.id for product in boxed]

    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue(
            "catalog.delete",
            {"actor": actor_payload(seller.actor), "product_ids": [*ids, 999_999]},
            account_id=seller.account_id,
        )
        await run_until_idle(settings, registry, sessions)

    record = await load(sessions, job_id)
    assert record.status == JobStatus.PARTIAL
    assert (record.total, record.done, record.failed) == (4, 3, 1)
    async with sessions() as session:
        left = (
            await session.exec(select(Product).where(Product.account_id == seller.account_id))
        ).all()
        failed = (
            await session.exec(
                select(JobItem).where(JobItem.job_id == job_id, JobItem.status == "failed")
            )
        ).all()
    assert left == []
    assert [item.key for item in failed] == ["999999"]
