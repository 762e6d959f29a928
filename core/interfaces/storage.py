"""Storage backends for the image space: blobs by content key.

The images service names each blob by a content key (e.g. ``"ab/cd/<sha256>.jpg"``) and keeps
its own index; a backend only stores bytes. The built-in backend is a local folder; an
S3-compatible store comes from a plugin. A backend is configured by its plugin from the
deployment settings when it is registered.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe content key, else raise ``ValueError``.

    Safe keys are relative, ``/``-separated, made of letters, digits, ``.``, ``_`` and ``-``,
    with no empty, ``.`` or ``..`` segments, and at most 512 characters.

    Args:
        key: the key to check.
    """
    if len(key) > 512 or not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid storage key {key!r}")
    return key


@runtime_checkable
class StorageBackend(Protocol):
    """Where image bytes live. Keys are checked with :func:`validate_key` by callers."""

    @property
    def id(self) -> str:
        """Unique id (lower-case, digits, ``_``): ``"local"``, ``"s3"``."""
        ...

    @property
    def display_name(self) -> str:
        """Name shown to operators."""
        ...

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there.

        Args:
            key: content key.
            data: the bytes.
            content_type: MIME type (``"image/jpeg"``), for backends that serve files.
        """
        ...

    async def get(self, key: str) -> bytes:
        """Return the bytes under ``key``; raise :class:`~core.errors.NotFound` if none.

        Args:
            key: content key.
        """
        ...

    async def exists(self, key: str) -> bool:
        """Whether something is stored under ``key``.

        Args:
            key: content key.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error.

        Args:
            key: content key.
        """
        ...

    def url(self, key: str) -> str | None:
        """A URL where browsers and platforms can fetch ``key`` directly, or ``None``.

        ``None`` means Tradewind serves the file itself (the local folder does so).

        Args:
            key: content key.
        """
        ...
