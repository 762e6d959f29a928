"""Self-healing for jobs whose queue message was lost, and removal of old records.

arq brings back the message of a worker that died mid-job by itself (see
:mod:`core.jobs.worker`). What it cannot bring back is a message that is gone: the embedded
Redis keeps nothing across restarts, an operator may flush Redis, a message may expire
unstarted. :func:`sweep_stuck_jobs` finds records that are queued or running with no message
behind them and sends it again (or records the job failed when nothing can run it).
The built-in housekeeping plugin runs both functions on a schedule.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.i18n import msg
from core.jobs import records
from core.jobs.queue import JobQueue
from core.models import JobRecord, JobStatus, utcnow

logger = logging.getLogger("tradewind.jobs")

QUEUED_GRACE = timedelta(minutes=1)
"""A record younger than this is left alone: its message may be on its way to Redis."""


async def purge_finished_jobs(
    sessions: async_sessionmaker[AsyncSession], *, retention_days: int, now: datetime | None = None
) -> int:
    """Delete job records (with their items) that finished more than ``retention_days`` ago.

    Returns how many records were deleted. Queued and running records are never deleted.
    """
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    return await records.purge_finished(sessions, finished_before=cutoff)


def _is_stale(record: JobRecord, queue: JobQueue, now: datetime) -> bool:
    if record.status != JobStatus.RUNNING:
        return True
    definition = queue.registry.jobs.get(record.name)
    timeout = (definition.timeout if definition else None) or queue.settings.job_timeout
    return record.heartbeat_at is None or record.heartbeat_at < now - timedelta(seconds=timeout)


async def _heal(queue: JobQueue, record: JobRecord) -> str:
    """Send a lost record's message again, or fail it; returns what was done."""
    if record.name not in queue.registry.jobs:
        reason = msg(
            "job %(name)s is not registered here and its queue message was lost",
            name=repr(record.name),
        )
        return "failed" if await records.fail_stuck(queue.sessions, record, reason=reason) else ""
    if record.status == JobStatus.RUNNING:
        reason = msg("its worker stopped and the queue message was lost; queued again")
        if not await records.requeue_stuck(queue.sessions, record, reason=reason):
            return ""
    await queue.send(record)
    return "requeued"


async def sweep_stuck_jobs(queue: JobQueue, *, now: datetime | None = None) -> dict[str, int]:
    """Re-send the queue message of every queued or running record that has lost it.

    A running record counts as stuck only when its heartbeat is older than its job's timeout
    and Redis holds neither its message nor an in-progress lease for it.

    Returns counts: ``checked``, ``requeued`` and ``failed`` records.
    """
    now = now or utcnow()
    counts = {"checked": 0, "requeued": 0, "failed": 0}
    after_id = 0
    while True:
        page = await records.active_records(
            queue.sessions, created_before=now - QUEUED_GRACE, after_id=after_id
        )
        if not page:
            return counts
        for record in page:
            assert record.id is not None
            after_id = record.id
            counts["checked"] += 1
            if record.queue_job_id is None or not _is_stale(record, queue, now):
                continue
            if await queue.message_exists(record.queue_job_id):
                continue
            outcome = await _heal(queue, record)
            if outcome:
                counts[outcome] += 1
                logger.warning("job %s (%s) was stuck: %s", record.id, record.name, outcome)
