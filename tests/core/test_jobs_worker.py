"""Running jobs: outcomes, the error taxonomy, retries, items, cancellation of running jobs."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from arq.worker import Retry

from core.errors import AuthorizationExpired, PermanentError, TransientError
from core.interfaces.jobs import JobDefinition
from core.jobs import InProcessWorker
from core.jobs.runner import SERVICES_KEY, WorkerServices, run_job
from core.models import ItemStatus, JobStatus
from tests.core.jobs_helpers import (
    items_job,
    load,
    make_account,
    open_queue,
    registry_of,
    run_until_idle,
    wait_for,
)


async def test_a_batch_succeeds_with_counts_and_result(settings, sessions) -> None:
    registry = registry_of(JobDefinition(name="test.items", func=items_job))
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.items", {"items": ["a", "b"]}, account_id=account)
        await run_until_idle(settings, registry, sessions)
        record = await load(sessions, job_id)
        assert record.status == JobStatus.SUCCEEDED
        assert (record.total, record.done, record.failed, record.attempts) == (2, 2, 0, 1)
        assert record.result == {"processed": ["a", "b"]}
        assert record.error is None
        assert record.started_at is not None and record.finished_at is not None
        assert record.heartbeat_at is None
        # The finished message left nothing in Redis.
        assert not await queue.message_exists(record.queue_job_id or "")
        assert await queue.redis.zcard(settings.queue_name) == 0


async def test_some_failed_items_make_it_partial_all_failed_make_it_failed(
    settings, sessions
) -> None:
    registry = registry_of(JobDefinition(name="test.items", func=items_job))
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        partial = await queue.enqueue(
            "test.items", {"items": ["a", "b", "c"], "bad": ["b"]}, account_id=account
        )
        failed = await queue.enqueue(
            "test.items", {"items": ["a", "b"], "bad": ["a", "b"]}, account_id=account
        )
        await run_until_idle(settings, registry, sessions)
        record = await load(sessions, partial)
        assert record.status == JobStatus.PARTIAL
        assert (record.done, record.failed) == (2, 1)
        bad = await queue.items(partial, account, status=ItemStatus.FAILED)
        assert [(i.key, i.label, i.error) for i in bad] == [
            ("b", "item b", "b refused by the platform")
        ]
        record = await load(sessions, failed)
        assert record.status == JobStatus.FAILED
        assert record.error == "all 2 items failed"


async def test_item_outcomes_are_idempotent(settings, sessions) -> None:
    async def job(ctx: Any, payload: dict[str, Any]) -> None:
        await ctx.set_total(2)
        await ctx.item_done("a")
        await ctx.item_done("a")  # a retried item counts once
        await ctx.item_failed("b", "no stock")
        await ctx.item_failed("b", "no stock")
        await ctx.item_done("b")  # moved from failed to done
        await ctx.item_skipped("c", "already published")
        assert await ctx.finished_items() == {"a", "b", "c"}

    registry = registry_of(JobDefinition(name="test.job", func=job))
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.job")
        await run_until_idle(settings, registry, sessions)
        record = await load(sessions, job_id)
        assert record.status == JobStatus.SUCCEEDED, record.error
        assert (record.done, record.failed) == (3, 0)
        items = {i.key: (i.status, i.error) for i in await queue.items(job_id, None)}
        assert items == {
            "a": (ItemStatus.DONE, None),
            "b": (ItemStatus.DONE, None),
            "c": (ItemStatus.SKIPPED, "already published"),
        }


async def test_transient_errors_are_retried_then_succeed(settings, sessions) -> None:
    attempts: list[int] = []

    async def flaky(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        attempts.append(ctx.attempt)
        if ctx.attempt < 3:
            raise TransientError("HTTP 503 from the platform", retry_after=0.05)
        return {"ok": True}

    registry = registry_of(JobDefinition(name="test.flaky", func=flaky, max_tries=5))
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.flaky")
        await run_until_idle(settings, registry, sessions)
    record = await load(sessions, job_id)
    assert attempts == [1, 2, 3]
    assert record.status == JobStatus.SUCCEEDED
    assert record.attempts == 3
    assert record.error is None
    assert record.result == {"ok": True}


async def test_transient_errors_fail_the_job_after_max_tries(settings, sessions) -> None:
    async def always_busy(ctx: Any, payload: dict[str, Any]) -> None:
        raise TransientError("HTTP 429 rate limited", retry_after=0.05)

    registry = registry_of(JobDefinition(name="test.busy", func=always_busy, max_tries=2))
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.busy")
        await run_until_idle(settings, registry, sessions)
    record = await load(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert record.attempts == 2
    assert record.error == "HTTP 429 rate limited (gave up after 2 attempts)"


async def test_a_retry_waits_what_the_platform_asked(settings, sessions) -> None:
    async def limited(ctx: Any, payload: dict[str, Any]) -> None:
        raise TransientError("rate limited", retry_after=30)

    registry = registry_of(JobDefinition(name="test.limited", func=limited))
    async with (
        open_queue(settings, registry, sessions) as queue,
        httpx.AsyncClient() as http,
    ):
        job_id = await queue.enqueue("test.limited")
        record = await load(sessions, job_id)
        services = WorkerServices(settings, registry, sessions, http, queue)
        arq_ctx = {SERVICES_KEY: services, "job_id": record.queue_job_id, "job_try": 1}
        with pytest.raises(Retry) as raised:
            await run_job(arq_ctx, job_id)
    defer_ms = raised.value.defer_score
    assert defer_ms is not None
    assert 30_000 <= defer_ms <= 33_000  # retry_after plus at most 10 % jitter
    record = await load(sessions, job_id)
    assert record.status == JobStatus.QUEUED
    assert record.attempts == 1
    assert record.error is not None
    assert record.error.startswith("attempt 1 failed, retrying in 3")
    assert record.error.endswith(": rate limited")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermanentError("title too long for Wish"), "title too long for Wish"),
        (AuthorizationExpired("store needs re-authorization"), "store needs re-authorization"),
        (ValueError("boom"), "ValueError: boom"),
    ],
)
async def test_permanent_and_unexpected_errors_fail_at_once(
    settings, sessions, error: Exception, message: str
) -> None:
    tries: list[int] = []

    async def job(ctx: Any, payload: dict[str, Any]) -> None:
        tries.append(ctx.attempt)
        raise error

    registry = registry_of(JobDefinition(name="test.job", func=job))
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.job")
        await run_until_idle(settings, registry, sessions)
    record = await load(sessions, job_id)
    assert tries == [1]
    assert record.status == JobStatus.FAILED
    assert record.error == message


async def test_a_timed_out_attempt_is_retried(settings, sessions) -> None:
    attempts: list[int] = []

    async def slow_first(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            await asyncio.sleep(30)
        return {"attempt": ctx.attempt}

    registry = registry_of(JobDefinition(name="test.slow", func=slow_first, timeout=1))
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.slow")
        await run_until_idle(settings, registry, sessions)
    record = await load(sessions, job_id)
    assert attempts == [1, 2]
    assert record.status == JobStatus.SUCCEEDED
    assert record.result == {"attempt": 2}


async def test_a_running_job_sees_the_cancel_and_is_recorded_cancelled(settings, sessions) -> None:
    started = asyncio.Event()
    processed: list[int] = []

    async def long_batch(ctx: Any, payload: dict[str, Any]) -> None:
        await ctx.set_total(10_000)
        for number in range(10_000):
            if await ctx.is_cancelled():
                return
            await ctx.item_done(str(number))
            processed.append(number)
            started.set()
            await asyncio.sleep(0.01)

    registry = registry_of(JobDefinition(name="test.long", func=long_batch))
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.long", account_id=account)
        worker = asyncio.create_task(run_until_idle(settings, registry, sessions))
        await asyncio.wait_for(started.wait(), 30)
        record = await queue.cancel(job_id, account)
        # The job may already have seen the flag and stopped by the time cancel() returns.
        assert record.status in (JobStatus.RUNNING, JobStatus.CANCELLED)
        assert record.cancel_requested
        await worker
    record = await load(sessions, job_id)
    assert record.status == JobStatus.CANCELLED
    assert 0 < record.done == len(processed) < 10_000


async def test_follow_up_jobs_inherit_the_account(settings, sessions) -> None:
    async def parent(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        child = await ctx.enqueue("test.child", {"from": ctx.job_id}, dedup_key="child")
        return {"child": child}

    async def child(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        return {"parent": payload["from"], "account": ctx.account_id}

    registry = registry_of(
        JobDefinition(name="test.parent", func=parent),
        JobDefinition(name="test.child", func=child),
    )
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        parent_id = await queue.enqueue("test.parent", account_id=account)
        await run_until_idle(settings, registry, sessions)
        child_id = (await load(sessions, parent_id)).result["child"]
        child_record = await queue.get(child_id, account)
    assert child_record.status == JobStatus.SUCCEEDED
    assert child_record.result == {"parent": parent_id, "account": account}


async def test_in_process_worker_runs_jobs_and_stops(settings, sessions) -> None:
    registry = registry_of(JobDefinition(name="test.items", func=items_job))
    worker = InProcessWorker(settings, registry, sessions=sessions, poll_delay=0.05)
    async with open_queue(settings, registry, sessions) as queue:
        await worker.start()
        assert worker.running
        try:
            job_id = await queue.enqueue("test.items", {"items": ["a"]})

            async def finished() -> bool:
                return (await load(sessions, job_id)).status == JobStatus.SUCCEEDED

            await wait_for(finished, what="the in-process worker to run the job")
        finally:
            await worker.stop()
    assert not worker.running


async def test_stopping_a_worker_mid_job_requeues_it(settings, sessions) -> None:
    started = asyncio.Event()

    async def blocking(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        if ctx.attempt == 1:
            started.set()
            await asyncio.sleep(60)
        return {"attempt": ctx.attempt}

    registry = registry_of(JobDefinition(name="test.blocking", func=blocking))
    worker = InProcessWorker(settings, registry, sessions=sessions, poll_delay=0.05)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.blocking")
        await worker.start()
        await asyncio.wait_for(started.wait(), 30)
        await worker.stop()
        record = await load(sessions, job_id)
        assert record.status == JobStatus.QUEUED
        assert record.error == "interrupted by a worker shutdown; it will run again"
        assert await queue.message_exists(record.queue_job_id or "")
        await run_until_idle(settings, registry, sessions)
    record = await load(sessions, job_id)
    assert record.status == JobStatus.SUCCEEDED
    assert record.result == {"attempt": 2}
    assert record.attempts == 2


async def test_a_worker_closes_its_services_even_when_an_attempt_ended_cancelled(
    settings, sessions
) -> None:
    """A stop that lands while arq finishes an attempt's bookkeeping (its shielded part)
    leaves that task cancelled; arq's own close then raised before releasing anything."""
    registry = registry_of(JobDefinition(name="test.items", func=items_job))
    worker = InProcessWorker(settings, registry, sessions=sessions, poll_delay=0.05)
    await worker.start()
    arq_worker = worker._worker
    assert arq_worker is not None

    async def connected() -> bool:
        return arq_worker._pool is not None

    await wait_for(connected, what="arq's Redis pool")
    ending = asyncio.create_task(asyncio.sleep(60))
    arq_worker.tasks["ending-cancelled"] = ending
    await worker.stop()  # must not raise
    assert ending.cancelled()
    assert arq_worker._pool is None  # the health-check key deleted, the Redis pool closed
