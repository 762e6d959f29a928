"""The :class:`~core.interfaces.jobs.JobContext` a job function receives from the worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from core.errors import PermanentError
from core.i18n import message_of
from core.interfaces.jobs import ItemReport
from core.jobs import items, records
from core.jobs.queue import JobQueue
from core.models import ItemStatus
from core.registry import Registry


@dataclass
class WorkerJobContext:
    """One attempt of one job record: services plus progress methods that write the record.

    Implements :class:`core.interfaces.jobs.JobContext`.
    """

    job_id: int
    account_id: int | None
    user_id: int | None
    attempt: int
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    registry: Registry
    queue: JobQueue

    async def set_total(self, total: int) -> None:
        """Announce how many items the batch has."""
        await items.set_total(self.sessions, self.job_id, total)

    async def item_done(self, key: str, label: str = "", note: str = "") -> None:
        """Record that item ``key`` succeeded (a retried item counts once), with a note."""
        await items.record_item(
            self.sessions, self.job_id, key, ItemStatus.DONE, label=label, error=note or None
        )

    async def item_failed(self, key: str, error: str, label: str = "") -> None:
        """Record that item ``key`` failed permanently with ``error``."""
        await items.record_item(
            self.sessions, self.job_id, key, ItemStatus.FAILED, label=label, error=error
        )

    async def item_skipped(self, key: str, reason: str, label: str = "") -> None:
        """Record that item ``key`` was left alone on purpose, with the reason."""
        await items.record_item(
            self.sessions, self.job_id, key, ItemStatus.SKIPPED, label=label, error=reason
        )

    async def record_items(self, reports: Sequence[ItemReport]) -> None:
        """Record the outcomes of many items in one transaction."""
        await items.record_items(self.sessions, self.job_id, reports)

    async def finished_items(self) -> set[str]:
        """Keys of items already done, skipped or failed (a retry skips them)."""
        return await items.finished_keys(self.sessions, self.job_id)

    @asynccontextmanager
    async def item(self, key: str, label: str = "") -> AsyncIterator[None]:
        """Run one item: done when the block ends, failed on a :class:`PermanentError`."""
        try:
            yield
        except PermanentError as exc:
            await self.item_failed(key, message_of(exc) or type(exc).__name__, label)
        else:
            await self.item_done(key, label)

    async def is_cancelled(self) -> bool:
        """Whether someone asked to cancel this job."""
        return await records.cancel_requested(self.sessions, self.job_id)

    async def enqueue(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        account_id: int | None = None,
        dedup_key: str | None = None,
        title: str = "",
    ) -> int:
        """Enqueue a follow-up job (this job's account unless another is given)."""
        return await self.queue.enqueue(
            name,
            payload,
            account_id=self.account_id if account_id is None else account_id,
            user_id=self.user_id,
            dedup_key=dedup_key,
            title=title,
        )
