"""The embedded image store: content-addressed files in the data folder.

Layout: ``<data_dir>/images/<sha[0:2]>/<sha[2:4]>/<key>``. A key is the SHA-256 of the original
bytes (64 lowercase hex digits), optionally followed by ``.<variant>`` for files derived from it
(``<sha>.thumb`` for the thumbnail, ``<sha>.square`` for a padded copy...), so derived files sit
next to their original. The key grammar admits no separator, dot-dot or absolute path, so no key
can name a file outside the store.

Writes are atomic (a temporary file in the same folder, fsync, ``os.replace``): a crash leaves
the old file or the new one, never half of one. Puts are idempotent: the same bytes land on the
same key once. The content type is not kept here; the database row of the image holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from core.errors import NotFound
from core.i18n import msg

_KEY = re.compile(r"(?P<sha>[0-9a-f]{64})(?:\.(?P<variant>[a-z0-9][a-z0-9_-]{0,31}))?")
_STREAM_CHUNK = 256 * 1024

THUMBNAIL_VARIANT = "thumb"
"""Variant name of an image's thumbnail (``<sha>.thumb``)."""


class InvalidStorageKey(ValueError):
    """A key does not follow ``<sha256 hex>[.<variant>]``."""


def validate_key(key: str) -> str:
    """Return ``key`` when it is a well-formed storage key, else raise.

    A key is 64 lowercase hex digits, optionally followed by ``.`` and a variant name of up to
    32 characters from ``a-z0-9_-`` (starting with a letter or digit).

    Args:
        key: the key to check.

    Returns:
        The same key.

    Raises:
        InvalidStorageKey: anything else: separators, ``..``, uppercase, other lengths.
    """
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        raise InvalidStorageKey(f"not a valid image storage key: {key!r}")
    return key


def content_key(data: bytes) -> str:
    """The storage key of original image bytes: their SHA-256 in hex."""
    return hashlib.sha256(data).hexdigest()


def variant_key(key: str, variant: str) -> str:
    """The key of a file derived from an original, e.g. ``variant_key(sha, "thumb")``.

    Args:
        key: the original's key (a variant key is reduced to its original first).
        variant: the variant name.

    Returns:
        ``<sha>.<variant>``.

    Raises:
        InvalidStorageKey: the key or the variant name is not valid.
    """
    sha = validate_key(key).split(".", 1)[0]
    return validate_key(f"{sha}.{variant}")


class LocalImageStorage:
    """Image files in a folder, addressed by content: the built-in storage backend.

    Implements :class:`core.interfaces.storage.StorageBackend`; the built-in plugin
    ``storage_local`` registers it under the id ``local``. I/O methods are coroutines.

    Args:
        root: the store's folder, normally ``settings.data_dir / "images"``; created on demand.
    """

    id = "local"
    display_name = "Local data folder"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        """The file that holds ``key`` (it may not exist). For serving files directly.

        Raises:
            InvalidStorageKey: the key is not valid.
        """
        validate_key(key)
        return self.root / key[0:2] / key[2:4] / key

    async def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        """Store ``data`` under ``key`` atomically.

        An original already stored is left as it is (same key, same bytes); a variant is
        replaced, since it may have been rendered again.

        Args:
            key: the storage key. For an original (no variant) it must be the SHA-256 of
                ``data``, which is checked.
            data: the bytes.
            content_type: accepted for the interface; the local store does not keep it (the
                image's database row does).

        Raises:
            InvalidStorageKey: the key is not valid.
            ValueError: an original's key is not the SHA-256 of ``data``.
        """
        await self.write(key, data)

    async def write(self, key: str, data: bytes) -> bool:
        """Like :meth:`put`, and say whether a file was written.

        Returns:
            True when the file was written, False when the original was already there.

        Raises:
            InvalidStorageKey: the key is not valid.
            ValueError: an original's key is not the SHA-256 of ``data``.
        """
        path = self.path_for(key)
        is_original = "." not in key
        if is_original and content_key(data) != key:
            raise ValueError("the key of an original must be the SHA-256 of its bytes")
        return await asyncio.to_thread(_write_once, path, data, replace=not is_original)

    async def put_original(self, data: bytes, content_type: str | None = None) -> str:
        """Store original image bytes under their content key and return the key."""
        key = content_key(data)
        await asyncio.to_thread(_write_once, self.path_for(key), data)
        return key

    async def get(self, key: str) -> bytes:
        """Return the bytes stored under ``key``.

        Raises:
            InvalidStorageKey: the key is not valid.
            NotFound: nothing is stored under the key.
        """
        path = self.path_for(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound(msg("image file %(key)s is not in the store", key=key)) from None

    async def stream(self, key: str, chunk_size: int = _STREAM_CHUNK) -> AsyncIterator[bytes]:
        """Yield the stored bytes in chunks, for responses that should not hold a whole file.

        Raises:
            InvalidStorageKey: the key is not valid.
            NotFound: nothing is stored under the key (raised before the first chunk).
        """
        path = self.path_for(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise NotFound(msg("image file %(key)s is not in the store", key=key)) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            handle.close()

    async def exists(self, key: str) -> bool:
        """True when something is stored under ``key``."""
        return await asyncio.to_thread(self.path_for(key).is_file)

    async def size(self, key: str) -> int:
        """Size in bytes of what is stored under ``key``.

        Raises:
            NotFound: nothing is stored under the key.
        """
        try:
            return (await asyncio.to_thread(self.path_for(key).stat)).st_size
        except FileNotFoundError:
            raise NotFound(msg("image file %(key)s is not in the store", key=key)) from None

    async def delete(self, key: str) -> None:
        """Remove what is stored under ``key``; a missing key is not an error."""
        await self.remove(key)

    async def remove(self, key: str) -> bool:
        """Like :meth:`delete`, and say whether something was removed."""
        return await asyncio.to_thread(_remove, self.path_for(key))

    def url(self, key: str) -> str | None:
        """None: Tradewind serves local files itself (``/i/<token>``), see :meth:`path_for`."""
        validate_key(key)
        return None


def _write_once(path: Path, data: bytes, *, replace: bool = False) -> bool:
    """Write ``path`` atomically.

    An original (content-addressed, ``replace=False``) that is already there with the right
    size is left alone; a derived file is replaced, since it may have been rendered anew.
    """
    if not replace:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size == len(data):
                return False
    for _attempt in range(5):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
            break
        except (FileNotFoundError, FileExistsError):
            # A concurrent delete removed the emptied folder while it was being made (mkdir
            # then finds it neither there nor creatable as a file) or used; again.
            continue
    else:  # pragma: no cover - five deletes racing one put
        raise OSError(f"could not create a file in {path.parent}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return True


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    for folder in (path.parent, path.parent.parent):
        try:
            folder.rmdir()  # only succeeds when empty; keeps the tree from filling with husks
        except OSError:
            break
    return True
