"""The image space's jobs; the built-in plugin ``images`` registers them.

- ``images.upload_batch``: files staged by :meth:`ImageSpace.start_upload_batch`.
- ``images.import_zip``: an archive staged by :meth:`ImageSpace.start_zip_import`.
- ``images.fetch_urls``: a list of URLs.
- ``images.capture_product_images``: the external images of products.

Each records one item per file (``file:<n>``), archive member (``member:<n>``) or URL
(``url:<hash>``): done when stored or already in the space, failed with the reason when
refused. A retried attempt skips the items already finished. A temporary fetch failure
(timeout, HTTP 5xx) is recorded as a failed item with its message rather than failing the
whole batch; "retry failed items" on the job runs those again.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from core.actor import Actor
from core.errors import NotFound, PermanentError
from core.i18n import message_from_parts, msg, parts_of
from core.images.batches import check_staged_key
from core.images.errors import ImageRejected
from core.images.service import ImageSpace
from core.images.space import BatchProgress
from core.images.views import BatchResult, ItemOutcome
from core.interfaces.jobs import JobContext
from core.interfaces.storage import StorageBackend


class JobProgress(BatchProgress):
    """Reports a batch's items to its job record; skips what a previous attempt finished."""

    def __init__(self, ctx: JobContext, finished: set[str]) -> None:
        self.ctx = ctx
        self.finished = frozenset(finished)

    @classmethod
    async def of(cls, ctx: JobContext) -> JobProgress:
        """The progress of this attempt (reads the items already finished)."""
        return cls(ctx, await ctx.finished_items())

    async def total(self, count: int) -> None:
        """Announce the batch's size on the job record."""
        await self.ctx.set_total(count)

    async def record(self, key: str, label: str, outcome: ItemOutcome) -> None:
        """Record one item done (stored or already there) or failed with its reason."""
        if outcome.ok:
            await self.ctx.item_done(key, label)
        else:
            await self.ctx.item_failed(
                key, outcome.message or outcome.reason or msg("refused"), label
            )

    async def stop_requested(self) -> bool:
        """Whether the job was cancelled."""
        return await self.ctx.is_cancelled()


@contextlib.asynccontextmanager
async def _as_permanent() -> AsyncIterator[None]:
    """A folder or product deleted since the job was started fails the job with a message."""
    try:
        yield
    except NotFound:
        raise PermanentError(
            msg("A folder or product of this batch no longer exists; start the batch again.")
        ) from None


def _actor(ctx: JobContext) -> Actor:
    if ctx.account_id is None:
        raise PermanentError(msg("image jobs run for an account; this one has none"))
    # Permissions were checked when the job was started.
    return Actor(account_id=ctx.account_id, user_id=ctx.user_id, is_owner=True)


def _stored(message: str | None) -> Any:
    """A message for the job result: its stored form when translatable (see docs/i18n.md)."""
    return parts_of(message) or message


def _summary(result: BatchResult) -> dict[str, Any]:
    return {
        "stored": result.stored,
        "duplicates": result.duplicates,
        "refused": result.refused,
        "image_ids": [item.image.id for item in result.items if item.image is not None],
        "products_updated": sum(item.products_updated for item in result.items),
        "skipped_published": result.skipped_published,
        "usage_percent": result.usage.percent_used,
        "error": None if result.error is None else _stored(result.error.message),
    }


def _staged_error(entry: dict[str, Any]) -> str:
    """Why a file was refused while it was staged (translatable when its parts were kept)."""
    parts = entry.get("error_parts")
    if isinstance(parts, dict):
        return message_from_parts(parts)
    return str(entry["error"])


class _StagedUpload:
    """An async reader of a staged upload, loaded from storage on first read."""

    def __init__(self, storage: StorageBackend, entry: dict[str, Any]) -> None:
        self.storage = storage
        self.entry = entry
        self.data: bytes | None = None
        self.offset = 0

    async def read(self, size: int = -1, /) -> bytes:
        if self.data is None:
            if "error" in self.entry:
                raise ImageRejected(_staged_error(self.entry), reason=self.entry.get("reason"))
            try:
                self.data = await self.storage.get(check_staged_key(self.entry.get("key")))
            except NotFound:
                raise ImageRejected(
                    msg("The uploaded file is no longer available; upload it again."),
                    reason="upload_expired",
                ) from None
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        return chunk


async def _discard(storage: StorageBackend, keys: list[Any]) -> None:
    for key in keys:
        try:
            await storage.delete(check_staged_key(key))
        except NotFound:
            continue


async def upload_batch(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Store staged files (payload ``files``: ``[{name, key} | {name, error, reason}]``)."""
    space = ImageSpace.for_job(ctx)
    files = list(payload.get("files", []))
    sources = [(str(entry.get("name", "")), _StagedUpload(space.storage, entry)) for entry in files]
    async with _as_permanent():
        result = await space.upload_many(
            _actor(ctx),
            sources,
            folder_id=payload.get("folder_id"),
            progress=await JobProgress.of(ctx),
        )
    await _discard(space.storage, [entry["key"] for entry in files if "key" in entry])
    return _summary(result)


async def import_zip(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Import a staged ZIP archive (payload ``archive``: ``{name, key}``)."""
    space = ImageSpace.for_job(ctx)
    archive = dict(payload.get("archive", {}))
    try:
        data = await space.storage.get(check_staged_key(archive.get("key")))
    except NotFound:
        raise PermanentError(
            msg("The uploaded archive is no longer available; upload it again.")
        ) from None
    progress = await JobProgress.of(ctx)
    async with _as_permanent():
        result = await space.import_zip(
            _actor(ctx),
            data,
            archive_name=str(archive.get("name", "archive.zip")),
            folder_id=payload.get("folder_id"),
            progress=progress,
        )
    if result.error is not None:
        await ctx.item_failed("archive", result.error.message or "", result.error.name)
    await _discard(space.storage, [archive.get("key")])
    return _summary(result)


async def fetch_urls(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Fetch URLs into the image space (payload ``urls``, optional ``folder_id``)."""
    space = ImageSpace.for_job(ctx)
    async with _as_permanent():
        result = await space.fetch_urls(
            _actor(ctx),
            [str(url) for url in payload.get("urls", [])],
            folder_id=payload.get("folder_id"),
            progress=await JobProgress.of(ctx),
        )
    return _summary(result)


async def capture_product_images(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Capture the external images of products (payload ``product_ids``)."""
    space = ImageSpace.for_job(ctx)
    async with _as_permanent():
        result = await space.capture_product_images(
            _actor(ctx),
            [int(product_id) for product_id in payload.get("product_ids", [])],
            progress=await JobProgress.of(ctx),
        )
    return _summary(result)
