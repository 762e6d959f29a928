"""Image batches as jobs, run by a real worker on the test Redis, with per-item results."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from core.config import Settings, load_settings
from core.images import jobs as image_jobs
from core.images.batches import staged_key
from core.images.job_names import JOB_UPLOAD_BATCH
from core.images.service import ImageSpace
from core.images.storage_local import LocalImageStorage
from core.jobs import JobQueue
from core.jobs.context import WorkerJobContext
from core.models import ItemStatus, JobItem, JobStatus, ProductState
from core.plugins import make_plugin_manager
from core.registry import Registry, build_registry
from plugins import images as images_plugin
from plugins import storage_local as storage_plugin
from tests.core.images.conftest import PHOTO, SMALL
from tests.core.images.factories import make_image
from tests.core.images.service_helpers import (
    MB,
    build_zip,
    image_count,
    new_account,
    new_product,
    product_images,
)
from tests.core.jobs_helpers import load, open_queue, run_until_idle
from tests.core.net.servers import RunningServer


@pytest.fixture
def job_settings(settings: Settings) -> Settings:
    return load_settings(
        env={},
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        queue_name=settings.queue_name,
        plugins=[],
        image_max_bytes=5 * MB,
        fetch_allowed_networks=["127.0.0.1/32"],  # the test CDN; 127.0.0.2 stays forbidden
    )


@pytest.fixture
def registry(job_settings: Settings) -> Registry:
    pm = make_plugin_manager(
        job_settings,
        plugins={"images": images_plugin, "storage_local": storage_plugin},
        discover=False,
    )
    return build_registry(job_settings, pm)


@pytest.fixture
def job_space(sessions, job_settings: Settings, registry: Registry) -> ImageSpace:
    return ImageSpace(sessions, job_settings, registry.storage_backends["local"])


@pytest.fixture
async def queue(job_settings, registry, sessions) -> AsyncIterator[JobQueue]:
    async with open_queue(job_settings, registry, sessions) as opened:
        yield opened


async def run(job_settings, registry, sessions) -> None:
    await run_until_idle(job_settings, registry, sessions)


async def items_of(sessions, job_id: int) -> dict[str, tuple[str, ItemStatus, str | None]]:
    async with sessions() as session:
        rows = (
            await session.exec(
                select(JobItem).where(col(JobItem.job_id) == job_id).order_by(col(JobItem.id))
            )
        ).all()
    return {row.key: (row.label, row.status, row.error) for row in rows}


def staged_files(settings: Settings) -> list[str]:
    return [p.name for p in (settings.data_dir / "images").rglob("*.staged-*")]


def test_the_plugins_register_the_jobs_and_the_local_store(
    registry: Registry, job_settings: Settings
) -> None:
    assert set(registry.jobs) == {
        "images.upload_batch",
        "images.import_zip",
        "images.fetch_urls",
        "images.capture_product_images",
    }
    backend = registry.storage_backends["local"]
    assert isinstance(backend, LocalImageStorage)
    assert backend.root == job_settings.data_dir / "images"


async def test_an_upload_batch_job_records_every_file(
    job_space: ImageSpace, queue: JobQueue, job_settings, registry, sessions
) -> None:
    actor = await new_account(sessions)

    class Huge:
        async def read(self, size: int = -1, /) -> bytes:
            return b"\0" * (size if size > 0 else MB)

    job_id = await job_space.start_upload_batch(
        actor,
        queue,
        [("a.jpg", PHOTO), ("notes.txt", b"not a picture"), ("huge.jpg", Huge()), ("b.png", SMALL)],
    )
    assert len(staged_files(job_settings)) == 3
    await run(job_settings, registry, sessions)
    record = await load(sessions, job_id)
    assert (record.status, record.total, record.done, record.failed) == (JobStatus.PARTIAL, 4, 2, 2)
    items = await items_of(sessions, job_id)
    assert {key: (label, status) for key, (label, status, _) in items.items()} == {
        "file:0": ("a.jpg", ItemStatus.DONE),
        "file:1": ("notes.txt", ItemStatus.FAILED),
        "file:2": ("huge.jpg", ItemStatus.FAILED),
        "file:3": ("b.png", ItemStatus.DONE),
    }
    assert "not an image" in (items["file:1"][2] or "")
    assert "larger than 5 MB" in (items["file:2"][2] or "")
    assert record.result["stored"] == 2 and len(record.result["image_ids"]) == 2
    assert await image_count(sessions, actor.account_id) == 2
    assert staged_files(job_settings) == []


async def test_a_zip_job_keeps_good_members_and_fails_bad_ones(
    job_space: ImageSpace, queue: JobQueue, job_settings, registry, sessions
) -> None:
    actor = await new_account(sessions)
    archive = build_zip(
        [("a.jpg", PHOTO), ("../../x.jpg", PHOTO), ("bomb.png", b"\0" * (4 * MB)), ("b.png", SMALL)]
    )
    job_id = await job_space.start_zip_import(actor, queue, archive, archive_name="batch.zip")
    await run(job_settings, registry, sessions)
    record = await load(sessions, job_id)
    assert (record.status, record.done, record.failed) == (JobStatus.PARTIAL, 2, 2)
    items = await items_of(sessions, job_id)
    assert [(label, status) for label, status, _ in items.values()] == [
        ("a.jpg", ItemStatus.DONE),
        ("../../x.jpg", ItemStatus.FAILED),
        ("bomb.png", ItemStatus.FAILED),
        ("b.png", ItemStatus.DONE),
    ]
    assert "ZIP bomb" in (items["member:2"][2] or "")
    assert staged_files(job_settings) == []


async def test_a_url_job_and_a_capture_job(
    job_space: ImageSpace, queue: JobQueue, job_settings, registry, sessions, cdn: RunningServer
) -> None:
    actor = await new_account(sessions)
    good = cdn.url("/photo.jpg")
    private = f"http://127.0.0.2:{cdn.port}/photo.jpg"
    fetch_job = await job_space.start_url_fetch(actor, queue, [good, private, "file:///etc/passwd"])
    product = await new_product(
        sessions,
        actor.account_id,
        ProductState.DRAFT,
        images=[{"external_url": cdn.url("/small.png")}, {"external_url": good}],
    )
    capture_job = await job_space.start_capture(actor, queue, [product])
    await run(job_settings, registry, sessions)
    fetched = await load(sessions, fetch_job)
    assert (fetched.status, fetched.done, fetched.failed) == (JobStatus.PARTIAL, 1, 2)
    errors = [error for _, status, error in (await items_of(sessions, fetch_job)).values() if error]
    assert any("only public internet addresses" in e for e in errors)
    assert any("Only http and https" in e for e in errors)
    captured = await load(sessions, capture_job)
    assert (captured.status, captured.done, captured.failed) == (JobStatus.SUCCEEDED, 2, 0)
    assert captured.result["products_updated"] == 2
    rows = await product_images(sessions, product)
    assert all(row.image_id is not None and row.external_url is None for row in rows)


async def test_a_resumed_job_skips_the_items_already_finished(
    job_space: ImageSpace, queue: JobQueue, job_settings, registry, sessions
) -> None:
    actor = await new_account(sessions)
    first, second = make_image(900, 900, "PNG"), make_image(901, 900, "PNG")
    storage = job_space.storage
    keys = [staged_key(first), staged_key(second)]
    for key, data in zip(keys, (first, second), strict=True):
        await storage.put(key, data, content_type="application/octet-stream")
    payload: dict[str, Any] = {
        "files": [{"name": "first.png", "key": keys[0]}, {"name": "second.png", "key": keys[1]}]
    }
    job_id = await queue.enqueue(JOB_UPLOAD_BATCH, payload, account_id=actor.account_id)
    ctx = WorkerJobContext(
        job_id=job_id,
        account_id=actor.account_id,
        user_id=None,
        attempt=2,
        settings=job_settings,
        sessions=sessions,
        http=None,  # type: ignore[arg-type]  # no HTTP in an upload batch
        registry=registry,
        queue=queue,
    )
    await ctx.item_done("file:0", "first.png")  # what a first, interrupted attempt finished
    result = await image_jobs.upload_batch(ctx, payload)
    assert result["stored"] == 1
    names = [image.name for image in (await job_space.search(actor)).items]
    assert names == ["second.png"]


async def test_jobs_refuse_payload_keys_that_are_not_staged_uploads(
    job_space: ImageSpace, queue: JobQueue, job_settings, registry, sessions
) -> None:
    """A job reads only the staging area, whatever its payload names."""
    owner, stranger = await new_account(sessions), await new_account(sessions)
    outcome = await job_space.upload(owner, PHOTO, name="private.jpg")
    assert outcome.image is not None
    payload = {
        "files": [
            {"name": "stolen.jpg", "key": "../" + "0" * 64},
            {"name": "stolen2.jpg", "key": hashlib.sha256(PHOTO).hexdigest()},  # owner's file
        ]
    }
    job_id = await queue.enqueue(JOB_UPLOAD_BATCH, payload, account_id=stranger.account_id)
    await run(job_settings, registry, sessions)
    record = await load(sessions, job_id)
    assert (record.status, record.done, record.failed) == (JobStatus.FAILED, 0, 2)
    assert await image_count(sessions, stranger.account_id) == 0


async def test_a_folder_deleted_before_the_job_runs_fails_it_with_a_message(
    job_space: ImageSpace, queue: JobQueue, job_settings, registry, sessions
) -> None:
    actor = await new_account(sessions)
    folder = await job_space.create_folder(actor, "Mugs")
    job_id = await job_space.start_url_fetch(
        actor, queue, ["http://127.0.0.1:9/a.jpg"], folder_id=folder.id
    )
    await job_space.delete_folder(actor, folder.id)
    await run(job_settings, registry, sessions)
    record = await load(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert "no longer exists" in (record.error or "")
