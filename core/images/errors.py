"""Why an image (or an archive of images) was refused.

Every refusal is an :class:`ImageRejected`, a :class:`~core.errors.PermanentError`: sending the
same bytes again cannot help. ``str(error)`` says what is wrong and what to do, for people;
``error.reason`` is a short machine code for the UI, the JSON API and per-item job records.
"""

from __future__ import annotations

from typing import ClassVar

from core.errors import PermanentError
from core.i18n import msg


class ImageRejected(PermanentError):
    """An image was refused.

    Args:
        message: what is wrong and why, in words a seller understands.
        reason: machine code; defaults to the subclass's own code.
        field: the form field the problem is about, when there is one.
    """

    default_reason: ClassVar[str] = "rejected"

    def __init__(self, message: str, *, reason: str | None = None, field: str | None = None):
        code = reason or self.default_reason
        super().__init__(message, code=code, field=field)
        self.reason: str = code


class NotAnImage(ImageRejected):
    """The bytes are not an image at all (text, a PDF, an empty file...)."""

    default_reason = "not_image"


class TruncatedImage(ImageRejected):
    """The image is cut short or its data is corrupt, so it cannot be decoded."""

    default_reason = "truncated"


class ImageTooLarge(ImageRejected):
    """The file is bigger than the byte limit."""

    default_reason = "too_large"


class DecompressionBomb(ImageRejected):
    """The image claims more pixels (or animation frames) than may be decoded safely."""

    default_reason = "bomb"


class SvgNotSupported(ImageRejected):
    """SVG is refused outright: it can carry scripts, and marketplaces do not take it."""

    default_reason = "svg"


class UnsupportedImageFormat(ImageRejected):
    """A real image, but in a format marketplaces do not take (BMP, TIFF, HEIC, ...)."""

    default_reason = "unsupported_format"


class ZipRejected(ImageRejected):
    """A whole ZIP upload was refused (broken archive, too many members, too big)."""

    default_reason = "broken_zip"


class ZipMemberRejected(ImageRejected):
    """One member of a ZIP upload was refused; the other members are not affected.

    Args:
        member: the member's name as stored in the archive.
        message: what is wrong with it.
        reason: machine code (``unsafe_path``, ``symlink``, ``nested_archive``, ``encrypted``,
            ``too_large``, ``bomb``, ``not_image``, ``corrupt``).
    """

    default_reason = "zip_member"

    def __init__(self, member: str, message: str, *, reason: str) -> None:
        super().__init__(
            msg("%(member)s: %(problem)s", member=member, problem=message), reason=reason
        )
        self.member = member
