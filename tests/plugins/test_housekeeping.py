"""The built-in housekeeping plugin: stuck-job sweep and purge of old job records."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core.embedded_redis import EmbeddedRedis
from core.interfaces.jobs import CronDefinition, JobDefinition
from core.jobs import sweep_stuck_jobs
from core.jobs.context import WorkerJobContext
from core.models import JobItem, JobRecord, JobStatus, utcnow
from plugins import housekeeping
from tests.core.jobs_helpers import (
    items_job,
    load,
    make_account,
    open_queue,
    registry_of,
    run_until_idle,
    wait_for,
)

ITEMS = JobDefinition(name="test.items", func=items_job)


def test_registers_its_jobs_and_schedules_through_the_hook() -> None:
    registered: list[JobDefinition | CronDefinition] = []
    housekeeping.register_jobs(registered.append)
    jobs = {d.name: d for d in registered if isinstance(d, JobDefinition)}
    crons = {d.name: d for d in registered if isinstance(d, CronDefinition)}
    assert set(jobs) == {housekeeping.SWEEP_JOB, housekeeping.PURGE_JOB}
    assert {c.job for c in crons.values()} == set(jobs)
    sweep = next(c for c in crons.values() if c.job == housekeeping.SWEEP_JOB)
    assert sweep.every_seconds and sweep.run_at_startup


async def _age(sessions, job_id: int, **values: Any) -> None:
    async with sessions() as session:
        await session.exec(update(JobRecord).where(col(JobRecord.id) == job_id).values(**values))
        await session.commit()


async def test_sweep_requeues_jobs_whose_redis_was_lost(settings, sessions, tmp_path) -> None:
    """The embedded Redis keeps nothing across a restart; the sweep brings the jobs back."""
    registry = registry_of(ITEMS)
    long_ago = utcnow() - timedelta(hours=2)
    redis_folder = tmp_path / "redis"
    with EmbeddedRedis(redis_folder) as before_restart:
        async with open_queue(settings, registry, sessions, redis_url=before_restart.url) as queue:
            lost_running = await queue.enqueue("test.items", {"items": ["a"]})
            lost_queued = await queue.enqueue("test.items", {"items": ["b"]})
            fresh_running = await queue.enqueue("test.items", {"items": ["c"]})
    # A worker had started two of them when everything stopped.
    await _age(sessions, lost_running, status=JobStatus.RUNNING, heartbeat_at=long_ago)
    await _age(sessions, fresh_running, status=JobStatus.RUNNING, heartbeat_at=utcnow())
    for job_id in (lost_running, lost_queued, fresh_running):
        await _age(sessions, job_id, created_at=long_ago)

    with EmbeddedRedis(redis_folder) as after_restart:
        async with open_queue(settings, registry, sessions, redis_url=after_restart.url) as queue:
            counts = await sweep_stuck_jobs(queue)
            assert counts == {"checked": 3, "requeued": 2, "failed": 0}
            assert (await load(sessions, lost_running)).status == JobStatus.QUEUED
            # A second sweep finds their messages in place and does nothing.
            assert (await sweep_stuck_jobs(queue))["requeued"] == 0
            await run_until_idle(settings, registry, sessions, redis_url=after_restart.url)
    assert (await load(sessions, lost_running)).status == JobStatus.SUCCEEDED
    assert (await load(sessions, lost_queued)).status == JobStatus.SUCCEEDED
    # Its heartbeat is fresh: some worker may still be on it; the sweep left it alone.
    assert (await load(sessions, fresh_running)).status == JobStatus.RUNNING


async def test_sweep_fails_jobs_nobody_can_run(settings, sessions) -> None:
    registry = registry_of(ITEMS)
    async with open_queue(settings, registry, sessions) as queue:
        job_id = await queue.enqueue("test.items", {"items": []})
        await _age(
            sessions,
            job_id,
            name="gone.plugin_job",
            queue_job_id=f"{settings.queue_name}:lost-message",
            created_at=utcnow() - timedelta(hours=1),
        )
        counts = await sweep_stuck_jobs(queue)
    assert counts["failed"] == 1
    record = await load(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert record.error is not None and "'gone.plugin_job' is not registered" in record.error


async def test_purge_deletes_only_old_finished_records(settings, sessions) -> None:
    registry = registry_of(ITEMS)
    account = await make_account(sessions)
    async with open_queue(settings, registry, sessions) as queue:
        old = await queue.enqueue("test.items", {"items": ["a", "b"]}, account_id=account)
        recent = await queue.enqueue("test.items", {"items": ["c"]}, account_id=account)
        await run_until_idle(settings, registry, sessions)
        still_queued = await queue.enqueue("test.items", {"items": ["d"]}, account_id=account)
        await _age(sessions, old, finished_at=utcnow() - timedelta(days=31))
        await _age(sessions, still_queued, created_at=utcnow() - timedelta(days=90))
        ctx = WorkerJobContext(
            job_id=0,
            account_id=None,
            user_id=None,
            attempt=1,
            settings=settings,
            sessions=sessions,
            http=None,  # type: ignore[arg-type]  # the purge makes no HTTP calls
            registry=registry,
            queue=queue,
        )
        result = await housekeeping.purge_job_records(ctx, {})
        assert result == {"deleted": 1, "retention_days": 30}
        assert await housekeeping.purge_job_records(ctx, {"retention_days": 400}) == {
            "deleted": 0,
            "retention_days": 400,
        }
    async with sessions() as session:
        left = set((await session.exec(select(JobRecord.id))).all())
        item_jobs = set((await session.exec(select(JobItem.job_id))).all())
    assert left == {recent, still_queued}
    assert item_jobs == {recent}


@pytest.mark.slow
async def test_tradewind_worker_runs_the_startup_sweep(
    settings, sessions, database_url, redis_server_url, tmp_path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")}
    env |= {
        "TRADEWIND_DATABASE_URL": database_url,
        "TRADEWIND_REDIS_URL": redis_server_url,
        "TRADEWIND_QUEUE_NAME": settings.queue_name,
        "TRADEWIND_DATA_DIR": str(tmp_path / "data"),
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from core.cli import main; main()", "worker"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        async def swept() -> bool:
            assert worker.poll() is None, log.read_text()
            async with sessions() as session:
                statement = select(JobRecord).where(col(JobRecord.name) == housekeeping.SWEEP_JOB)
                records = (await session.exec(statement)).all()
            return any(r.status == JobStatus.SUCCEEDED for r in records)

        await wait_for(swept, what="the startup sweep of `tradewind worker`")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert worker.returncode == 0, log.read_text()
