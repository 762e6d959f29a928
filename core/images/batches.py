"""Batches as jobs: stage the input, enqueue, and let a worker run it with progress.

A page or API call that receives many files, a ZIP, a list of URLs or a set of products
does not do the work in the request: it calls one of the ``start_*`` methods here, which check
what can be checked at once (permissions, folder, products), put uploaded bytes into the
storage backend's staging area (keys ``<sha256>.staged-<random>``, so a worker on another
machine reads them from the same place as the images), and enqueue the job. The job records
one item per file, member or URL (see :mod:`core.images.jobs`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from core.actor import Access, Actor, Area
from core.errors import NotFound, RuleViolation
from core.i18n import msg, parts_of
from core.images.capture import CaptureMixin
from core.images.errors import ImageRejected, ImageTooLarge, ZipRejected
from core.images.ingest import UploadSource, clean_name
from core.images.inspect import MIB, human_size
from core.images.job_names import (
    JOB_CAPTURE_PRODUCT_IMAGES,
    JOB_FETCH_URLS,
    JOB_IMPORT_ZIP,
    JOB_UPLOAD_BATCH,
)
from core.jobs import JobQueue

MAX_ZIP_UPLOAD_BYTES = 1024 * MIB
"""Largest ZIP archive accepted for import (its members are limited on their own)."""
MAX_URLS_PER_BATCH = 2000
MAX_FILES_PER_BATCH = 1000
MAX_PRODUCTS_PER_BATCH = 5000

_STAGED_KEY = re.compile(r"[0-9a-f]{64}\.staged-[0-9a-f]{16}")


def staged_key(data: bytes) -> str:
    """A fresh staging key for uploaded bytes (unique per call, even for the same bytes)."""
    return f"{hashlib.sha256(data).hexdigest()}.staged-{secrets.token_hex(8)}"


def check_staged_key(key: object) -> str:
    """Return ``key`` when it names a staged upload; anything else is refused.

    A job reads only staged keys, never an image's own file, whatever its payload says.

    Raises:
        NotFound: not a staging key.
    """
    if not isinstance(key, str) or _STAGED_KEY.fullmatch(key) is None:
        raise NotFound(msg("not a staged upload"))
    return key


class BatchJobsMixin(CaptureMixin):
    """Start image batches as jobs."""

    async def _stage(self, data: bytes) -> str:
        key = staged_key(data)
        await self.storage.put(key, data, content_type="application/octet-stream")
        return key

    async def _enqueue(
        self, actor: Actor, queue: JobQueue, name: str, payload: dict[str, Any], title: str
    ) -> int:
        return await queue.enqueue(
            name, payload, account_id=actor.account_id, user_id=actor.user_id, title=title
        )

    async def start_upload_batch(
        self,
        actor: Actor,
        queue: JobQueue,
        files: Sequence[tuple[str, UploadSource]],
        *,
        folder_id: int | None = None,
    ) -> int:
        """Stage uploaded files and enqueue ``images.upload_batch``; returns the job id.

        A file over the byte limit is not staged: it becomes a refused item of the job.

        Raises:
            RuleViolation: no files, or more than 1000.
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        if not files or len(files) > MAX_FILES_PER_BATCH:
            raise RuleViolation(
                msg("Upload between 1 and %(max)s files at a time.", max=MAX_FILES_PER_BATCH)
            )
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        entries: list[dict[str, Any]] = []
        for name, source in files:
            entry: dict[str, Any] = {"name": clean_name(name)}
            try:
                entry["key"] = await self._stage(await self._read(source))
            except ImageRejected as exc:
                entry.update(reason=exc.reason, error=str(exc), error_parts=parts_of(exc))
            entries.append(entry)
        payload = {"files": entries, "folder_id": folder_id}
        return await self._enqueue(
            actor, queue, JOB_UPLOAD_BATCH, payload, f"Upload {len(entries)} images"
        )

    async def start_zip_import(
        self,
        actor: Actor,
        queue: JobQueue,
        archive: UploadSource,
        *,
        archive_name: str = "archive.zip",
        folder_id: int | None = None,
    ) -> int:
        """Stage a ZIP archive and enqueue ``images.import_zip``; returns the job id.

        Raises:
            ZipRejected: the archive is larger than 1 GiB (reason ``too_large``).
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        try:
            data = await self._read(archive, MAX_ZIP_UPLOAD_BYTES)
        except ImageTooLarge:
            raise _zip_too_large() from None
        name = clean_name(archive_name, "archive.zip")
        payload = {
            "archive": {"key": await self._stage(data), "name": name},
            "folder_id": folder_id,
        }
        return await self._enqueue(actor, queue, JOB_IMPORT_ZIP, payload, f"Import {name}")

    async def start_url_fetch(
        self,
        actor: Actor,
        queue: JobQueue,
        urls: Sequence[str],
        *,
        folder_id: int | None = None,
    ) -> int:
        """Enqueue ``images.fetch_urls`` for a list of URLs; returns the job id.

        Raises:
            RuleViolation: no URL, or more than 2000.
            NotFound: the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        unique = list(dict.fromkeys(url.strip() for url in urls if url.strip()))
        if not unique or len(unique) > MAX_URLS_PER_BATCH:
            raise RuleViolation(
                msg("Give between 1 and %(max)s URLs at a time.", max=MAX_URLS_PER_BATCH)
            )
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
        payload = {"urls": unique, "folder_id": folder_id}
        return await self._enqueue(
            actor, queue, JOB_FETCH_URLS, payload, f"Fetch {len(unique)} images by URL"
        )

    async def start_capture(self, actor: Actor, queue: JobQueue, product_ids: Iterable[int]) -> int:
        """Enqueue ``images.capture_product_images`` for these products; returns the job id.

        Raises:
            RuleViolation: no product, or more than 5000.
            NotFound: a product is not the account's.
            PermissionDenied: no write access to images or to products.
        """
        self._can_write(actor)
        actor.require(Area.PRODUCTS, Access.WRITE)
        ids = list(dict.fromkeys(product_ids))
        if not ids or len(ids) > MAX_PRODUCTS_PER_BATCH:
            raise RuleViolation(
                msg("Choose between 1 and %(max)s products.", max=MAX_PRODUCTS_PER_BATCH)
            )
        await self._external_rows(actor, ids)  # NotFound for a product not the account's
        return await self._enqueue(
            actor,
            queue,
            JOB_CAPTURE_PRODUCT_IMAGES,
            {"product_ids": ids},
            f"Save the external images of {len(ids)} products",
        )


def _zip_too_large() -> ZipRejected:
    return ZipRejected(
        msg(
            "The archive is larger than %(limit)s; split it into smaller archives.",
            limit=human_size(MAX_ZIP_UPLOAD_BYTES),
        ),
        reason="too_large",
    )
