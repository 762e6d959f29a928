"""Helpers shared by the job tests: a queue on the test Redis, burst workers, accounts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from core.interfaces.jobs import CronDefinition, JobDefinition
from core.jobs import JobQueue, create_worker, run_burst
from core.models import Account, JobRecord
from core.registry import Registry

DEADLINE_S = 60.0
"""Hang guard for waits in tests; not a timing assertion."""


def registry_of(*jobs: JobDefinition, crons: tuple[CronDefinition, ...] = ()) -> Registry:
    return Registry(jobs={j.name: j for j in jobs}, crons={c.name: c for c in crons})


@asynccontextmanager
async def open_queue(
    settings: Settings,
    registry: Registry,
    sessions: async_sessionmaker[AsyncSession],
    *,
    redis_url: str | None = None,
) -> AsyncIterator[JobQueue]:
    queue = await JobQueue.connect(settings, registry, sessions, redis_url=redis_url)
    try:
        yield queue
    finally:
        await _forget_queue(queue)
        await queue.close()


async def _forget_queue(queue: JobQueue) -> None:
    """Leave nothing of this test's queue in a shared Redis (arq's key layout)."""
    members = await queue.redis.zrange(queue.queue_name, 0, -1)
    keys = [queue.queue_name]
    for member in members:
        message_id = member.decode()
        keys += [f"arq:{kind}:{message_id}" for kind in ("job", "retry", "in-progress")]
    await queue.redis.delete(*keys)


async def run_until_idle(
    settings: Settings,
    registry: Registry,
    sessions: async_sessionmaker[AsyncSession],
    *,
    redis_url: str | None = None,
) -> None:
    """Run an in-process arq worker until the queue is empty (retries included)."""
    worker = create_worker(
        settings,
        registry,
        redis_url=redis_url,
        sessions=sessions,
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
    )
    await asyncio.wait_for(run_burst(worker), DEADLINE_S)


async def load(sessions: async_sessionmaker[AsyncSession], job_id: int) -> JobRecord:
    async with sessions() as session:
        record = await session.get(JobRecord, job_id, populate_existing=True)
    assert record is not None
    return record


async def make_account(sessions: async_sessionmaker[AsyncSession], name: str = "shop") -> int:
    async with sessions() as session:
        account = Account(name=name)
        session.add(account)
        await session.commit()
        assert account.id is not None
        return account.id


async def wait_for(
    check: Callable[[], Awaitable[bool]], *, what: str, deadline: float = DEADLINE_S
) -> None:
    """Poll ``check`` until it is true; fail the test after ``deadline`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not await check():
        if loop.time() > end:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def items_job(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """A batch job over ``payload["items"]``; keys in ``payload["bad"]`` fail permanently."""
    from core.errors import PermanentError

    keys: list[str] = payload["items"]
    bad = set(payload.get("bad", []))
    await ctx.set_total(len(keys))
    finished = await ctx.finished_items()
    processed = []
    for key in keys:
        if key in finished:
            continue
        async with ctx.item(key, label=f"item {key}"):
            processed.append(key)
            if key in bad:
                raise PermanentError(f"{key} refused by the platform")
    return {"processed": processed}
