"""Workers: arq settings built from the registry, the in-process worker, the standalone one.

How the arq settings make jobs self-healing (arq 0.26+):

- Every message calls one arq function, :func:`core.jobs.runner.run_job`, with arq's own
  ``max_tries`` set very high: the runner counts tries itself (``job_try`` from arq) and
  records the outcome, so a job never ends in Redis without its record saying so.
- arq's ``timeout`` is the longest job timeout plus a grace period; the runner enforces each
  job's own timeout first and turns it into a retry.
- When a worker dies mid-job (SIGKILL, OOM, power loss), its message stays in the queue with
  an "in progress" lease that arq sets to that arq timeout + 10 s. When the lease expires
  another worker takes the message (``job_try`` + 1), the runner reclaims the record and the
  attempt counts; the job finishes once.
- ``keep_result=0``: finished messages leave nothing behind, so their ``_job_id`` is free again.
- Messages not started within ``expires_extra_ms`` (arq default: a day) expire; the
  housekeeping sweep re-sends the queue message of any record left queued without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import httpx
from arq.worker import Worker, func
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from core.db import create_engine, session_factory
from core.jobs.queue import RUN_FUNCTION, JobQueue, redis_settings
from core.jobs.runner import SERVICES_KEY, WorkerServices, run_job
from core.jobs.scheduler import CronScheduler
from core.presence import keep_announcing, new_worker_id
from core.registry import Registry

if TYPE_CHECKING:
    from arq.typing import WorkerCoroutine

logger = logging.getLogger("tradewind.jobs")

ARQ_MAX_TRIES = 1000
"""arq's own try limit; the runner applies each job's ``max_tries`` itself."""


def http_client() -> httpx.AsyncClient:
    """The shared HTTP client of a worker: explicit timeouts, a bounded pool."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(30.0, connect=10.0),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        follow_redirects=False,
    )


def arq_timeout(settings: Settings, registry: Registry) -> int:
    """The hard timeout arq applies: the longest job timeout plus a grace period."""
    longest = max(
        [settings.job_timeout, *(d.timeout or settings.job_timeout for d in registry.jobs.values())]
    )
    return longest + max(2, min(30, longest // 10))


@dataclass
class _Lifecycle:
    """Creates the worker's services on start-up and releases what it created on shutdown."""

    settings: Settings
    registry: Registry
    sessions: async_sessionmaker[AsyncSession] | None
    http: httpx.AsyncClient | None
    run_scheduler: bool
    _engine: AsyncEngine | None = None
    _owned_http: httpx.AsyncClient | None = None
    _scheduler_task: asyncio.Task[None] | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def startup(self, ctx: dict[str, Any]) -> None:
        sessions = self.sessions
        if sessions is None:
            self._engine = create_engine(self.settings.effective_database_url)
            sessions = session_factory(self._engine)
        http = self.http
        if http is None:
            http = self._owned_http = http_client()
        queue = JobQueue(ctx["redis"], sessions, self.registry, self.settings)
        ctx[SERVICES_KEY] = WorkerServices(self.settings, self.registry, sessions, http, queue)
        if self.run_scheduler and self.registry.crons:
            scheduler = CronScheduler(queue, self.registry.crons)
            self._scheduler_task = asyncio.create_task(scheduler.run_forever())
        # /healthz and the jobs page count workers by these short-lived presence keys.
        info = {"pid": os.getpid(), "jobs": sorted(self.registry.jobs)}
        self._tasks.append(
            asyncio.create_task(
                keep_announcing(ctx["redis"], self.settings.queue_name, new_worker_id(), info)
            )
        )

    async def shutdown(self, ctx: dict[str, Any]) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._scheduler_task is not None:
            self._scheduler_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scheduler_task
        if self._owned_http is not None:
            await self._owned_http.aclose()
        if self._engine is not None:
            await self._engine.dispose()


def create_worker(
    settings: Settings,
    registry: Registry,
    *,
    redis_url: str | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    http: httpx.AsyncClient | None = None,
    concurrency: int | None = None,
    burst: bool = False,
    handle_signals: bool = True,
    poll_delay: float = 0.5,
    run_scheduler: bool | None = None,
) -> Worker:
    """Build an arq worker that runs the registry's jobs and schedules.

    Args:
        settings: deployment settings (queue name, timeouts, concurrency).
        registry: the loaded plugins' jobs and cron schedules.
        redis_url: Redis to use instead of ``settings.redis_url`` (the embedded one).
        sessions: reuse this session factory (default: an engine on the configured database).
        http: reuse this HTTP client (default: one made at start-up).
        concurrency: jobs run at the same time (default: ``settings.worker_concurrency``).
        burst: stop when the queue is empty (tests, one-off runs).
        handle_signals: stop on SIGINT/SIGTERM (standalone); False inside another program.
        poll_delay: seconds between looks at the queue.
        run_scheduler: run the cron scheduler (default: unless ``burst``).
    """
    url = redis_url or settings.redis_url
    if not url:
        raise ValueError("a worker needs a Redis URL")
    timeout = arq_timeout(settings, registry)
    lifecycle = _Lifecycle(
        settings,
        registry,
        sessions,
        http,
        run_scheduler=(not burst) if run_scheduler is None else run_scheduler,
    )
    job_function = func(
        cast("WorkerCoroutine", run_job),
        name=RUN_FUNCTION,
        timeout=timeout,
        max_tries=ARQ_MAX_TRIES,
        keep_result=0,
    )
    return Worker(
        functions=[job_function],
        queue_name=settings.queue_name,
        redis_settings=redis_settings(url),
        burst=burst,
        on_startup=lifecycle.startup,
        on_shutdown=lifecycle.shutdown,
        handle_signals=handle_signals,
        max_jobs=concurrency or settings.worker_concurrency,
        job_timeout=timeout,
        keep_result=0,
        max_tries=ARQ_MAX_TRIES,
        poll_delay=poll_delay,
        health_check_interval=60,
        log_results=False,
    )


async def run_burst(worker: Worker) -> None:
    """Run ``worker`` until its queue is empty, then close it (tests, one-off runs)."""
    try:
        await worker.async_run()
    finally:
        await worker.close()


class InProcessWorker:
    """A worker running as a task inside another asyncio program (``tradewind serve``).

    ``await start()`` after the database and Redis are up; ``await stop()`` before they go
    down. Running attempts are interrupted by ``stop()`` and run again on the next start.
    """

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        redis_url: str | None = None,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        http: httpx.AsyncClient | None = None,
        concurrency: int | None = None,
        poll_delay: float = 0.5,
    ) -> None:
        self._options: dict[str, Any] = {
            "redis_url": redis_url,
            "sessions": sessions,
            "http": http,
            "concurrency": concurrency,
            "poll_delay": poll_delay,
        }
        self.settings = settings
        self.registry = registry
        self._worker: Worker | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the worker task is alive."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start polling the queue in a background task."""
        if self.running:
            return
        self._worker = create_worker(
            self.settings, self.registry, handle_signals=False, **self._options
        )
        self._task = asyncio.create_task(self._worker.async_run(), name="tradewind-worker")

    async def stop(self) -> None:
        """Stop polling, interrupt running attempts (they are re-queued), release services."""
        worker, task = self._worker, self._task
        self._worker = self._task = None
        if worker is None or task is None:
            return
        # Stop polling first (this also covers a stop() so early that arq had not started its
        # main loop yet), so that no attempt starts while the running ones are interrupted.
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await close_worker(worker)


async def close_worker(worker: Worker) -> None:
    """Interrupt the attempts still running (they are re-queued), then release arq's services.

    arq's own ``close`` awaits the attempts' tasks together and, when one of them was
    cancelled, raises ``CancelledError`` there: before it deletes its health-check key and
    closes its Redis pool, and out of a ``tradewind worker`` stopped by SIGTERM mid-job.
    """
    for attempt in worker.tasks.values():
        if not attempt.done():
            attempt.cancel()
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    worker.tasks.clear()  # all done: arq's close has nothing left to wait for
    await worker.close()


def run_worker(
    settings: Settings,
    registry: Registry,
    *,
    concurrency: int | None = None,
    redis_url: str | None = None,
) -> None:
    """Run a standalone worker until SIGINT/SIGTERM (``tradewind worker``)."""

    async def serve() -> None:
        worker = create_worker(
            settings, registry, redis_url=redis_url, concurrency=concurrency, handle_signals=True
        )
        try:
            await worker.async_run()
        except asyncio.CancelledError:
            logger.info("worker stopping")
        finally:
            await close_worker(worker)

    asyncio.run(serve())
