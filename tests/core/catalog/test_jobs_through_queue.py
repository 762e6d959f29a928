"""Catalog batch jobs through the real queue and worker, registered by the built-in plugin."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner
from sqlmodel import select

import core.cli.commands  # noqa: F401  (attaches the sub-commands)
from core.catalog.jobs import actor_payload
from core.cli import cli
from core.config import Settings
from core.models import JobItem, JobStatus, Product
from core.plugins import make_plugin_manager
from core.registry import build_registry
from tests.core.catalog.conftest import create, make_seller, sample_product
from tests.core.catalog.sheets import EN, ROWS, write_csv
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


async def _import(settings: Settings, sessions, tmp_path, rows, options=None, seller=None) -> int:
    """Run ``catalog.import`` of a CSV of ``rows`` through the queue; returns the job id."""
    registry = build_registry(
        settings, make_plugin_manager(settings.model_copy(update={"plugins": ["catalog"]}))
    )
    seller = seller or await make_seller(sessions, "importer")
    path = write_csv(tmp_path / "products.csv", EN, rows)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue(
            "catalog.import",
            {
                "actor": actor_payload(seller.actor),
                "path": str(path),
                "file_name": "products.csv",
                "options": options or {},
            },
            account_id=seller.account_id,
        )
        await run_until_idle(settings, registry, sessions)
    return job_id


def _cli_env(settings: Settings) -> dict[str, str]:
    return {
        "TRADEWIND_DATA_DIR": str(settings.data_dir),
        "TRADEWIND_DATABASE_URL": settings.effective_database_url,
    }


async def _items(sessions, job_id: int) -> dict[str, tuple[str, str | None]]:
    async with sessions() as session:
        rows = (await session.exec(select(JobItem).where(JobItem.job_id == job_id))).all()
    return {item.key: (item.status.value, item.error) for item in rows}


async def test_an_import_with_some_bad_rows_finishes_partial(settings, sessions, tmp_path) -> None:
    rows = [list(row) for row in ROWS]
    rows[2][11] = "free"  # MUG-7's price
    job_id = await _import(settings, sessions, tmp_path, rows)

    record = await load(sessions, job_id)
    assert record.status == JobStatus.PARTIAL and record.error is None
    assert (record.total, record.done, record.failed) == (2, 1, 1)
    assert (record.result["created"], record.result["invalid_products"]) == (1, 1)
    [problem] = record.result["problems"]
    assert (problem["row"], problem["column"], problem["cell"]) == (4, "price", "L4")
    assert problem["message"]["msg"] == "%(column)s: %(problem)s"  # kept translatable
    shown = await asyncio.to_thread(
        CliRunner().invoke, cli, ["jobs", "show", str(job_id)], env=_cli_env(settings)
    )
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0].endswith("catalog.import partial: 1/2 done, 1 failed")
    assert "MUG-7: row 4: price: 'free' is not an amount like 9.99" in shown.output
    items = await _items(sessions, job_id)
    assert items["TS-1"] == ("done", "created in the collection box")
    assert items["MUG-7"] == ("failed", "row 4: price: 'free' is not an amount like 9.99")
    async with sessions() as session:
        item = (
            await session.exec(
                select(JobItem).where(JobItem.job_id == job_id, JobItem.key == "MUG-7")
            )
        ).one()
    assert item.error_parts is not None and item.error_parts["msg"] == "%(m0)s"


async def test_an_import_where_every_row_is_bad_fails(settings, sessions, tmp_path) -> None:
    rows = [list(row) for row in ROWS]
    for row in rows:
        row[11] = "free"
    job_id = await _import(settings, sessions, tmp_path, rows)

    record = await load(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert (record.total, record.done, record.failed) == (2, 0, 2)
    assert record.error == "all 2 items failed"
    assert record.error_parts == {"msg": "all %(count)s items failed", "params": {"count": 2}}


async def test_an_import_of_good_rows_succeeds_and_a_rerun_skips(
    settings, sessions, tmp_path
) -> None:
    seller = await make_seller(sessions, "again")
    job_id = await _import(settings, sessions, tmp_path, ROWS, seller=seller)
    record = await load(sessions, job_id)
    assert record.status == JobStatus.SUCCEEDED
    assert (record.total, record.done, record.failed) == (2, 2, 0)
    assert set((await _items(sessions, job_id)).values()) == {
        ("done", "created in the collection box")
    }
    options = {"on_existing": "skip"}
    again = await _import(settings, sessions, tmp_path, ROWS, options, seller=seller)
    record = await load(sessions, again)
    assert record.status == JobStatus.SUCCEEDED  # left alone on purpose is not a problem
    assert (record.total, record.done, record.failed, record.result["skipped"]) == (2, 2, 0, 2)
    assert set((await _items(sessions, again)).values()) == {
        ("skipped", "already in the collection box; left as it is")
    }


async def test_an_unreadable_file_fails_with_its_reason(settings, sessions, tmp_path) -> None:
    job_id = await _import(settings, sessions, tmp_path, [])
    record = await load(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert (record.total, record.done, record.failed) == (1, 0, 1)
    assert await _items(sessions, job_id) == {
        "(file)": ("failed", "the file has a header row but no product rows")
    }
