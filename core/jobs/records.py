"""Job records in the database: creation with dedup keys, the attempt life cycle, cleanup.

The database row is the truth about a job; the queue only carries its id. Every state change
is one conditional ``UPDATE`` (``WHERE status IN ... AND queue_job_id = ...``), so two
workers, a worker and a cancelling user, or a worker and the stuck-job sweep can never both
win the same transition. Nothing here knows the queue implementation.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.i18n import msg, parts_of
from core.models import (
    FINISHED_JOB_STATUSES,
    ItemStatus,
    JobItem,
    JobRecord,
    JobStatus,
    utcnow,
)

ERROR_MAX_CHARS = 4000
ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


def clip(message: str) -> str:
    """Cut an error message to what the record's column holds."""
    return message if len(message) <= ERROR_MAX_CHARS else message[: ERROR_MAX_CHARS - 1] + "…"


def error_values(message: str | None) -> dict[str, Any]:
    """The ``error`` and ``error_parts`` columns for ``message`` (``None`` clears both).

    A :class:`~core.i18n.Message` keeps its template and parameters in ``error_parts``, so
    pages can show it in the reader's language; ``error`` holds the English text.
    """
    if message is None:
        return {"error": None, "error_parts": None}
    return {"error": clip(message), "error_parts": parts_of(message)}


def scoped_dedup_key(account_id: int | None, dedup_key: str) -> str:
    """The stored dedup key: the caller's key inside the account's namespace.

    Two accounts using the same key never see each other's jobs.
    """
    owner = "-" if account_id is None else str(account_id)
    return f"{owner}:{dedup_key}"


def json_safe(value: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of ``value`` that the JSON column accepts (unknown types become strings)."""
    if not value:
        return {}
    loaded: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return loaded


async def _by_dedup_key(session: AsyncSession, key: str) -> JobRecord | None:
    statement = select(JobRecord).where(col(JobRecord.dedup_key) == key)
    return (await session.exec(statement)).first()


async def create_record(
    sessions: async_sessionmaker[AsyncSession],
    fields: dict[str, Any],
    *,
    queue_job_id_prefix: str,
    once: bool = False,
) -> tuple[JobRecord, bool]:
    """Insert a record with ``fields`` unless an equivalent one exists; return (record, created).

    With a dedup key, an unfinished record holding that key is returned instead of a new one.
    A finished record holding it gives the key up to the new record, except with ``once``
    (cron ticks), where any record with that key means "already done".

    Args:
        sessions: session factory.
        fields: column values of the new record (``dedup_key`` already scoped, see
            :func:`scoped_dedup_key`).
        queue_job_id_prefix: the queue message id is this prefix plus the record id.
        once: the key names one unique occurrence (a cron tick), never to be run twice.
    """
    dedup_key: str | None = fields.get("dedup_key")
    for _ in range(5):
        async with sessions() as session:
            if dedup_key is not None:
                existing = await _by_dedup_key(session, dedup_key)
                if existing is not None:
                    if once or existing.status not in FINISHED_JOB_STATUSES:
                        return existing, False
                    released = await session.exec(
                        update(JobRecord)
                        .where(col(JobRecord.id) == existing.id)
                        .where(col(JobRecord.dedup_key) == dedup_key)
                        .where(col(JobRecord.status).in_(FINISHED_JOB_STATUSES))
                        .values(dedup_key=None)
                    )
                    if not released.rowcount:
                        # Reopened or released meanwhile: look again.
                        await session.rollback()
                        continue
            fresh = JobRecord(**fields)
            session.add(fresh)
            try:
                await session.flush()
                fresh.queue_job_id = f"{queue_job_id_prefix}{fresh.id}"
                await session.commit()
            except IntegrityError:
                # Another process inserted the same dedup key between our read and write.
                await session.rollback()
                continue
            return fresh, True
    raise RuntimeError(f"could not create a job record for dedup key {dedup_key!r}")


async def load_record(
    sessions: async_sessionmaker[AsyncSession], record_id: int
) -> JobRecord | None:
    """The record with ``record_id``, of any account (workers and housekeeping only)."""
    async with sessions() as session:
        return await session.get(JobRecord, record_id, populate_existing=True)


async def get_record(
    sessions: async_sessionmaker[AsyncSession], record_id: int, account_id: int | None
) -> JobRecord:
    """The record if it belongs to ``account_id``; else :class:`NotFound` (never a hint)."""
    record = await load_record(sessions, record_id)
    if record is None or record.account_id != account_id:
        raise NotFound(msg("job %(id)s not found", id=record_id))
    return record


async def list_records(
    sessions: async_sessionmaker[AsyncSession],
    account_id: int | None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> list[JobRecord]:
    """The account's records, newest first."""
    statement = (
        select(JobRecord)
        .where(col(JobRecord.account_id) == account_id)
        .order_by(col(JobRecord.created_at).desc(), col(JobRecord.id).desc())
        .limit(limit)
        .offset(offset)
    )
    async with sessions() as session:
        return list((await session.exec(statement)).all())


async def _update(
    sessions: async_sessionmaker[AsyncSession],
    record_id: int,
    *,
    statuses: tuple[JobStatus, ...],
    queue_job_id: str | None = None,
    **values: Any,
) -> bool:
    """One conditional update of a record; True when it applied."""
    statement = (
        update(JobRecord)
        .where(col(JobRecord.id) == record_id)
        .where(col(JobRecord.status).in_(statuses))
        .values(**values)
    )
    if queue_job_id is not None:
        statement = statement.where(col(JobRecord.queue_job_id) == queue_job_id)
    async with sessions() as session:
        result = await session.exec(statement)
        await session.commit()
        return bool(result.rowcount)


async def claim(
    sessions: async_sessionmaker[AsyncSession], record_id: int, queue_job_id: str
) -> JobRecord | None:
    """Start an attempt: mark the record running and count the attempt.

    A record already ``running`` under the same queue message is claimable: the queue only
    hands that message out again after the previous holder's lease expired (its worker died).
    Returns ``None`` when there is nothing to run (finished, cancelled, or superseded by a
    newer queue message).
    """
    now = utcnow()
    record = await load_record(sessions, record_id)
    if record is None:
        return None
    claimed = await _update(
        sessions,
        record_id,
        statuses=ACTIVE_STATUSES,
        queue_job_id=queue_job_id,
        status=JobStatus.RUNNING,
        attempts=col(JobRecord.attempts) + 1,
        started_at=record.started_at or now,
        heartbeat_at=now,
    )
    return await load_record(sessions, record_id) if claimed else None


async def heartbeat(
    sessions: async_sessionmaker[AsyncSession], record_id: int, queue_job_id: str
) -> None:
    """Show that the attempt is alive (the stuck-job sweep looks at this)."""
    await _update(
        sessions,
        record_id,
        statuses=(JobStatus.RUNNING,),
        queue_job_id=queue_job_id,
        heartbeat_at=utcnow(),
    )


async def back_to_queue(
    sessions: async_sessionmaker[AsyncSession],
    record_id: int,
    queue_job_id: str,
    error: str | None,
) -> None:
    """The attempt ended without an outcome (retry ahead, or worker shutdown): queued again."""
    await _update(
        sessions,
        record_id,
        statuses=(JobStatus.RUNNING,),
        queue_job_id=queue_job_id,
        status=JobStatus.QUEUED,
        heartbeat_at=None,
        **error_values(error),
    )


def _final_status(record: JobRecord, error: str | None) -> tuple[JobStatus, str | None]:
    if record.cancel_requested:
        return JobStatus.CANCELLED, error
    if error is not None:
        return JobStatus.FAILED, error
    if record.failed and not record.done:
        return JobStatus.FAILED, msg("all %(count)s items failed", count=record.failed)
    if record.failed:
        return JobStatus.PARTIAL, None
    return JobStatus.SUCCEEDED, None


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    record_id: int,
    queue_job_id: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> JobRecord | None:
    """Record the outcome of the attempt that holds the record.

    The status follows from the counters: cancelled when a cancel was requested, failed with
    ``error`` or when every item failed, partial when some failed, else succeeded.
    Returns the finished record, or ``None`` when this attempt no longer holds it.
    """
    record = await load_record(sessions, record_id)
    if record is None:
        return None
    status, message = _final_status(record, error)
    values: dict[str, Any] = {
        "status": status,
        "finished_at": utcnow(),
        "heartbeat_at": None,
        **error_values(message),
    }
    if result is not None:
        values["result"] = json_safe(result)
    applied = await _update(
        sessions, record_id, statuses=(JobStatus.RUNNING,), queue_job_id=queue_job_id, **values
    )
    return await load_record(sessions, record_id) if applied else None


async def cancel_requested(sessions: async_sessionmaker[AsyncSession], record_id: int) -> bool:
    """Whether someone asked to cancel the record."""
    async with sessions() as session:
        statement = select(JobRecord.cancel_requested).where(col(JobRecord.id) == record_id)
        return bool((await session.exec(statement)).first())


async def request_cancel(
    sessions: async_sessionmaker[AsyncSession], record: JobRecord
) -> JobRecord:
    """Cancel ``record``: a queued one at once, a running one at its next check.

    The flag is set first and a queued record is closed second, so a worker that claims the
    record in between sees the flag and stops before running anything.
    """
    assert record.id is not None
    if record.status in FINISHED_JOB_STATUSES:
        return record
    await _update(sessions, record.id, statuses=ACTIVE_STATUSES, cancel_requested=True)
    await _update(
        sessions,
        record.id,
        statuses=(JobStatus.QUEUED,),
        status=JobStatus.CANCELLED,
        finished_at=utcnow(),
        heartbeat_at=None,
    )
    reloaded = await load_record(sessions, record.id)
    assert reloaded is not None
    return reloaded


async def reopen_for_retry(
    sessions: async_sessionmaker[AsyncSession], record: JobRecord, queue_job_id: str
) -> bool:
    """Put a finished record back in the queue to redo its failed items.

    Failed items become pending again (their last error stays visible until they are redone);
    done and skipped items stay as they are. Returns False when the record changed meanwhile.
    """
    assert record.id is not None
    async with sessions() as session:
        reset = await session.exec(
            update(JobItem)
            .where(col(JobItem.job_id) == record.id)
            .where(col(JobItem.status) == ItemStatus.FAILED)
            .values(status=ItemStatus.PENDING, updated_at=utcnow())
        )
        reopened = await session.exec(
            update(JobRecord)
            .where(col(JobRecord.id) == record.id)
            .where(col(JobRecord.status) == record.status)
            .where(col(JobRecord.queue_job_id) == record.queue_job_id)
            .values(
                status=JobStatus.QUEUED,
                failed=col(JobRecord.failed) - reset.rowcount,
                error=None,
                error_parts=None,
                cancel_requested=False,
                started_at=None,
                finished_at=None,
                heartbeat_at=None,
                queue_job_id=queue_job_id,
            )
        )
        if not reopened.rowcount:
            await session.rollback()
            return False
        await session.commit()
        return True


async def requeue_stuck(
    sessions: async_sessionmaker[AsyncSession], record: JobRecord, *, reason: str
) -> bool:
    """Put a record whose queue message was lost back to ``queued`` (same message id)."""
    assert record.id is not None
    return await _update(
        sessions,
        record.id,
        statuses=(record.status,),
        queue_job_id=record.queue_job_id,
        status=JobStatus.QUEUED,
        heartbeat_at=None,
        **error_values(reason),
    )


async def fail_stuck(
    sessions: async_sessionmaker[AsyncSession], record: JobRecord, *, reason: str
) -> bool:
    """Record a stuck record as failed (it cannot be run again here)."""
    assert record.id is not None
    return await _update(
        sessions,
        record.id,
        statuses=(record.status,),
        queue_job_id=record.queue_job_id,
        status=JobStatus.FAILED,
        heartbeat_at=None,
        finished_at=utcnow(),
        **error_values(reason),
    )


async def active_records(
    sessions: async_sessionmaker[AsyncSession],
    *,
    created_before: datetime,
    after_id: int = 0,
    limit: int = 500,
) -> list[JobRecord]:
    """Queued or running records created before ``created_before``, by id after ``after_id``."""
    statement = (
        select(JobRecord)
        .where(col(JobRecord.status).in_(ACTIVE_STATUSES))
        .where(col(JobRecord.created_at) < created_before)
        .where(col(JobRecord.id) > after_id)
        .order_by(col(JobRecord.id))
        .limit(limit)
    )
    async with sessions() as session:
        return list((await session.exec(statement)).all())


async def purge_finished(
    sessions: async_sessionmaker[AsyncSession], *, finished_before: datetime, batch: int = 500
) -> int:
    """Delete finished records (and their items) that finished before ``finished_before``.

    Deletes in batches so a large backlog never holds one long transaction. Returns how
    many records were deleted.
    """
    deleted = 0
    while True:
        async with sessions() as session:
            ids = list(
                (
                    await session.exec(
                        select(JobRecord.id)
                        .where(col(JobRecord.status).in_(FINISHED_JOB_STATUSES))
                        .where(col(JobRecord.finished_at) < finished_before)
                        .limit(batch)
                    )
                ).all()
            )
            if not ids:
                return deleted
            await session.exec(delete(JobItem).where(col(JobItem.job_id).in_(ids)))
            await session.exec(delete(JobRecord).where(col(JobRecord.id).in_(ids)))
            await session.commit()
            deleted += len(ids)
