"""Cron schedules: tick arithmetic, and one record per tick however many workers see it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from core.interfaces.jobs import CronDefinition, JobDefinition
from core.jobs import InProcessWorker, UnknownJob
from core.jobs.scheduler import CronScheduler, cron_matches, latest_tick, occurrence_key
from core.models import JobRecord, JobStatus
from tests.core.jobs_helpers import load, open_queue, registry_of, run_until_idle, wait_for

T0 = datetime(2026, 3, 2, 10, 0, 0, 500_000, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("cron", "after", "until", "expected"),
    [
        # every 5 s: the latest multiple of 5 in the window
        (CronDefinition("c", "j", every_seconds=5), T0, T0 + timedelta(seconds=12), "10:00:10"),
        (CronDefinition("c", "j", every_seconds=5), T0, T0 + timedelta(seconds=4.5), "10:00:05"),
        (CronDefinition("c", "j", every_seconds=5), T0, T0 + timedelta(seconds=4.4), None),
        (CronDefinition("c", "j", every_seconds=90), T0, T0 + timedelta(seconds=100), "10:01:30"),
        # defaults: every minute at second 0
        (CronDefinition("c", "j"), T0, T0 + timedelta(seconds=30), None),
        (CronDefinition("c", "j"), T0, T0 + timedelta(seconds=150), "10:02:00"),
        (CronDefinition("c", "j", minute={15, 45}), T0, T0 + timedelta(hours=1), "10:45:00"),
        (CronDefinition("c", "j", hour=3, minute=17), T0, T0 + timedelta(hours=1), None),
        (CronDefinition("c", "j", weekday=0, minute=5), T0, T0 + timedelta(minutes=6), "10:05:00"),
        (CronDefinition("c", "j", weekday=1, minute=5), T0, T0 + timedelta(minutes=6), None),
    ],
)
def test_latest_tick(cron, after, until, expected) -> None:
    tick = latest_tick(cron, after, until)
    assert (None if tick is None else f"{tick:%H:%M:%S}") == expected


def test_field_matching() -> None:
    cron = CronDefinition("c", "j", month={3}, day=2, hour={9, 10}, minute=0, second=0)
    assert cron_matches(cron, datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC))
    assert not cron_matches(cron, datetime(2026, 3, 2, 11, 0, 0, tzinfo=UTC))
    assert not cron_matches(cron, datetime(2026, 4, 2, 10, 0, 0, tzinfo=UTC))


async def _runs(sessions) -> list[JobRecord]:
    async with sessions() as session:
        return list((await session.exec(select(JobRecord).order_by(col(JobRecord.id)))).all())


async def test_a_tick_makes_one_record_even_after_it_finished(settings, sessions) -> None:
    ran: list[int] = []

    async def tick_job(ctx: Any, payload: dict[str, Any]) -> None:
        ran.append(ctx.job_id)

    cron = CronDefinition("test.every5", "test.tick", every_seconds=5, payload={"x": 1})
    registry = registry_of(JobDefinition(name="test.tick", func=tick_job), crons=(cron,))
    async with open_queue(settings, registry, sessions) as queue:
        first_worker = CronScheduler(queue, registry.crons, started_at=T0)
        late_worker = CronScheduler(queue, registry.crons, started_at=T0)
        now = T0 + timedelta(seconds=7)
        created = await first_worker.run_due(now)
        assert len(created) == 1
        await run_until_idle(settings, registry, sessions)
        # The second worker sees the same tick after the first one's run finished.
        assert await late_worker.run_due(now) == created
        await run_until_idle(settings, registry, sessions)
        # Nothing new in the same window; the next tick is a new record.
        assert await first_worker.run_due(now + timedelta(seconds=1)) == []
        later = await late_worker.run_due(now + timedelta(seconds=5))
        await run_until_idle(settings, registry, sessions)
    records = await _runs(sessions)
    assert [r.id for r in records] == created + later
    assert ran == created + later
    assert records[0].dedup_key == "-:" + occurrence_key(cron, T0 + timedelta(seconds=4.5))
    assert records[0].payload == {"x": 1}
    assert all(r.status == JobStatus.SUCCEEDED for r in records)


async def test_startup_runs_and_unknown_jobs(settings, sessions) -> None:
    async def noop(ctx: Any, payload: dict[str, Any]) -> None:
        return None

    registry = registry_of(
        JobDefinition(name="test.noop", func=noop),
        crons=(CronDefinition("at.start", "test.noop", hour=4, run_at_startup=True),),
    )
    async with open_queue(settings, registry, sessions) as queue:
        schedulers = [CronScheduler(queue, registry.crons, started_at=T0) for _ in range(2)]
        ids = [await s.run_startup_jobs() for s in schedulers]
        assert ids[0] == ids[1] and len(ids[0]) == 1
        with pytest.raises(UnknownJob, match=r"'test\.missing'"):
            CronScheduler(queue, {"x": CronDefinition("x", "test.missing")})


async def test_two_running_workers_run_each_tick_once(settings, sessions) -> None:
    ran: list[str] = []

    async def tick_job(ctx: Any, payload: dict[str, Any]) -> None:
        record = await load(ctx.sessions, ctx.job_id)
        ran.append(record.dedup_key or "")
        await asyncio.sleep(0.2)  # still running when the other worker looks

    cron = CronDefinition("test.every1", "test.tick", every_seconds=1)
    registry = registry_of(JobDefinition(name="test.tick", func=tick_job), crons=(cron,))
    workers = [
        InProcessWorker(settings, registry, sessions=sessions, poll_delay=0.05) for _ in range(2)
    ]
    for worker in workers:
        await worker.start()
    try:

        async def three_ticks_done() -> bool:
            runs = await _runs(sessions)
            return sum(r.status == JobStatus.SUCCEEDED for r in runs) >= 3

        await wait_for(three_ticks_done, what="three cron ticks")
    finally:
        for worker in workers:
            await worker.stop()
    records = await _runs(sessions)
    finished = [r for r in records if r.status == JobStatus.SUCCEEDED]
    assert len(ran) == len(set(ran))  # no tick ran twice
    assert {r.dedup_key for r in finished} <= set(ran)
    assert all(r.attempts == 1 for r in finished)
