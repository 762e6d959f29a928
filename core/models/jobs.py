"""Job records: every batch is visible with total / done / failed counts and per-item results.

The queue (arq on Redis) carries only ``job_record_id``; the database row is the truth about
progress, errors and cancellation, so a page can show it and a retried job can resume.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import (
    enum_field,
    fk,
    id_field,
    json_field,
    nullable_json_field,
    time_field,
)


class JobStatus(enum.StrEnum):
    """Life of a job record."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # finished, some items failed
    FAILED = "failed"
    CANCELLED = "cancelled"


class ItemStatus(enum.StrEnum):
    """Result of one item of a batch."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


FINISHED_JOB_STATUSES = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED, JobStatus.CANCELLED}
)


class JobRecord(SQLModel, table=True):
    """One enqueued job and its progress.

    ``account_id`` is null only for deployment-wide jobs (housekeeping, cron jobs that fan
    out per store); seller-started batches always carry the account.
    """

    __tablename__ = "job_record"
    __table_args__ = (
        UniqueConstraint("dedup_key", name="uq_job_record_dedup_key"),
        Index("ix_job_record_account_created", "account_id", "created_at"),
    )

    id: int | None = id_field()
    account_id: int | None = fk("account.id", nullable=True)
    user_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    name: str = Field(max_length=200, index=True)
    title: str = Field(default="", max_length=300)
    status: JobStatus = enum_field(JobStatus, JobStatus.QUEUED, index=True)
    dedup_key: str | None = Field(default=None, max_length=300)
    payload: dict[str, Any] = json_field()
    result: dict[str, Any] = json_field()
    total: int = 0
    done: int = 0
    failed: int = 0
    attempts: int = 0
    error: str | None = Field(default=None, max_length=4000)
    error_parts: dict[str, Any] | None = nullable_json_field()
    """``error`` as a translatable message (:meth:`core.i18n.Message.parts`), when it is one."""
    cancel_requested: bool = False
    queue_job_id: str | None = Field(default=None, max_length=200)
    """Id of the queue message that runs the current attempt series (``core.jobs`` owns it)."""
    created_at: datetime = time_field(default_now=True)
    started_at: datetime | None = time_field()
    finished_at: datetime | None = time_field()
    heartbeat_at: datetime | None = time_field()


class JobItem(SQLModel, table=True):
    """One item of a batch (a product, an order, a spreadsheet row) and its outcome."""

    __tablename__ = "job_item"
    __table_args__ = (UniqueConstraint("job_id", "key", name="uq_job_item_job_key"),)

    id: int | None = id_field()
    job_id: int = fk("job_record.id")
    key: str = Field(max_length=300)
    label: str = Field(default="", max_length=300)
    status: ItemStatus = enum_field(ItemStatus, ItemStatus.PENDING)
    error: str | None = Field(default=None, max_length=4000)
    """Why the item failed or was skipped, or a note on a done item (``"created"``)."""
    error_parts: dict[str, Any] | None = nullable_json_field()
    """``error`` as a translatable message (:meth:`core.i18n.Message.parts`), when it is one."""
    attempts: int = 0
    updated_at: datetime = time_field(default_now=True)
