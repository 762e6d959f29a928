"""Read access to job records for the jobs page, scoped like every other query.

Reads are plain queries with the page's visibility rule; cancelling and retrying go through
the job queue (:class:`core.jobs.JobQueue`), which owns every change of a job's state.

Who sees what: owners and admins see every job of their account; staff see the jobs they
started. Another account's job, or a deployment-wide job, is :class:`~core.errors.NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from core.actor import Actor
from core.errors import NotFound, RuleViolation
from core.i18n import message_from_parts, msg, revive_messages
from core.models import FINISHED_JOB_STATUSES, ItemStatus, JobItem, JobRecord, JobStatus
from core.runtime import Runtime


@dataclass(frozen=True)
class JobView:
    """A job as the jobs page and the progress component show it.

    Attributes:
        id: the job record id.
        name: the registered job name.
        title: what it does, for people.
        status: a :class:`~core.models.JobStatus` value.
        total: items in the batch (0 until known).
        done: items that succeeded.
        failed: items that failed.
        error: the job's own error, if it failed as a whole (a translatable message when
            the job gave one).
        cancel_requested: someone asked it to stop.
        created_at: when it was enqueued.
        started_at: when a worker first took it.
        finished_at: when it ended.
        result: what the job function returned (e.g. an import's counts and problems).
    """

    id: int
    name: str
    title: str
    status: str
    total: int
    done: int
    failed: int
    error: str | None
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """Whether the job has ended (successfully or not)."""
        return JobStatus(self.status) in FINISHED_JOB_STATUSES

    @property
    def done_percent(self) -> int:
        """Share of items done, 0-100."""
        return round(100 * self.done / self.total) if self.total else (100 if self.finished else 0)

    @property
    def failed_percent(self) -> int:
        """Share of items failed, 0-100."""
        return round(100 * self.failed / self.total) if self.total else 0


@dataclass(frozen=True)
class ItemView:
    """One item of a batch.

    Attributes:
        key: the item's key (a product id, an order number, a spreadsheet row).
        label: what to call it.
        status: an :class:`~core.models.ItemStatus` value.
        error: why it failed or was skipped, or a note on a done item (a translatable message
            when the job gave one).
        attempts: how often it was tried.
        updated_at: when it last changed.
    """

    key: str
    label: str
    status: str
    error: str | None
    attempts: int
    updated_at: datetime


def _text(error: str | None, parts: dict[str, Any] | None) -> str | None:
    """The stored error, rebuilt as a translatable message when its parts were kept."""
    if error is None or not parts:
        return error
    try:
        return message_from_parts(parts)
    except (KeyError, TypeError, ValueError):  # damaged parts: the English text still reads
        return error


def _view(job: JobRecord) -> JobView:
    assert job.id is not None
    return JobView(
        id=job.id,
        name=job.name,
        title=job.title or job.name,
        status=job.status.value,
        total=job.total,
        done=job.done,
        failed=job.failed,
        error=_text(job.error, job.error_parts),
        cancel_requested=job.cancel_requested,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=revive_messages(dict(job.result or {})),
    )


def _scope(actor: Actor) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [col(JobRecord.account_id) == actor.account_id]
    if not actor.is_owner:
        clauses.append(col(JobRecord.user_id) == actor.user_id)
    return clauses


def _visible(actor: Actor) -> SelectOfScalar[JobRecord]:
    return select(JobRecord).where(*_scope(actor))


async def _load(session: AsyncSession, actor: Actor, job_id: int) -> JobRecord:
    job = (await session.exec(_visible(actor).where(JobRecord.id == job_id))).first()
    if job is None:
        raise NotFound("no such job")
    return job


async def list_jobs(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    status: str | None = None,
    limit: int = 50,
) -> list[JobView]:
    """The newest jobs the actor may see, optionally of one status.

    ``status="active"`` means queued or running.
    """
    query = _visible(actor).order_by(col(JobRecord.created_at).desc(), col(JobRecord.id).desc())
    if status == "active":
        query = query.where(col(JobRecord.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]))
    elif status:
        query = query.where(JobRecord.status == status)
    async with sessions() as session:
        return [_view(job) for job in await session.exec(query.limit(max(1, min(limit, 500))))]


async def get_job(sessions: async_sessionmaker[AsyncSession], actor: Actor, job_id: int) -> JobView:
    """One job the actor may see.

    Raises:
        NotFound: no such job, another account's, or (for staff) someone else's.
    """
    async with sessions() as session:
        return _view(await _load(session, actor, job_id))


async def job_items(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    job_id: int,
    *,
    only_failed: bool = False,
    limit: int = 200,
) -> list[ItemView]:
    """Items of a job the actor may see, failed ones first.

    Raises:
        NotFound: see :func:`get_job`.
    """
    async with sessions() as session:
        await _load(session, actor, job_id)
        query = select(JobItem).where(JobItem.job_id == job_id)
        if only_failed:
            query = query.where(JobItem.status == ItemStatus.FAILED)
        query = query.order_by(
            (col(JobItem.status) == ItemStatus.FAILED).desc(), col(JobItem.id)
        ).limit(max(1, min(limit, 1000)))
        return [
            ItemView(
                i.key,
                i.label,
                i.status.value,
                _text(i.error, i.error_parts),
                i.attempts,
                i.updated_at,
            )
            for i in await session.exec(query)
        ]


async def cancel_job(runtime: Runtime, actor: Actor, job_id: int) -> JobView:
    """Ask a job to stop: a queued one never runs, a running one stops between items.

    Raises:
        NotFound: see :func:`get_job`.
        RuleViolation: the job has finished already.
    """
    job = await get_job(runtime.sessions, actor, job_id)
    if job.finished:
        raise RuleViolation(msg("This job has finished already."))
    return _view(await runtime.queue.cancel(job_id, actor.account_id))


async def retry_failed(runtime: Runtime, actor: Actor, job_id: int) -> JobView:
    """Run the failed items of a finished job again; items already done stay done.

    Raises:
        NotFound: see :func:`get_job`.
        RuleViolation: nothing to retry, or the job has not finished.
    """
    job = await get_job(runtime.sessions, actor, job_id)
    if not job.failed and job.status != JobStatus.FAILED.value:
        raise RuleViolation(msg("This job has no failed items to retry."))
    return _view(await runtime.queue.retry_failed(job_id, actor.account_id))


async def job_counts(sessions: async_sessionmaker[AsyncSession], actor: Actor) -> dict[str, int]:
    """How many of the actor's visible jobs are active and how many failed (any failure)."""
    async with sessions() as session:
        query = (
            select(JobRecord.status, func.count())
            .where(*_scope(actor))
            .group_by(col(JobRecord.status))
        )
        counts = {str(status): int(n) for status, n in await session.exec(query)}
    active = counts.get(JobStatus.QUEUED.value, 0) + counts.get(JobStatus.RUNNING.value, 0)
    failed = counts.get(JobStatus.FAILED.value, 0) + counts.get(JobStatus.PARTIAL.value, 0)
    return {"active": active, "failed": failed}
