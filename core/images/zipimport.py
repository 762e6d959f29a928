"""Read the images out of an uploaded ZIP archive, safely and one member at a time.

Nothing is ever written to disk from the archive, so no name can land anywhere; names are still
checked because they become image names in the UI, and an archive that carries ``../../x``,
absolute paths or symlinks is hostile. Each bad member becomes a per-member error and the batch
goes on; only an archive that cannot be read at all (or is too big as a whole) is one error.

Sizes are enforced on the bytes actually decompressed, not on what the headers claim, so a ZIP
bomb is stopped after at most ``max_member_bytes`` (and never past ``max_total_bytes``).
"""

from __future__ import annotations

import os
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from typing import BinaryIO

from core.i18n import Message, msg
from core.images.errors import ZipMemberRejected, ZipRejected
from core.images.inspect import DEFAULT_LIMITS, MIB, human_size

# Accepted formats, and image formats that inspection refuses with a precise message.
IMAGE_EXTENSIONS = frozenset(
    {
        *(".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".gif", ".webp"),
        *(".bmp", ".tif", ".tiff", ".svg", ".svgz", ".heic", ".heif", ".avif", ".ico", ".jxl"),
    }
)
ARCHIVE_EXTENSIONS = frozenset(
    {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".jar", ".cab"}
)
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_READ_CHUNK = MIB


@dataclass(frozen=True)
class ZipLimits:
    """Limits for one ZIP upload.

    Attributes:
        max_members: most entries the archive may list (directories included).
        max_member_bytes: largest decompressed member (the image byte limit).
        max_total_bytes: most decompressed bytes of all members together.
        max_ratio: largest decompressed/compressed ratio of a member over ``ratio_floor``.
        ratio_floor: members smaller than this are not held to ``max_ratio``.
    """

    max_members: int = 5_000
    max_member_bytes: int = DEFAULT_LIMITS.max_bytes
    max_total_bytes: int = 2 * 1024 * MIB
    max_ratio: int = 100
    ratio_floor: int = MIB


DEFAULT_ZIP_LIMITS = ZipLimits()


@dataclass(frozen=True)
class ZipItem:
    """One image member of an archive, or why it was refused.

    Attributes:
        name: the member's name in the archive (``/`` separated, as stored).
        data: its bytes, when accepted (still to be checked by ``inspect_image``).
        error: why it was refused, otherwise.
    """

    name: str
    data: bytes | None = None
    error: ZipMemberRejected | None = None

    @property
    def ok(self) -> bool:
        """True when the member's bytes came through."""
        return self.error is None


def _is_junk(name: str) -> bool:
    """Folders and the files operating systems add by themselves; skipped without a word."""
    if name.endswith("/"):
        return True
    parts = name.split("/")
    base = parts[-1].lower()
    return "__MACOSX" in parts or base in _JUNK_NAMES or base.startswith("._")


def _unsafe_path(name: str) -> Message | None:
    """Say what is wrong with a member's path, or None when it is a plain relative path."""
    if "\x00" in name:
        return msg("refused because its name contains a NUL character.")
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return msg("refused because it has an absolute path.")
    if ".." in normal.split("/") or posixpath.normpath(normal).startswith("../"):
        return msg("refused because its path climbs out of the archive ('..').")
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _refuse(info: zipfile.ZipInfo, message: str, reason: str) -> ZipItem:
    return ZipItem(info.filename, error=ZipMemberRejected(info.filename, message, reason=reason))


def _check_member(info: zipfile.ZipInfo, limits: ZipLimits) -> ZipItem | None:
    """Refuse a member from its header alone, before decompressing anything."""
    problem = _unsafe_path(info.filename)
    if problem:
        return _refuse(info, problem, "unsafe_path")
    if _is_symlink(info):
        return _refuse(info, msg("refused because it is a symbolic link."), "symlink")
    if info.flag_bits & 0x1:
        return _refuse(
            info, msg("refused because it is encrypted; zip it without a password."), "encrypted"
        )
    extension = os.path.splitext(info.filename)[1].lower()
    if extension in ARCHIVE_EXTENSIONS:
        return _refuse(
            info,
            msg("refused because archives inside archives are not opened; upload it separately."),
            "nested_archive",
        )
    if extension not in IMAGE_EXTENSIONS:
        return _refuse(info, msg("skipped because it is not an image file."), "not_image")
    if info.file_size > limits.max_member_bytes:
        return _refuse(
            info,
            msg(
                "refused because it is larger than %(limit)s.",
                limit=human_size(limits.max_member_bytes),
            ),
            "too_large",
        )
    if info.file_size > limits.ratio_floor and (
        info.file_size > limits.max_ratio * max(info.compress_size, 1)
    ):
        return _refuse(
            info, msg("refused because it expands too much when unpacked (a ZIP bomb)."), "bomb"
        )
    return None


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limits: ZipLimits
) -> bytes:
    """Decompress one member, stopping at the member limit or the archive's remaining budget."""
    cap = min(limits.max_member_bytes, budget)
    buffer = bytearray()
    with archive.open(info) as member:
        while True:
            chunk = member.read(min(_READ_CHUNK, cap + 1 - len(buffer)))
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > cap:
                raise _MemberTooLarge
    return bytes(buffer)


class _MemberTooLarge(Exception):
    pass


def _open_archive(source: str | os.PathLike[str] | BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ZipRejected(
            msg(
                "The file is not a readable ZIP archive (%(error)s); zip the images again.",
                error=str(exc),
            )
        ) from None


def iter_zip_images(
    source: str | os.PathLike[str] | BinaryIO,
    limits: ZipLimits = DEFAULT_ZIP_LIMITS,
) -> Generator[ZipItem, None, None]:
    """Yield the image members of a ZIP archive, each with its bytes or its refusal.

    Folders and operating-system clutter (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``,
    ``._*``) are skipped silently; every other member yields one :class:`ZipItem`.
    Accepted bytes are not inspected here: pass them to ``inspect_image``.

    Args:
        source: a path or a seekable binary file holding the archive.
        limits: the archive's limits.

    Yields:
        One item per member, in archive order.

    Raises:
        ZipRejected: the archive cannot be read, lists more than ``limits.max_members``
            entries (reason ``too_many_members``) or decompresses past ``max_total_bytes``
            (reason ``too_large``; the items already yielded stay valid).
    """
    with _open_archive(source) as archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise ZipRejected(
                msg(
                    "The archive lists %(count)s entries, more than the limit of %(limit)s; "
                    "split it into smaller archives.",
                    count=len(members),
                    limit=limits.max_members,
                ),
                reason="too_many_members",
            )
        budget = limits.max_total_bytes
        for info in members:
            if _is_junk(info.filename):
                continue
            refused = _check_member(info, limits)
            if refused is not None:
                yield refused
                continue
            if budget <= 0 or info.file_size > budget:
                raise ZipRejected(
                    msg(
                        "The archive unpacks to more than %(limit)s; split it into smaller "
                        "archives.",
                        limit=human_size(limits.max_total_bytes),
                    ),
                    reason="too_large",
                )
            item = _extract(archive, info, budget, limits)
            budget -= len(item.data or b"")
            yield item


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limits: ZipLimits
) -> ZipItem:
    try:
        data = _read_member(archive, info, budget, limits)
    except _MemberTooLarge:
        return _refuse(
            info,
            msg("refused because it unpacks to more than its header says (a ZIP bomb)."),
            "bomb",
        )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as exc:
        return _refuse(
            info,
            msg("refused because its data is damaged (%(error)s).", error=str(exc)),
            "corrupt",
        )
    if data.startswith(_ARCHIVE_MAGIC) and not info.filename.lower().endswith(".svgz"):
        return _refuse(
            info,
            msg("refused because it is an archive, not an image; upload it separately."),
            "nested_archive",
        )
    return ZipItem(info.filename, data=data)
