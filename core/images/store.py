"""The image space's transactions: quota accounting and the shared files' lifetime.

Two invariants, on SQLite and on PostgreSQL alike:

1. **The quota holds under concurrent uploads.** ``account.image_bytes_used`` is raised by one
   conditional ``UPDATE ... WHERE image_bytes_used + n <= image_quota_bytes`` in the same
   transaction that inserts the image, and lowered in the one that deletes it. The update is
   atomic on both databases (PostgreSQL re-checks the condition against the row a concurrent
   transaction just committed; SQLite runs one writer at a time), so two uploads racing for
   the last free bytes cannot both pass.
2. **A file is never deleted while an image row references it.** Files are content-addressed
   per deployment, so accounts share them. Storing and deleting both lock the file's
   :class:`~core.models.ImageBlob` row first; the deleter counts references under that lock,
   and the uploader makes sure the file exists (writing it again if a deleter just removed it)
   under the same lock before its image row commits.

Every transaction starts with a write, so SQLite takes its write lock at once instead of
upgrading a read snapshot later (which fails with "database is locked" under concurrency).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.i18n import msg
from core.images.quota import QuotaExceeded, QuotaUsage, check_quota
from core.images.storage_local import THUMBNAIL_VARIANT
from core.interfaces.storage import StorageBackend
from core.models import Account, Image, ImageBlob, utcnow

logger = logging.getLogger(__name__)

_LOCK_ATTEMPTS = 10


def original_key(content_hash: str) -> str:
    """Storage key of an image's file: its SHA-256."""
    return content_hash


def thumbnail_key(content_hash: str) -> str:
    """Storage key of an image's thumbnail: ``<sha256>.thumb``."""
    return f"{content_hash}.{THUMBNAIL_VARIANT}"


# -- quota -------------------------------------------------------------------------------


async def read_usage(session: AsyncSession, account_id: int) -> QuotaUsage:
    """The account's usage as its row says now.

    Raises:
        NotFound: no such account.
    """
    row = (
        await session.exec(
            select(Account.image_bytes_used, Account.image_quota_bytes).where(
                col(Account.id) == account_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(msg("not found"))
    return QuotaUsage(used_bytes=int(row[0]), quota_bytes=int(row[1]))


async def charge(session: AsyncSession, account_id: int, byte_count: int) -> None:
    """Add ``byte_count`` to the account's usage if it fits in the quota.

    Run it in the caller's transaction, as its first statement.

    Raises:
        QuotaExceeded: it does not fit; the message names used, quota and needed sizes.
        NotFound: no such account.
    """
    statement = (
        update(Account)
        .where(col(Account.id) == account_id)
        .where(col(Account.image_bytes_used) + byte_count <= col(Account.image_quota_bytes))
        .values(image_bytes_used=col(Account.image_bytes_used) + byte_count)
    )
    for _ in range(_LOCK_ATTEMPTS):
        if (await session.exec(statement)).rowcount == 1:
            return
        # Refused: say why with the numbers. When the numbers say it fits after all, another
        # transaction freed space between the two statements: try again.
        check_quota(await read_usage(session, account_id), byte_count)
    raise QuotaExceeded(  # pragma: no cover - ten deletes racing one upload
        msg("The image space is too busy to take this image now; try again.")
    )


async def refund(session: AsyncSession, account_id: int, byte_count: int) -> None:
    """Take ``byte_count`` off the account's usage (images deleted in this transaction)."""
    if byte_count:
        await session.exec(
            update(Account)
            .where(col(Account.id) == account_id)
            .values(image_bytes_used=col(Account.image_bytes_used) - byte_count)
        )


async def recount_usage(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    """Set the account's usage to the sum of its images' sizes and return it.

    The counter is kept exact by the image space; this repairs it after rows were changed
    behind its back (a manual SQL fix, a restore of part of the data).
    """
    async with sessions() as session, session.begin():
        total = (
            select(func.coalesce(func.sum(Image.byte_size), 0))
            .where(col(Image.account_id) == account_id)
            .scalar_subquery()
        )
        await session.exec(
            update(Account).where(col(Account.id) == account_id).values(image_bytes_used=total)
        )
        return (await read_usage(session, account_id)).used_bytes


# -- shared files ------------------------------------------------------------------------


async def lock_blob(session: AsyncSession, content_hash: str, byte_size: int) -> None:
    """Make sure the file's blob row exists and lock it until the transaction ends.

    The lock is a no-op ``UPDATE`` (a row lock on PostgreSQL, the write lock on SQLite); when
    a concurrent delete removed the row between the insert and the lock, it is made again.
    """
    from sqlalchemy.dialects import postgresql, sqlite  # only here: they take long to import

    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for _ in range(_LOCK_ATTEMPTS):
        await session.exec(
            dialect.insert(ImageBlob)
            .values(content_hash=content_hash, byte_size=byte_size, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["content_hash"])
        )
        locked = await session.exec(
            update(ImageBlob)
            .where(col(ImageBlob.content_hash) == content_hash)
            .values(byte_size=col(ImageBlob.byte_size))
        )
        if locked.rowcount == 1:
            return
    raise RuntimeError(f"could not lock image file {content_hash}")  # pragma: no cover


async def put_files(
    storage: StorageBackend,
    content_hash: str,
    data: bytes,
    mime: str,
    thumbnail: bytes,
    thumbnail_mime: str,
) -> None:
    """Write an image's file and thumbnail (idempotent: same key, same bytes)."""
    await storage.put(original_key(content_hash), data, content_type=mime)
    await storage.put(thumbnail_key(content_hash), thumbnail, content_type=thumbnail_mime)


async def ensure_files(
    storage: StorageBackend,
    content_hash: str,
    data: bytes,
    mime: str,
    thumbnail: bytes,
    thumbnail_mime: str,
) -> None:
    """Under the blob lock: write again what a concurrent delete may have removed."""
    if not await storage.exists(original_key(content_hash)):
        await storage.put(original_key(content_hash), data, content_type=mime)
    if not await storage.exists(thumbnail_key(content_hash)):
        await storage.put(thumbnail_key(content_hash), thumbnail, content_type=thumbnail_mime)


async def release_blobs(
    sessions: async_sessionmaker[AsyncSession],
    storage: StorageBackend,
    content_hashes: Sequence[str],
) -> list[str]:
    """Delete the files of these hashes that no image row (of any account) references.

    Each hash in its own transaction, under its blob lock. A file written for an upload that
    was then refused has no blob row yet; the row is made to take the lock, so such a file
    is cleaned up too. A storage error is logged and the blob row kept, so a later release
    tries again.

    Returns:
        The hashes whose files were deleted.
    """
    released = []
    for content_hash in dict.fromkeys(content_hashes):
        try:
            if await _release_one(sessions, storage, content_hash):
                released.append(content_hash)
        except Exception:
            logger.exception("could not delete the image file %s; it stays", content_hash)
    return released


async def _release_one(
    sessions: async_sessionmaker[AsyncSession], storage: StorageBackend, content_hash: str
) -> bool:
    async with sessions() as session, session.begin():
        await lock_blob(session, content_hash, 0)
        references = (
            await session.exec(select(func.count()).where(col(Image.content_hash) == content_hash))
        ).one()
        if references:
            return False
        await storage.delete(thumbnail_key(content_hash))
        await storage.delete(original_key(content_hash))
        await session.exec(delete(ImageBlob).where(col(ImageBlob.content_hash) == content_hash))
        return True
