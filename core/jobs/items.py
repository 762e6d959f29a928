"""Per-item results of a batch job and the record's counters that summarise them.

One row per ``(job_id, key)``; recording the same outcome twice changes nothing, and moving
an item from one outcome to another (failed, then done on a retry) moves the counters with it.
``done`` counts done and skipped items, ``failed`` counts failed ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.interfaces.jobs import ItemReport
from core.jobs.records import error_values
from core.models import ItemStatus, JobItem, JobRecord, utcnow

_COUNTED_DONE = (ItemStatus.DONE, ItemStatus.SKIPPED)
FINISHED_ITEM_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.SKIPPED, ItemStatus.FAILED})
"""Items an attempt does not touch again (``retry_failed`` turns failed ones back to pending)."""


def _counter_deltas(old: ItemStatus | None, new: ItemStatus) -> tuple[int, int]:
    done = int(new in _COUNTED_DONE) - int(old in _COUNTED_DONE)
    failed = int(new == ItemStatus.FAILED) - int(old == ItemStatus.FAILED)
    return done, failed


_OUTCOMES: dict[ItemStatus, Literal["done", "skipped", "failed"]] = {
    ItemStatus.DONE: "done",
    ItemStatus.SKIPPED: "skipped",
    ItemStatus.FAILED: "failed",
}


def _status(report: ItemReport) -> ItemStatus:
    return ItemStatus(report.outcome)


def _message(report: ItemReport) -> str | None:
    return report.message or None


def _unchanged(item: JobItem, report: ItemReport) -> bool:
    values = error_values(_message(report))
    return (
        item.status == _status(report)
        and item.error == values["error"]
        and item.error_parts == values["error_parts"]
    )


def _apply(item: JobItem, report: ItemReport) -> None:
    values = error_values(_message(report))
    item.status = _status(report)
    item.error = values["error"]
    item.error_parts = values["error_parts"]
    item.label = report.label[:300] or item.label
    item.attempts += 1
    item.updated_at = utcnow()


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
    report = ItemReport(key, _OUTCOMES[status], message=error or "", label=label)
    await record_items(sessions, job_id, [report])


async def record_items(
    sessions: async_sessionmaker[AsyncSession], job_id: int, outcomes: Sequence[ItemReport]
) -> None:
    """Store many outcomes and adjust the record's counters, all in one transaction.

    The same idempotency as :func:`record_item`, item by item; a key given twice keeps its
    last outcome. Meant for batches that settle hundreds of items at once (an import).
    """
    latest = {outcome.key: outcome for outcome in outcomes}
    if not latest:
        return
    for _ in range(3):
        async with sessions() as session:
            statement = (
                select(JobItem)
                .where(col(JobItem.job_id) == job_id)
                .where(col(JobItem.key).in_(list(latest)))
                .with_for_update()
            )
            existing = {item.key: item for item in (await session.exec(statement)).all()}
            done_delta = failed_delta = 0
            for key, outcome in latest.items():
                item = existing.get(key)
                if item is not None and _unchanged(item, outcome):
                    continue
                old_status = None if item is None else item.status
                if item is None:
                    item = JobItem(job_id=job_id, key=key)
                _apply(item, outcome)
                session.add(item)
                done, failed = _counter_deltas(old_status, _status(outcome))
                done_delta += done
                failed_delta += failed
            try:
                await session.flush()
            except IntegrityError:
                # The same key was inserted concurrently; read again and re-apply.
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
    raise RuntimeError(f"could not record {len(latest)} items of job {job_id}")


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
