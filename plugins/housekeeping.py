"""Built-in plugin ``housekeeping``: keeps the job system healthy.

- ``housekeeping.sweep_stuck_jobs`` (every 5 minutes and at worker start): queued or running
  jobs whose queue message was lost (embedded Redis restarted, Redis flushed, message
  expired) are sent again; see :func:`core.jobs.sweep_stuck_jobs`.
- ``housekeeping.purge_job_records`` (daily, 03:17 UTC): finished job records older than the
  ``job_retention_days`` setting are deleted with their items.

The job functions are plain coroutines, usable and testable without pluggy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core import hookimpl
from core.interfaces.jobs import CronDefinition, JobContext, JobDefinition
from core.jobs import purge_finished_jobs, sweep_stuck_jobs

PLUGIN_ID = "housekeeping"
SWEEP_JOB = "housekeeping.sweep_stuck_jobs"
PURGE_JOB = "housekeeping.purge_job_records"
SWEEP_EVERY_SECONDS = 300


async def sweep_stuck_job_records(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Re-send the queue messages of jobs that lost theirs; returns the counts."""
    return dict(await sweep_stuck_jobs(ctx.queue))


async def purge_job_records(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Delete finished job records past retention (payload ``retention_days`` overrides)."""
    days = int(payload.get("retention_days", ctx.settings.job_retention_days))
    deleted = await purge_finished_jobs(ctx.sessions, retention_days=days)
    return {"deleted": deleted, "retention_days": days}


def definitions() -> list[JobDefinition | CronDefinition]:
    """Every job and schedule this plugin registers."""
    return [
        JobDefinition(
            name=SWEEP_JOB,
            func=sweep_stuck_job_records,
            title="Recover stuck jobs",
            timeout=300,
            max_tries=1,
        ),
        JobDefinition(
            name=PURGE_JOB,
            func=purge_job_records,
            title="Purge old job records",
            max_tries=3,
        ),
        CronDefinition(
            name="housekeeping.sweep",
            job=SWEEP_JOB,
            every_seconds=SWEEP_EVERY_SECONDS,
            run_at_startup=True,
        ),
        CronDefinition(name="housekeeping.purge", job=PURGE_JOB, hour=3, minute=17, second=0),
    ]


@hookimpl
def register_jobs(register: Callable[[JobDefinition | CronDefinition], None]) -> None:
    """Register the housekeeping jobs and their schedules."""
    for definition in definitions():
        register(definition)
