"""The job queue: records first, one queue message per record, dedup, scoping, cancel, retry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.errors import NotFound, RuleViolation
from core.interfaces.jobs import JobDefinition
from core.jobs import UnknownJob
from core.models import ItemStatus, JobStatus
from tests.core.jobs_helpers import (
    items_job,
    load,
    make_account,
    open_queue,
    registry_of,
    run_until_idle,
)

ITEMS = JobDefinition(name="test.items", func=items_job, title="Import rows")


async def test_enqueue_creates_a_queued_record_and_one_message(settings, sessions) -> None:
    registry = registry_of(ITEMS)
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.items", {"items": ["a"]}, account_id=account)
        record = await load(sessions, job_id)
        assert record.status == JobStatus.QUEUED
        assert record.title == "Import rows"
        assert record.payload == {"items": ["a"]}
        assert record.queue_job_id == f"{settings.queue_name}:job:{job_id}"
        assert await queue.message_exists(record.queue_job_id)
        # Sending the same record again is a no-op in Redis.
        assert await queue.send(record) is False
        assert await queue.redis.zcard(settings.queue_name) == 1


async def test_unknown_job_names_are_refused_without_a_record(settings, sessions) -> None:
    async with open_queue(settings, registry_of(ITEMS), sessions) as queue:
        with pytest.raises(UnknownJob, match=r"unknown job 'wish\.nope'.*test\.items"):
            await queue.enqueue("wish.nope", {})
        assert await queue.recent(None) == []


async def test_dedup_key_returns_the_unfinished_job(settings, sessions) -> None:
    registry = registry_of(ITEMS)
    first_account = await make_account(sessions, "a")
    other_account = await make_account(sessions, "b")
    async with open_queue(settings, registry, sessions) as queue:
        payload = {"items": ["x"]}
        first = await queue.enqueue("test.items", payload, account_id=first_account, dedup_key="k")
        again = await queue.enqueue("test.items", payload, account_id=first_account, dedup_key="k")
        elsewhere = await queue.enqueue(
            "test.items", payload, account_id=other_account, dedup_key="k"
        )
        assert again == first
        assert elsewhere != first  # keys are per account
        assert await queue.redis.zcard(settings.queue_name) == 2

        await run_until_idle(settings, registry, sessions)
        assert (await load(sessions, first)).status == JobStatus.SUCCEEDED

        # Once finished, the same key makes a new job, and the old one gives the key up.
        later = await queue.enqueue("test.items", payload, account_id=first_account, dedup_key="k")
        assert later != first
        assert (await load(sessions, first)).dedup_key is None
        assert (await load(sessions, later)).status == JobStatus.QUEUED


async def test_other_accounts_get_not_found(settings, sessions) -> None:
    registry = registry_of(ITEMS)
    owner = await make_account(sessions, "owner")
    stranger = await make_account(sessions, "stranger")
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.items", {"items": []}, account_id=owner)
        assert (await queue.get(job_id, owner)).id == job_id
        for call in (queue.get, queue.cancel, queue.retry_failed, queue.items):
            with pytest.raises(NotFound):
                await call(job_id, stranger)
        with pytest.raises(NotFound):
            await queue.get(job_id + 1000, owner)
        assert [r.id for r in await queue.recent(owner)] == [job_id]
        assert await queue.recent(stranger) == []
        assert (await load(sessions, job_id)).status == JobStatus.QUEUED


async def test_cancelling_a_queued_job_means_it_never_runs(settings, sessions) -> None:
    calls: list[int] = []

    async def job(ctx: Any, payload: dict[str, Any]) -> None:
        calls.append(ctx.job_id)

    registry = registry_of(JobDefinition(name="test.job", func=job))
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.job")
        record = await queue.cancel(job_id, None)
        assert record.status == JobStatus.CANCELLED
        assert record.finished_at is not None
        await run_until_idle(settings, registry, sessions)
    record = await load(sessions, job_id)
    assert calls == []
    assert record.status == JobStatus.CANCELLED
    assert record.attempts == 0


async def test_retry_failed_redoes_only_the_failed_items(settings, sessions) -> None:
    refused = {"b"}
    seen: list[list[str]] = []

    async def job(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        result = await items_job(ctx, {**payload, "bad": sorted(refused)})
        seen.append(result["processed"])
        return result

    registry = registry_of(JobDefinition(name="test.batch", func=job))
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.batch", {"items": ["a", "b", "c"]}, account_id=account)
        await run_until_idle(settings, registry, sessions)
        record = await load(sessions, job_id)
        assert record.status == JobStatus.PARTIAL
        assert (record.total, record.done, record.failed) == (3, 2, 1)
        failed = await queue.items(job_id, account, status=ItemStatus.FAILED)
        assert [(i.key, i.error) for i in failed] == [("b", "b refused by the platform")]

        refused.clear()  # the seller fixed the product
        reopened = await queue.retry_failed(job_id, account)
        assert reopened.status == JobStatus.QUEUED
        assert (reopened.done, reopened.failed) == (2, 0)
        await run_until_idle(settings, registry, sessions)

        record = await load(sessions, job_id)
        assert seen == [["a", "b", "c"], ["b"]]
        assert record.status == JobStatus.SUCCEEDED
        assert (record.total, record.done, record.failed) == (3, 3, 0)
        assert record.result == {"processed": ["b"]}
        items = await queue.items(job_id, account)
        assert {i.key: (i.status, i.attempts) for i in items} == {
            "a": (ItemStatus.DONE, 1),
            "b": (ItemStatus.DONE, 2),
            "c": (ItemStatus.DONE, 1),
        }
        with pytest.raises(RuleViolation, match="nothing to retry"):
            await queue.retry_failed(job_id, account)


async def test_retry_failed_refuses_unfinished_jobs(settings, sessions) -> None:
    async with open_queue(settings, registry_of(ITEMS), sessions) as queue:
        job_id = await queue.enqueue("test.items", {"items": []})
        with pytest.raises(RuleViolation, match="still queued"):
            await queue.retry_failed(job_id, None)


async def test_concurrent_enqueues_with_one_dedup_key_make_one_job(settings, sessions) -> None:
    async with open_queue(settings, registry_of(ITEMS), sessions) as queue:
        ids = await asyncio.gather(
            *(queue.enqueue("test.items", {"items": []}, dedup_key="once") for _ in range(8))
        )
        assert len(set(ids)) == 1
        assert len(await queue.recent(None)) == 1
        assert await queue.redis.zcard(settings.queue_name) == 1
