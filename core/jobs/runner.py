"""One attempt of one job record: claim it, run its function, record the outcome.

The error taxonomy becomes queue behaviour here and nowhere else:

- :class:`~core.errors.TransientError` (and timeouts) → the attempt is retried later with
  exponential backoff and jitter, honouring ``retry_after``, until ``max_tries``; then the job
  is recorded failed with the last message.
- :class:`~core.errors.PermanentError` → the job is recorded failed with its message (inside
  ``ctx.item(...)`` it only fails that item).
- any other exception → the job is recorded failed and the traceback logged.
- the worker shutting down → the record goes back to ``queued`` and runs again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from arq.worker import Retry
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from core.errors import PermanentError, TransientError
from core.i18n import message_of, msg
from core.interfaces.jobs import JobDefinition
from core.jobs import records
from core.jobs.backoff import retry_delay
from core.jobs.context import WorkerJobContext
from core.jobs.queue import JobQueue
from core.models import JobRecord
from core.registry import Registry

logger = logging.getLogger("tradewind.jobs")

SERVICES_KEY = "tradewind"
"""Key of :class:`WorkerServices` in the arq worker context."""


@dataclass
class WorkerServices:
    """What a worker process shares between all the attempts it runs."""

    settings: Settings
    registry: Registry
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    queue: JobQueue


def heartbeat_interval(timeout: float) -> float:
    """Seconds between heartbeats of an attempt with ``timeout`` (a few per timeout)."""
    return max(0.5, min(30.0, timeout / 4))


async def run_job(arq_ctx: dict[str, Any], record_id: int) -> str:
    """The arq function behind every queue message: run one attempt of ``record_id``."""
    services: WorkerServices = arq_ctx[SERVICES_KEY]
    message_id: str = arq_ctx["job_id"]
    record = await records.claim(services.sessions, record_id, message_id)
    if record is None:
        return "nothing to run"
    return await Attempt(services, record, message_id, int(arq_ctx["job_try"])).run()


class Attempt:
    """One claimed attempt of a record (the record is ``running`` under ``message_id``)."""

    def __init__(
        self, services: WorkerServices, record: JobRecord, message_id: str, attempt: int
    ) -> None:
        assert record.id is not None
        self.services = services
        self.record = record
        self.record_id = record.id
        self.message_id = message_id
        self.attempt = attempt

    async def _finish(
        self, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> str:
        finished = await records.finish(
            self.services.sessions, self.record_id, self.message_id, result=result, error=error
        )
        return "superseded" if finished is None else finished.status.value

    async def run(self) -> str:
        """Run the job function under its timeout and record what happened."""
        settings = self.services.settings
        definition = self.services.registry.jobs.get(self.record.name)
        if definition is None:
            return await self._finish(
                error=msg(
                    "job %(name)s is not registered in this worker (is its plugin loaded here?)",
                    name=repr(self.record.name),
                )
            )
        max_tries = definition.max_tries or settings.job_max_tries
        if self.record.cancel_requested:
            return await self._finish()
        if self.attempt > max_tries:
            return await self._finish(
                error=msg(
                    "gave up after %(attempts)s attempts: the worker running it stopped",
                    attempts=max_tries,
                )
            )
        timeout = definition.timeout or settings.job_timeout
        beating = asyncio.create_task(self._heartbeat(heartbeat_interval(timeout)))
        try:
            return await self._execute(definition, timeout, max_tries)
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    def _context(self) -> WorkerJobContext:
        services = self.services
        return WorkerJobContext(
            job_id=self.record_id,
            account_id=self.record.account_id,
            user_id=self.record.user_id,
            attempt=self.attempt,
            settings=services.settings,
            sessions=services.sessions,
            http=services.http,
            registry=services.registry,
            queue=services.queue,
        )

    async def _execute(self, definition: JobDefinition, timeout: int, max_tries: int) -> str:
        payload = dict(self.record.payload)
        try:
            async with asyncio.timeout(timeout):
                result = await definition.func(self._context(), payload)
        except asyncio.CancelledError:
            # The worker is stopping; arq keeps the message and another run picks it up.
            await asyncio.shield(
                records.back_to_queue(
                    self.services.sessions,
                    self.record_id,
                    self.message_id,
                    msg("interrupted by a worker shutdown; it will run again"),
                )
            )
            raise
        except TransientError as exc:
            return await self._transient(message_of(exc), exc.retry_after, max_tries)
        except TimeoutError:
            timed_out = msg("timed out after %(seconds)s s", seconds=timeout)
            return await self._transient(timed_out, None, max_tries)
        except PermanentError as exc:
            return await self._finish(error=message_of(exc) or type(exc).__name__)
        except Exception as exc:
            logger.exception("job %s (%s) failed", self.record_id, self.record.name)
            return await self._finish(error=f"{type(exc).__name__}: {exc}")
        return await self._finish(result=result or {})

    async def _transient(self, message: str, retry_after: float | None, max_tries: int) -> str:
        """Retry later (raises arq's ``Retry``), or record the failure when tries are used up."""
        message = message or msg("temporary error")
        sessions = self.services.sessions
        if await records.cancel_requested(sessions, self.record_id):
            return await self._finish(error=message)
        if self.attempt >= max_tries:
            gave_up = msg(
                "%(error)s (gave up after %(attempts)s attempts)",
                error=message,
                attempts=self.attempt,
            )
            return await self._finish(error=gave_up)
        delay = retry_delay(self.attempt, retry_after=retry_after)
        logger.info(
            "job %s (%s) attempt %d: %s; retrying in %.1f s",
            self.record_id,
            self.record.name,
            self.attempt,
            message,
            delay,
        )
        await records.back_to_queue(
            sessions,
            self.record_id,
            self.message_id,
            msg(
                "attempt %(attempt)s failed, retrying in %(seconds)s s: %(error)s",
                attempt=self.attempt,
                seconds=f"{delay:.0f}",
                error=message,
            ),
        )
        raise Retry(defer=delay)

    async def _heartbeat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await records.heartbeat(self.services.sessions, self.record_id, self.message_id)
            except Exception:  # a missed beat is not worth failing the job over
                logger.warning("heartbeat of job %s failed", self.record_id, exc_info=True)
