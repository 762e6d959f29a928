"""Per-item results of a batch job and the record's counters that summarise them.

One row per ``(job_id, key)``; recording the same outcome twice changes nothing, and moving
an item from one outcome to another (failed, then done on a retry) moves the counters with it.
``done`` counts done and skipped items, ``failed`` counts failed ones.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.jobs.records import clip
from core.models import ItemStatus, JobItem, JobRecord, utcnow

_COUNTED_DONE = (ItemStatus.DONE, ItemStatus.SKIPPED)
FINISHED_ITEM_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.SKIPPED, ItemStatus.FAILED})
"""Items an attempt does not touch again (``retry_failed`` turns failed ones back to pending)."""


def _counter_deltas(old: ItemStatus | None, new: ItemStatus) -> tuple[int, int]:
    done = int(new in _COUNTED_DONE) - int(old in _COUNTED_DONE)
    failed = int(new == ItemStatus.FAILED) - int(old == ItemStatus.FAILED)
    return done, failed


async def record_item(
    sessions: async_sessionmaker[AsyncSession],
    job_id: int,
    key: str,
    status: ItemStatus,
    *,
    label: str = "",
    error: str | None = None,
) -> None:
    """Store the outcome of item ``key`` and adjust the record's counters in one transaction.

    Idempotent: the same outcome recorded again (a retried attempt) counts once.
    """
    for _ in range(3):
        async with sessions() as session:
            statement = (
                select(JobItem)
                .where(col(JobItem.job_id) == job_id)
                .where(col(JobItem.key) == key)
                .with_for_update()
            )
            item = (await session.exec(statement)).first()
            old_status = None if item is None else item.status
            if item is not None and old_status == status and item.error == error:
                return
            if item is None:
                item = JobItem(job_id=job_id, key=key)
            item.status = status
            item.error = None if error is None else clip(error)
            item.label = label[:300] or item.label
            item.attempts += 1
            item.updated_at = utcnow()
            session.add(item)
            done_delta, failed_delta = _counter_deltas(old_status, status)
            try:
                await session.flush()
            except IntegrityError:
                # The same key was inserted concurrently; read it again and re-apply.
                await session.rollback()
                continue
            if done_delta or failed_delta:
                await session.exec(
                    update(JobRecord)
                    .where(col(JobRecord.id) == job_id)
                    .values(
                        done=col(JobRecord.done) + done_delta,
                        failed=col(JobRecord.failed) + failed_delta,
                    )
                )
            await session.commit()
            return
    raise RuntimeError(f"could not record item {key!r} of job {job_id}")


async def set_total(sessions: async_sessionmaker[AsyncSession], job_id: int, total: int) -> None:
    """Announce the number of items of the batch."""
    async with sessions() as session:
        await session.exec(
            update(JobRecord).where(col(JobRecord.id) == job_id).values(total=max(0, total))
        )
        await session.commit()


async def finished_keys(sessions: async_sessionmaker[AsyncSession], job_id: int) -> set[str]:
    """Keys of the record's items that are done, skipped or failed."""
    statement = (
        select(JobItem.key)
        .where(col(JobItem.job_id) == job_id)
        .where(col(JobItem.status).in_(FINISHED_ITEM_STATUSES))
    )
    async with sessions() as session:
        return set((await session.exec(statement)).all())


async def list_items(
    sessions: async_sessionmaker[AsyncSession],
    job_id: int,
    *,
    status: ItemStatus | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[JobItem]:
    """Items of a record in key order, optionally of one status (e.g. the failed ones)."""
    statement = select(JobItem).where(col(JobItem.job_id) == job_id)
    if status is not None:
        statement = statement.where(col(JobItem.status) == status)
    statement = statement.order_by(col(JobItem.id)).limit(limit).offset(offset)
    async with sessions() as session:
        return list((await session.exec(statement)).all())
