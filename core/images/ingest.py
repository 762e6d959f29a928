"""Getting pictures into the image space: uploads, ZIP archives, URLs, and "pad to square".

Every way in ends in :meth:`IngestMixin._store`: inspect and thumbnail the bytes in a worker
thread (one decode), answer the existing image when the account already has the same picture
(dedup by SHA-256: stored once, counted once), check the quota, write the files, and insert
the image row in the transaction that charges the quota (see :mod:`core.images.store`).

Batches never stop at a bad item: each item ends ``stored``, ``duplicate`` or ``refused`` with
its reason. Up to :data:`BATCH_WINDOW` items are decoded (or downloaded) at once, and items are
stored in input order, so which items a nearly full quota refuses does not depend on timing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import posixpath
import secrets
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.errors import TradewindError
from core.i18n import message_of, msg
from core.images.errors import ImageRejected, ZipRejected
from core.images.inspect import (
    SMALL_IMAGE_SIDE,
    ImageInfo,
    SupportsAsyncRead,
    SupportsRead,
    aread_limited,
    read_limited,
    too_large,
)
from core.images.quota import check_quota
from core.images.remote import fetch_image
from core.images.space import BatchProgress, SpaceBase
from core.images.store import (
    charge,
    ensure_files,
    lock_blob,
    original_key,
    put_files,
    read_usage,
    release_blobs,
)
from core.images.thumbs import RenderedImage, inspect_and_thumbnail, pad_to_square
from core.images.views import BatchResult, ImageView, ItemOutcome
from core.images.zipimport import iter_zip_images
from core.models import Image
from core.net.errors import FetchError

BATCH_WINDOW = 4
"""Items of a batch decoded or downloaded at the same time."""

MAX_URL_LENGTH = 2048
MAX_NAME_LENGTH = 255

UploadSource = bytes | SupportsAsyncRead | SupportsRead | BinaryIO
"""An upload: its bytes, an async reader (an uploaded file) or a binary file object."""

ZipSource = bytes | str | Path | BinaryIO
"""A ZIP archive: its bytes, a path, or a seekable binary file object."""


@dataclass(frozen=True)
class Prepared:
    """An accepted picture, ready to store."""

    name: str
    data: bytes
    info: ImageInfo
    thumbnail: RenderedImage
    source_url: str | None = None


class _AlreadyThere(Exception):
    def __init__(self, image: ImageView) -> None:
        self.image = image


PrepareItem = Callable[[], Awaitable[Prepared | ItemOutcome]]
"""Makes an item ready to store, or settles it at once with an outcome (a reused image)."""
FinishItem = Callable[[str, ItemOutcome], Awaitable[ItemOutcome]]
BatchEntry = tuple[str, str, PrepareItem]
"""(key, label, prepare): ``key`` identifies the item across attempts of a job."""


def clean_name(name: str, fallback: str = "image") -> str:
    """A display name from a file name or path: its last segment, without control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or fallback)[:MAX_NAME_LENGTH]


def name_from_url(url: str) -> str:
    """A display name for a fetched image: the URL's last path segment, else its host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "image"
    segment = unquote(posixpath.basename(parts.path))
    return clean_name(segment, fallback=parts.hostname or "image")


def url_key(url: str) -> str:
    """The job item key of a URL (stable across attempts, short enough for any URL)."""
    return "url:" + hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()[:32]


def parse_url_list(text: str) -> list[str]:
    """The URLs of a pasted list: one per line (or separated by spaces), each once, in order.

    Blank lines and lines starting with ``#`` are ignored; surrounding quotes and ``<>`` are
    removed. Nothing is validated here: each URL is checked when it is fetched.
    """
    urls: list[str] = []
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        for word in line.split():
            url = word.strip("\"'<>,;")
            if url:
                urls.append(url)
    return list(dict.fromkeys(urls))


def refused(name: str, error: TradewindError) -> ItemOutcome:
    """The outcome of an item refused with ``error``."""
    reason = getattr(error, "reason", None) or getattr(error, "code", None) or "rejected"
    return ItemOutcome(name=name, status="refused", reason=str(reason), message=message_of(error))


async def _prepare_bytes(
    name: str, data: bytes, space: SpaceBase, source_url: str | None = None
) -> Prepared:
    info, thumbnail = await asyncio.to_thread(inspect_and_thumbnail, data, limits=space.limits)
    return Prepared(name=name, data=data, info=info, thumbnail=thumbnail, source_url=source_url)


class IngestMixin(SpaceBase):
    """Uploads, ZIP imports, URL fetches and "pad to square"."""

    # -- reading -------------------------------------------------------------------------

    async def _read(self, source: UploadSource, limit: int | None = None) -> bytes:
        """All of an upload's bytes, refused as soon as they pass ``limit`` (the image limit).

        Raises:
            ImageTooLarge: more than ``limit`` bytes.
        """
        limit = self.limits.max_bytes if limit is None else limit
        if isinstance(source, bytes | bytearray | memoryview):
            if len(source) > limit:
                raise too_large(limit)
            return bytes(source)
        reader = getattr(source, "read", None)
        if reader is not None and asyncio.iscoroutinefunction(reader):
            return await aread_limited(source, limit)  # type: ignore[arg-type]
        return await asyncio.to_thread(read_limited, source, limit)  # type: ignore[arg-type]

    # -- storing -------------------------------------------------------------------------

    async def _find(
        self, session: AsyncSession, account_id: int, content_hash: str
    ) -> Image | None:
        return (
            await session.exec(
                select(Image)
                .where(col(Image.account_id) == account_id)
                .where(col(Image.content_hash) == content_hash)
            )
        ).first()

    async def _store(self, actor: Actor, prepared: Prepared, folder_id: int | None) -> ItemOutcome:
        """Store an accepted picture for the account, or answer the copy it already has.

        Raises:
            QuotaExceeded: the picture is new and does not fit.
        """
        info = prepared.info
        async with self.sessions() as session:
            existing = await self._find(session, actor.account_id, info.sha256)
            if existing is None:
                # Refuse before writing anything when it plainly does not fit; the
                # authoritative check is the conditional update in _insert.
                check_quota(await read_usage(session, actor.account_id), info.byte_size)
        if existing is not None:
            return ItemOutcome(prepared.name, "duplicate", image=self.view(existing))
        thumb = prepared.thumbnail
        await put_files(self.storage, info.sha256, prepared.data, info.mime, thumb.data, thumb.mime)
        try:
            view = await self._insert(actor, prepared, folder_id)
        except _AlreadyThere as there:
            return ItemOutcome(prepared.name, "duplicate", image=there.image)
        except BaseException:
            # The files may now belong to nobody; delete them unless someone uses them.
            await asyncio.shield(release_blobs(self.sessions, self.storage, [info.sha256]))
            raise
        return ItemOutcome(prepared.name, "stored", image=view)

    async def _insert(self, actor: Actor, prepared: Prepared, folder_id: int | None) -> ImageView:
        info, thumb = prepared.info, prepared.thumbnail
        async with self.sessions() as session:
            try:
                async with session.begin():
                    await charge(session, actor.account_id, info.byte_size)
                    existing = await self._find(session, actor.account_id, info.sha256)
                    if existing is not None:
                        raise _AlreadyThere(self.view(existing))  # rolls the charge back
                    await lock_blob(session, info.sha256, info.byte_size)
                    await ensure_files(
                        self.storage, info.sha256, prepared.data, info.mime, thumb.data, thumb.mime
                    )
                    image = Image(
                        account_id=actor.account_id,
                        content_hash=info.sha256,
                        storage_key=original_key(info.sha256),
                        public_token=secrets.token_urlsafe(24),
                        name=prepared.name,
                        category_id=folder_id,
                        width=info.width,
                        height=info.height,
                        format=info.format,
                        byte_size=info.byte_size,
                        is_small=info.is_small,
                        source_url=prepared.source_url,
                    )
                    session.add(image)
                    await session.flush()
                    view = self.view(image)
                return view
            except IntegrityError:
                # The same picture was inserted by a concurrent upload of this account.
                existing = await self._find(session, actor.account_id, info.sha256)
                if existing is None:
                    raise
                raise _AlreadyThere(self.view(existing)) from None

    async def _settle(
        self,
        actor: Actor,
        label: str,
        prepare: Awaitable[Prepared | ItemOutcome],
        folder_id: int | None,
    ) -> ItemOutcome:
        """Wait for one prepared item and store it; any refusal becomes its outcome."""
        try:
            prepared = await prepare
            if isinstance(prepared, ItemOutcome):
                return prepared  # settled without storing (e.g. reused)
            outcome = await self._store(actor, prepared, folder_id)
        except (ImageRejected, FetchError) as exc:
            return refused(label, exc)
        return dataclasses.replace(outcome, name=label)

    async def _run_batch(
        self,
        actor: Actor,
        entries: AsyncIterator[BatchEntry],
        progress: BatchProgress,
        folder_id: int | None,
        finish: FinishItem | None = None,
    ) -> list[ItemOutcome]:
        """Run a batch: up to BATCH_WINDOW items prepared at once, settled in input order.

        ``finish`` may complete each settled item (e.g. point products at the image).
        """
        outcomes: list[ItemOutcome] = []
        window: deque[tuple[str, str, asyncio.Task[Prepared | ItemOutcome]]] = deque()

        async def settle_first() -> None:
            key, label, task = window.popleft()
            outcome = await self._settle(actor, label, task, folder_id)
            if finish is not None:
                outcome = await finish(key, outcome)
            await progress.record(key, label, outcome)
            outcomes.append(outcome)

        try:
            async for key, label, prepare in entries:
                if key in progress.finished:
                    continue
                if await progress.stop_requested():
                    break
                window.append((key, label, asyncio.ensure_future(prepare())))
                if len(window) >= BATCH_WINDOW:
                    await settle_first()
            while window:
                await settle_first()
        finally:
            leftovers = [task for _key, _label, task in window]
            for task in leftovers:
                task.cancel()
            await asyncio.gather(*leftovers, return_exceptions=True)
        return outcomes

    async def _batch_result(
        self, actor: Actor, items: list[ItemOutcome], error: ItemOutcome | None = None
    ) -> BatchResult:
        async with self.sessions() as session:
            usage = await self._usage(session, actor.account_id)
        return BatchResult(items=items, usage=usage, error=error)

    # -- uploads -------------------------------------------------------------------------

    async def upload(
        self, actor: Actor, source: UploadSource, *, name: str, folder_id: int | None = None
    ) -> ItemOutcome:
        """Upload one image.

        Args:
            actor: who uploads (needs write access to images).
            source: the bytes, an async reader (an uploaded file) or a binary file; read up
                to ``image_max_bytes`` and no further.
            name: the file name (its last path segment is kept).
            folder_id: the image folder to put it in.

        Returns:
            ``stored``, or ``duplicate`` with the image the account already had.

        Raises:
            ImageRejected: not an image, truncated, a bomb, SVG, too large... (``reason``).
            QuotaExceeded: it does not fit; the message has the numbers.
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        prepared = await _prepare_bytes(clean_name(name), await self._read(source), self)
        return await self._store(actor, prepared, folder_id)

    async def upload_many(
        self,
        actor: Actor,
        files: Iterable[tuple[str, UploadSource]],
        *,
        folder_id: int | None = None,
        progress: BatchProgress | None = None,
    ) -> BatchResult:
        """Upload many files; each is stored or refused on its own (items ``file:<n>``).

        Raises:
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        progress = progress or BatchProgress()
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        files = list(files)
        await progress.total(len(files))

        async def entries() -> AsyncIterator[BatchEntry]:
            for index, (name, source) in enumerate(files):

                async def prepare(name: str = name, source: UploadSource = source) -> Prepared:
                    return await _prepare_bytes(clean_name(name), await self._read(source), self)

                yield f"file:{index}", clean_name(name), prepare

        items = await self._run_batch(actor, entries(), progress, folder_id)
        return await self._batch_result(actor, items)

    async def import_zip(
        self,
        actor: Actor,
        archive: ZipSource,
        *,
        archive_name: str = "archive.zip",
        folder_id: int | None = None,
        progress: BatchProgress | None = None,
    ) -> BatchResult:
        """Import the images of a ZIP archive; each bad member is refused with its reason.

        Paths like ``../../x``, symlinks, nested archives and ZIP bombs are refused per
        member (items ``member:<n>``, in archive order); an archive that cannot be read, or
        that unpacks past its total limit, ends the batch with ``BatchResult.error`` and the
        members before it are kept.

        Raises:
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        progress = progress or BatchProgress()
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        source = io.BytesIO(archive) if isinstance(archive, bytes) else archive
        errors: list[ItemOutcome] = []
        items = await self._run_batch(
            actor, self._zip_entries(source, archive_name, errors), progress, folder_id
        )
        return await self._batch_result(actor, items, errors[0] if errors else None)

    async def _zip_entries(
        self, source: str | Path | BinaryIO, archive_name: str, errors: list[ItemOutcome]
    ) -> AsyncIterator[BatchEntry]:
        members = iter_zip_images(source, self.zip_limits)
        index = 0
        try:
            while True:
                try:
                    member = await asyncio.to_thread(next, members, None)
                except ZipRejected as exc:
                    errors.append(refused(clean_name(archive_name, "archive.zip"), exc))
                    return
                if member is None:
                    return
                key, index = f"member:{index}", index + 1
                prepare = self._member_preparer(member.name, member.data, member.error)
                yield key, member.name, prepare
        finally:
            await asyncio.to_thread(members.close)

    def _member_preparer(
        self, name: str, data: bytes | None, error: ImageRejected | None
    ) -> PrepareItem:
        async def prepare() -> Prepared:
            if error is not None:
                raise error
            assert data is not None
            return await _prepare_bytes(clean_name(name), data, self)

        return prepare

    # -- URLs ----------------------------------------------------------------------------

    async def _fetch(self, url: str, name: str | None = None) -> Prepared:
        if len(url) > MAX_URL_LENGTH:
            raise ImageRejected(
                msg("The URL is longer than %(max)s characters.", max=MAX_URL_LENGTH),
                reason="bad_url",
            )
        fetched = await fetch_image(self.fetcher, url, limits=self.limits, thumbnail=True)
        assert fetched.thumbnail is not None
        return Prepared(
            name=clean_name(name) if name else name_from_url(fetched.final_url),
            data=fetched.data,
            info=fetched.info,
            thumbnail=fetched.thumbnail,
            source_url=url,
        )

    async def fetch_url(
        self, actor: Actor, url: str, *, name: str | None = None, folder_id: int | None = None
    ) -> ItemOutcome:
        """Fetch an image by URL and keep our own copy of it (rule 18).

        The fetch goes through the safe fetcher: only http(s), only public addresses (also
        after redirects and against DNS rebinding), bounded in size and time.

        Raises:
            FetchRefused: the URL or an address it leads to is not allowed (``reason``).
            FetchUnavailable: the host does not exist, or the server answered 4xx.
            FetchFailed: timeout, connection trouble, 5xx/429 (try again later).
            ImageRejected: what the URL gave is not an acceptable image.
            QuotaExceeded: it does not fit.
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        return await self._store(actor, await self._fetch(url.strip(), name), folder_id)

    async def fetch_urls(
        self,
        actor: Actor,
        urls: Sequence[str],
        *,
        folder_id: int | None = None,
        progress: BatchProgress | None = None,
    ) -> BatchResult:
        """Fetch many URLs (e.g. from :func:`parse_url_list`); each is kept or refused alone.

        Refusals of the safe fetcher are per-item outcomes like any other (items
        ``url:<hash>``).

        Raises:
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        progress = progress or BatchProgress()
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        unique = list(dict.fromkeys(url.strip() for url in urls if url.strip()))
        await progress.total(len(unique))

        async def entries() -> AsyncIterator[BatchEntry]:
            for url in unique:

                async def prepare(url: str = url) -> Prepared:
                    return await self._fetch(url)

                yield url_key(url), url, prepare

        items = await self._run_batch(actor, entries(), progress, folder_id)
        return await self._batch_result(actor, items)

    # -- derived images ------------------------------------------------------------------

    async def pad_to_square(
        self, actor: Actor, image_id: int, *, side: int = SMALL_IMAGE_SIDE
    ) -> ItemOutcome:
        """Make a NEW square image, padded with white and upscaled to at least ``side``.

        The original stays as it is; the new image goes into the same folder.

        Raises:
            NotFound: no such image in the account (or its file is missing).
            ImageRejected: the square would exceed the pixel limit (``pad_too_large``).
            QuotaExceeded: the new image does not fit.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session:
            image = await self._image(session, actor, image_id)
        data = await self.storage.get(original_key(image.content_hash))
        rendered = await asyncio.to_thread(pad_to_square, data, min_side=side, limits=self.limits)
        stem = image.name.rsplit(".", 1)[0] if "." in image.name else image.name
        name = f"{stem}-square.jpg"
        prepared = await _prepare_bytes(clean_name(name), rendered.data, self)
        return await self._store(actor, prepared, image.category_id)
