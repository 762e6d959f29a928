"""The job queue: enqueue by name, look up, cancel and retry jobs (arq on Redis).

This package is the only code that imports arq. A queue message carries nothing but the job
record id; its arq ``_job_id`` is stored on the record (``queue_job_id``) and derived from the
queue name and the record id, so enqueueing the same record twice is a no-op in Redis.
"""

from __future__ import annotations

import secrets
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import in_progress_key_prefix, job_key_prefix
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from core.errors import RuleViolation, TradewindError
from core.i18n import N_, msg
from core.jobs import items as item_store
from core.jobs import records
from core.models import FINISHED_JOB_STATUSES, ItemStatus, JobItem, JobRecord, JobStatus
from core.registry import Registry

RUN_FUNCTION = "tradewind.run_job"
"""Name of the one arq function every queue message calls (see :mod:`core.jobs.worker`)."""


_STATUS_NAMES = {JobStatus.QUEUED: N_("queued"), JobStatus.RUNNING: N_("running")}


class UnknownJob(TradewindError, LookupError):
    """No loaded plugin registered a job with this name."""


def redis_settings(url: str) -> RedisSettings:
    """Connection settings (arq's) for a ``redis://``, ``rediss://`` or ``unix://`` URL."""
    return RedisSettings.from_dsn(url)


class JobQueue:
    """Creates job records and their queue messages; reads, cancels and retries them.

    Build one per process with :meth:`connect` (the web app's lifespan and each worker do);
    it is safe to share between tasks.

    Args:
        redis: an arq connection pool.
        sessions: the database session factory.
        registry: the loaded plugins' registry (job names are checked against it).
        settings: the deployment settings (queue name).
        owns_redis: close ``redis`` in :meth:`close`.
    """

    def __init__(
        self,
        redis: ArqRedis,
        sessions: async_sessionmaker[AsyncSession],
        registry: Registry,
        settings: Settings,
        *,
        owns_redis: bool = False,
    ) -> None:
        self.redis = redis
        self.sessions = sessions
        self.registry = registry
        self.settings = settings
        self.queue_name = settings.queue_name
        self._owns_redis = owns_redis

    @classmethod
    async def connect(
        cls,
        settings: Settings,
        registry: Registry,
        sessions: async_sessionmaker[AsyncSession],
        *,
        redis_url: str | None = None,
    ) -> JobQueue:
        """Open a connection pool to ``redis_url`` (default: ``settings.redis_url``)."""
        url = redis_url or settings.redis_url
        if not url:
            raise ValueError("no Redis URL: set redis_url or pass the embedded Redis's URL")
        pool = await create_pool(redis_settings(url), default_queue_name=settings.queue_name)
        return cls(pool, sessions, registry, settings, owns_redis=True)

    async def close(self) -> None:
        """Close the Redis pool if this queue opened it."""
        if self._owns_redis:
            await self.redis.aclose(close_connection_pool=True)

    # -- enqueueing ------------------------------------------------------------------------

    @property
    def _message_prefix(self) -> str:
        return f"{self.queue_name}:job:"

    async def enqueue(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        account_id: int | None = None,
        user_id: int | None = None,
        dedup_key: str | None = None,
        title: str = "",
    ) -> int:
        """Create a job record and queue it; return the record id.

        Args:
            name: a registered job name (``"wish.sync_orders"``).
            payload: JSON-serialisable input handed to the job function.
            account_id: the account the job works for (``None``: deployment-wide).
            user_id: who started it, when a person did.
            dedup_key: while a job of this account with this key is queued or running, enqueueing
                again returns that job's id instead of creating another.
            title: shown on the jobs page (default: the job definition's title).

        Raises:
            UnknownJob: no loaded plugin registered ``name``.
        """
        record, _ = await self._create(
            name,
            payload,
            account_id=account_id,
            user_id=user_id,
            dedup_key=dedup_key,
            title=title,
            once=False,
        )
        assert record.id is not None
        return record.id

    async def enqueue_once(
        self,
        name: str,
        payload: dict[str, Any] | None,
        *,
        occurrence_key: str,
        title: str = "",
    ) -> tuple[int, bool]:
        """Enqueue a deployment-wide job at most once per ``occurrence_key`` (a cron tick).

        Returns the record id and whether this call created it.
        """
        record, created = await self._create(
            name, payload, dedup_key=occurrence_key, title=title, once=True
        )
        assert record.id is not None
        return record.id, created

    async def _create(
        self,
        name: str,
        payload: dict[str, Any] | None,
        *,
        account_id: int | None = None,
        user_id: int | None = None,
        dedup_key: str | None,
        title: str,
        once: bool,
    ) -> tuple[JobRecord, bool]:
        definition = self.registry.jobs.get(name)
        if definition is None:
            known = ", ".join(sorted(self.registry.jobs)) or "none"
            raise UnknownJob(
                msg(
                    "unknown job %(name)s (registered jobs: %(known)s)",
                    name=repr(name),
                    known=known,
                )
            )
        fields = {
            "name": name,
            "title": (title or definition.title or name)[:300],
            "account_id": account_id,
            "user_id": user_id,
            "payload": records.json_safe(payload),
            "dedup_key": None
            if dedup_key is None
            else records.scoped_dedup_key(account_id, dedup_key),
        }
        record, created = await records.create_record(
            self.sessions, fields, queue_job_id_prefix=self._message_prefix, once=once
        )
        if record.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            # Also for an existing record: re-sending a lost message is harmless (same id).
            await self.send(record)
        return record, created

    async def send(self, record: JobRecord) -> bool:
        """Put the record's queue message in Redis; False when it is already there."""
        assert record.id is not None and record.queue_job_id is not None
        job = await self.redis.enqueue_job(
            RUN_FUNCTION, record.id, _job_id=record.queue_job_id, _queue_name=self.queue_name
        )
        return job is not None

    async def message_exists(self, queue_job_id: str) -> bool:
        """Whether Redis still holds the message (waiting, deferred or being run)."""
        found = await self.redis.exists(
            job_key_prefix + queue_job_id, in_progress_key_prefix + queue_job_id
        )
        return bool(found)

    # -- reading and acting on jobs of an account -----------------------------------------

    async def get(self, job_id: int, account_id: int | None) -> JobRecord:
        """The job record, if it belongs to ``account_id``.

        Raises:
            NotFound: no such job in this account.
        """
        return await records.get_record(self.sessions, job_id, account_id)

    async def recent(
        self, account_id: int | None, *, limit: int = 50, offset: int = 0
    ) -> list[JobRecord]:
        """The account's job records, newest first."""
        return await records.list_records(self.sessions, account_id, limit=limit, offset=offset)

    async def items(
        self,
        job_id: int,
        account_id: int | None,
        *,
        status: ItemStatus | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[JobItem]:
        """Per-item results of a job (e.g. ``status=ItemStatus.FAILED``).

        Raises:
            NotFound: no such job in this account.
        """
        await self.get(job_id, account_id)
        return await item_store.list_items(
            self.sessions, job_id, status=status, limit=limit, offset=offset
        )

    async def cancel(self, job_id: int, account_id: int | None) -> JobRecord:
        """Cancel a job of the account.

        A queued job becomes cancelled without running; a running one sees
        ``ctx.is_cancelled()`` and is recorded cancelled when it returns. Finished jobs are
        left as they are.

        Raises:
            NotFound: no such job in this account.
        """
        record = await self.get(job_id, account_id)
        return await records.request_cancel(self.sessions, record)

    async def retry_failed(self, job_id: int, account_id: int | None) -> JobRecord:
        """Run a finished job again for its failed items only; done items stay done.

        A job that failed as a whole (no item results) runs again and resumes: its function
        skips what ``ctx.finished_items()`` reports.

        Raises:
            NotFound: no such job in this account.
            RuleViolation: the job is not finished, or finished with nothing to retry.
        """
        record = await self.get(job_id, account_id)
        if record.status not in FINISHED_JOB_STATUSES:
            raise RuleViolation(
                msg(
                    "job %(id)s is still %(status)s; wait for it",
                    id=job_id,
                    status=msg(_STATUS_NAMES.get(record.status, record.status.value)),
                )
            )
        if record.status == JobStatus.SUCCEEDED:
            raise RuleViolation(msg("job %(id)s succeeded; there is nothing to retry", id=job_id))
        if record.name not in self.registry.jobs:
            raise UnknownJob(
                msg(
                    "job %(name)s is no longer registered; cannot retry it",
                    name=repr(record.name),
                )
            )
        fresh_id = f"{self._message_prefix}{job_id}:{secrets.token_hex(4)}"
        if await records.reopen_for_retry(self.sessions, record, fresh_id):
            record = await self.get(job_id, account_id)
            await self.send(record)
        return await self.get(job_id, account_id)
