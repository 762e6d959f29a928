"""Background jobs that plugins (and the core) register: functions, cron schedules, context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

    from core.config import Settings
    from core.jobs.queue import JobQueue


@dataclass(frozen=True)
class ItemReport:
    """The outcome of one item, for :meth:`JobContext.record_items`.

    Attributes:
        key: the item's key (a product id, a parent SKU, a URL hash), at most 300 characters.
        outcome: ``done``, ``skipped`` (left alone on purpose) or ``failed``.
        message: why it failed or was skipped, or a short note on a done item (``"created"``);
            build it with :func:`core.i18n.msg` so pages show it in the reader's language.
        label: what to call the item on pages (kept when empty and the item has one).
    """

    key: str
    outcome: Literal["done", "skipped", "failed"]
    message: str = ""
    label: str = ""


class JobContext(Protocol):
    """What a running job function gets: services, and its job record's progress methods.

    One context is made per attempt. Progress calls write the job record in the database, so a
    page shows them live and a retried attempt knows which items are already done.
    """

    job_id: int
    """Id of the :class:`~core.models.JobRecord` this attempt works for."""
    account_id: int | None
    """Account the job runs for (``None`` for deployment-wide jobs)."""
    user_id: int | None
    """Person who started the job, when a person did."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, ..."""
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    """The process's shared HTTP client (explicit timeouts); adapters reuse it."""
    registry: Any
    """The :class:`core.registry.Registry` of loaded plugins."""
    queue: JobQueue
    """The job queue (for housekeeping-style jobs; others use :meth:`enqueue`)."""

    async def set_total(self, total: int) -> None:
        """Announce how many items the batch has."""

    async def item_done(self, key: str, label: str = "", note: str = "") -> None:
        """Record that item ``key`` succeeded (idempotent: a retried item counts once).

        ``note`` says what was done, for the job page (``msg("created")``).
        """

    async def item_failed(self, key: str, error: str, label: str = "") -> None:
        """Record that item ``key`` failed permanently with ``error`` shown to the seller.

        Give ``error`` as a :func:`core.i18n.msg` message so it is shown in the reader's
        language (plain text is shown as it is).
        """

    async def item_skipped(self, key: str, reason: str, label: str = "") -> None:
        """Record that item ``key`` was left alone on purpose (e.g. already in that state)."""

    async def record_items(self, reports: Sequence[ItemReport]) -> None:
        """Record the outcomes of many items in one transaction (hundreds at a time).

        Same meaning and idempotency as the one-item methods; use it when a batch settles
        many items at once, e.g. an import writing 500 products per transaction.
        """

    async def finished_items(self) -> set[str]:
        """Keys of items already done, skipped or failed, so a retried attempt can skip them.

        Failed items count as finished because retrying a permanent error cannot help; a
        seller's "retry failed items" turns them back to pending first.
        """

    def item(self, key: str, label: str = "") -> AbstractAsyncContextManager[None]:
        """Run one item: ``async with ctx.item(key, label): ...``.

        Leaving the block normally records the item done; a :class:`~core.errors.PermanentError`
        inside it records the item failed with that message and is swallowed, so the batch
        goes on. Any other exception (a :class:`~core.errors.TransientError` included) leaves
        the item unrecorded and propagates: the attempt ends and a retry resumes at this item.
        """

    async def is_cancelled(self) -> bool:
        """Whether someone asked to cancel this job; check between items and stop early."""

    async def enqueue(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        account_id: int | None = None,
        dedup_key: str | None = None,
        title: str = "",
    ) -> int:
        """Enqueue another job (by registered name); returns its job record id.

        ``account_id`` defaults to this job's account; the new job records the same user.
        """


JobFunction = Callable[[JobContext, dict[str, Any]], Awaitable[dict[str, Any] | None]]
"""``async def job(ctx, payload) -> result``: the result dict is kept on the job record."""


@dataclass(frozen=True)
class JobDefinition:
    """A job function registered under a unique name.

    Attributes:
        name: unique job name, by convention ``"<plugin id>.<what>"`` (``"wish.sync_orders"``).
        func: the coroutine function run by the worker.
        title: human title shown on the jobs page.
        timeout: seconds before an attempt is abandoned and retried like a transient error
            (default: the ``job_timeout`` setting).
        max_tries: attempts before the job is recorded as failed (default: ``job_max_tries``).
    """

    name: str
    func: JobFunction
    title: str = ""
    timeout: int | None = None
    max_tries: int | None = None


@dataclass(frozen=True)
class CronDefinition:
    """Run a registered job on a schedule (UTC), like cron.

    Each time field is ``None`` (any), an int, or a set of ints; ``weekday`` counts Monday as
    0. With ``every_seconds`` set instead, the job runs at that interval, on whole multiples of
    it since the Unix epoch (the time fields are then ignored). Each tick makes one job record,
    however many workers run.

    Attributes:
        name: unique schedule name.
        job: name of the :class:`JobDefinition` to run.
        payload: payload each run receives.
        every_seconds: run at this interval instead of at the cron fields.
        run_at_startup: also run once when the worker starts.
    """

    name: str
    job: str
    payload: dict[str, Any] = field(default_factory=dict)
    month: int | set[int] | None = None
    day: int | set[int] | None = None
    weekday: int | set[int] | None = None
    hour: int | set[int] | None = None
    minute: int | set[int] | None = None
    second: int | set[int] | None = 0
    every_seconds: int | None = None
    run_at_startup: bool = False
