"""Cron schedules: every worker runs a small scheduler; each tick becomes one job record.

Every worker looks at the clock about once a second and, for each due tick of a
:class:`~core.interfaces.jobs.CronDefinition`, enqueues its job with the occurrence key
``cron:<schedule name>:<tick time>``. The key is unique in the database, so however many
workers see the same tick, exactly one record is made and run, also when one worker sees it
after another already finished it. Times are UTC; ``weekday`` counts Monday as 0.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from core.i18n import msg
from core.interfaces.jobs import CronDefinition
from core.jobs.queue import JobQueue, UnknownJob
from core.models import utcnow

logger = logging.getLogger("tradewind.jobs")

LOOKBACK = timedelta(hours=1)
"""A tick missed by more than this (worker stopped, clock jump) is not run late."""


def _field_matches(value: int, spec: int | set[int] | None) -> bool:
    if spec is None:
        return True
    if isinstance(spec, int):
        return value == spec
    return value in spec


def cron_matches(cron: CronDefinition, moment: datetime) -> bool:
    """Whether the whole second ``moment`` (UTC) is a tick of ``cron``'s time fields."""
    return (
        _field_matches(moment.month, cron.month)
        and _field_matches(moment.day, cron.day)
        and _field_matches(moment.weekday(), cron.weekday)
        and _field_matches(moment.hour, cron.hour)
        and _field_matches(moment.minute, cron.minute)
        and _field_matches(moment.second, cron.second)
    )


def latest_tick(cron: CronDefinition, after: datetime, until: datetime) -> datetime | None:
    """The latest tick of ``cron`` in ``(after, until]``, or None.

    Interval schedules (``every_seconds``) tick at whole multiples of the interval since the
    Unix epoch, so all workers agree on the ticks without talking to each other.
    """
    after = max(after, until - LOOKBACK)
    if cron.every_seconds:
        step = cron.every_seconds
        tick_ts = int(until.timestamp()) // step * step
        tick = datetime.fromtimestamp(tick_ts, UTC)
        return tick if tick > after else None
    moment = until.astimezone(UTC).replace(microsecond=0)
    while moment > after:
        if cron_matches(cron, moment):
            return moment
        moment -= timedelta(seconds=1)
    return None


def occurrence_key(cron: CronDefinition, tick: datetime) -> str:
    """The dedup key of one tick of ``cron``."""
    return f"cron:{cron.name}:{tick.astimezone(UTC):%Y%m%dT%H%M%SZ}"


class CronScheduler:
    """Turns due ticks of the registered schedules into job records.

    Args:
        queue: where ticks are enqueued.
        crons: the schedules by name.
        started_at: ticks at or before this moment are not run (default: now).
    """

    def __init__(
        self,
        queue: JobQueue,
        crons: Mapping[str, CronDefinition],
        *,
        started_at: datetime | None = None,
    ) -> None:
        for cron in crons.values():
            if cron.job not in queue.registry.jobs:
                raise UnknownJob(
                    msg(
                        "schedule %(schedule)s runs unknown job %(job)s",
                        schedule=repr(cron.name),
                        job=repr(cron.job),
                    )
                )
        self.queue = queue
        self.crons = dict(crons)
        self.started_at = started_at or utcnow()
        self._checked: dict[str, datetime] = dict.fromkeys(self.crons, self.started_at)

    async def run_startup_jobs(self) -> list[int]:
        """Enqueue the schedules marked ``run_at_startup`` (once per start second)."""
        created = []
        for cron in self.crons.values():
            if cron.run_at_startup:
                key = f"cron:{cron.name}:startup:{self.started_at:%Y%m%dT%H%M%SZ}"
                record_id, _ = await self.queue.enqueue_once(
                    cron.job, cron.payload, occurrence_key=key
                )
                created.append(record_id)
        return created

    async def run_due(self, now: datetime | None = None) -> list[int]:
        """Enqueue every schedule with a tick since the last check; return the record ids."""
        now = now or utcnow()
        enqueued = []
        for cron in self.crons.values():
            tick = latest_tick(cron, self._checked[cron.name], now)
            if tick is not None:
                try:
                    record_id, _ = await self.queue.enqueue_once(
                        cron.job, cron.payload, occurrence_key=occurrence_key(cron, tick)
                    )
                except Exception:
                    # Database or Redis hiccup: keep the window open, try again next time.
                    logger.warning("schedule %s: enqueue failed", cron.name, exc_info=True)
                    continue
                enqueued.append(record_id)
            self._checked[cron.name] = now
        return enqueued

    async def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Check the schedules about every ``poll_seconds`` until cancelled."""
        try:
            await self.run_startup_jobs()
        except Exception:
            logger.warning("startup jobs could not be enqueued", exc_info=True)
        while True:
            await asyncio.sleep(poll_seconds)
            await self.run_due()
