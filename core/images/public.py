"""What the public image URLs serve: ``/i/<token>[.<ext>]`` and ``/i/<token>/thumb``.

These URLs are what marketplaces download, so they need no sign-in; they are unguessable
instead (a random 192-bit token per image, never the row id) and stable (an image's bytes never
change: a new picture is a new image with a new token). That makes the SHA-256 a strong ETag
and lets every cache keep the answer for a year.

The web layer turns a :class:`PublicFile` into a response; this module holds the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.i18n import msg
from core.images.inspect import ACCEPTED_FORMATS
from core.images.storage_local import LocalImageStorage
from core.images.store import original_key, thumbnail_key
from core.images.views import EXTENSIONS
from core.interfaces.storage import StorageBackend
from core.models import Image

CACHE_CONTROL = "public, max-age=31536000, immutable"
"""Cache-Control of every public image answer: the bytes behind a URL never change."""

THUMBNAIL_MIME = "image/webp"

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg"}


@dataclass(frozen=True)
class PublicFile:
    """One public image answer.

    Exactly one of ``path`` (a local file to send), ``data`` (the bytes) or ``redirect_url``
    (a backend that serves files itself) is set.

    Attributes:
        etag: the strong entity tag, without quotes (the file's SHA-256, or ``<sha>-thumb``).
        media_type: the Content-Type.
        byte_size: the file's size (the Content-Length of a HEAD answer), when known.
        path: the local file.
        data: the bytes.
        redirect_url: where the backend serves the file.
    """

    etag: str
    media_type: str
    byte_size: int | None = None
    path: Path | None = None
    data: bytes | None = None
    redirect_url: str | None = None

    def matches(self, if_none_match: str | None) -> bool:
        """Whether an ``If-None-Match`` header names this file (the answer is then 304).

        Weak comparison, as RFC 9110 asks for ``If-None-Match``: ``W/"x"`` matches ``"x"``.
        """
        if not if_none_match:
            return False
        for candidate in if_none_match.split(","):
            tag = candidate.strip()
            if tag == "*":
                return True
            tag = tag.removeprefix("W/").strip('"')
            if tag == self.etag:
                return True
        return False


def split_name(name: str) -> tuple[str, str | None]:
    """``"<token>.jpg"`` → ``("<token>", "jpg")``; ``"<token>"`` → ``("<token>", None)``."""
    token, dot, extension = name.partition(".")
    return token, (extension.lower() if dot else None)


async def _find(session: AsyncSession, token: str) -> Image | None:
    return (await session.exec(select(Image).where(col(Image.public_token) == token))).first()


async def open_public(
    sessions: async_sessionmaker[AsyncSession],
    storage: StorageBackend | Callable[[], StorageBackend],
    name: str,
    *,
    thumbnail: bool = False,
) -> PublicFile:
    """Find what a public image URL serves.

    Args:
        sessions: the database session factory.
        storage: the storage backend, or a function giving it; called only once an image
            with this token exists, so unknown tokens answer 404 whatever the storage.
        name: the last path segment: the token, optionally with the image's extension
            (``.jpg``, ``.png``, ``.gif``, ``.webp``; ``.jpeg`` too).
        thumbnail: the thumbnail (a WEBP) instead of the image.

    Raises:
        NotFound: no image has this token, the extension is not the image's, or its file is
            missing.
    """
    token, extension = split_name(name)
    if _TOKEN.fullmatch(token) is None or (thumbnail and extension is not None):
        raise NotFound(msg("not found"))
    async with sessions() as session:
        image = await _find(session, token)
    if image is None:
        raise NotFound(msg("not found"))
    if extension is not None and _EXTENSION_ALIASES.get(extension, extension) != EXTENSIONS.get(
        image.format
    ):
        raise NotFound(msg("not found"))
    if callable(storage) and not isinstance(storage, LocalImageStorage):
        storage = storage()
    key = thumbnail_key(image.content_hash) if thumbnail else original_key(image.content_hash)
    etag = f"{image.content_hash}-thumb" if thumbnail else image.content_hash
    media_type = (
        THUMBNAIL_MIME
        if thumbnail
        else ACCEPTED_FORMATS.get(image.format, "application/octet-stream")
    )
    if isinstance(storage, LocalImageStorage):
        try:
            size = await storage.size(key)
        except NotFound:
            raise NotFound(msg("not found")) from None
        return PublicFile(etag, media_type, byte_size=size, path=storage.path_for(key))
    known_size = None if thumbnail else image.byte_size
    redirect = storage.url(key)
    if redirect is not None:
        return PublicFile(etag, media_type, byte_size=known_size, redirect_url=redirect)
    data = await storage.get(key)
    return PublicFile(etag, media_type, byte_size=len(data), data=data)
