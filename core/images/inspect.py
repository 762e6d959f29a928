"""Safe inspection of uploaded image bytes: what they really are, and whether to take them.

The rules (DESIGN.md §2 rule 16): JPEG, PNG, GIF and WEBP are accepted at any pixel size up to
a safety ceiling; an image under 800x800 gets a warning (``ImageInfo.is_small``), never a
refusal. Everything else is refused with an :class:`~core.images.errors.ImageRejected` that says
what and why: not an image, truncated, over the byte limit, a decompression bomb, SVG, or a
format marketplaces do not take.

The order of checks is what keeps this safe: the byte limit first (see :func:`read_limited`
for uploads that must not be read whole), then the format from the file's magic bytes (never
the name or the declared content type), then the dimensions from the header, and only then a
full decode. Pillow is only ever asked to parse the one format the magic bytes named.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from PIL import Image

from core.i18n import msg
from core.images.errors import (
    DecompressionBomb,
    ImageTooLarge,
    NotAnImage,
    SvgNotSupported,
    TruncatedImage,
    UnsupportedImageFormat,
)
from core.images.gif import gif_frame_sizes

MIB = 1024 * 1024

ACCEPTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
"""Pillow format name → MIME type of every format the image space accepts."""

SMALL_IMAGE_SIDE = 800
"""Images with a side under this many pixels get the "shown poorly" warning (rule 16)."""

_EXIF_ORIENTATION = 0x0112

# Magic bytes of formats we recognise but refuse, so the message can name them.
_REFUSED_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
    (b"8BPS", 0, "PSD"),
    (b"ftypheic", 4, "HEIC"),
    (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"),
    (b"ftypavif", 4, "AVIF"),
    (b"\xff\x0a", 0, "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", 0, "JPEG XL"),
    (b"%PDF", 0, "PDF"),
)


@dataclass(frozen=True)
class ImageLimits:
    """Safety limits for one image.

    Attributes:
        max_bytes: largest file accepted, in bytes (default 50 MiB).
        max_pixels: largest width x height decoded (default 100 MP, i.e. 10000x10000);
            far above any product photo, far below a decompression bomb. Pillow refuses on
            its own above ``2 x PIL.Image.MAX_IMAGE_PIXELS`` (~179 MP), so a higher value has
            no effect unless that global is raised too.
        max_frames: most animation frames accepted (GIF, APNG, animated WEBP).
        max_animation_pixels: most pixels of all frames together.
    """

    max_bytes: int = 50 * MIB
    max_pixels: int = 100_000_000
    max_frames: int = 1_000
    max_animation_pixels: int = 400_000_000


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True)
class ImageInfo:
    """What an accepted image is.

    Attributes:
        format: Pillow format name: ``JPEG``, ``PNG``, ``GIF`` or ``WEBP``.
        mime: its MIME type, e.g. ``image/jpeg``.
        width: width in pixels as displayed (EXIF orientation applied).
        height: height in pixels as displayed.
        byte_size: size of the file in bytes.
        sha256: hex SHA-256 of the file's bytes (the content address).
        is_small: True when a side is under 800 px: warn, never refuse (rule 16).
        frames: number of frames (1 unless animated).
        orientation: the EXIF orientation tag (1 = upright; 5-8 mean width/height swapped).
    """

    format: str
    mime: str
    width: int
    height: int
    byte_size: int
    sha256: str
    is_small: bool
    frames: int = 1
    orientation: int = 1


def human_size(byte_count: int) -> str:
    """Format a byte count for people: ``512 B``, ``3.2 KB``, ``50 MB``, ``1.5 GB`` (base 1024).

    Args:
        byte_count: the number of bytes.

    Returns:
        The size with one decimal when it is not whole.
    """
    size = float(byte_count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if size.is_integer() else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def too_large(max_bytes: int) -> ImageTooLarge:
    """The refusal of a file over the one-image limit of ``max_bytes``."""
    return ImageTooLarge(
        msg(
            "The file is larger than %(limit)s, the limit for one image; make it smaller "
            "(e.g. save it as JPEG) and upload it again.",
            limit=human_size(max_bytes),
        )
    )


class SupportsRead(Protocol):
    """A binary file-like object (``read(size) -> bytes``)."""

    def read(self, size: int = -1, /) -> bytes:
        """Read at most ``size`` bytes."""
        ...


class SupportsAsyncRead(Protocol):
    """An async binary reader, e.g. an uploaded file (``await read(size) -> bytes``)."""

    async def read(self, size: int = -1, /) -> bytes:
        """Read at most ``size`` bytes."""
        ...


def read_limited(
    source: SupportsRead | BinaryIO | Iterable[bytes],
    max_bytes: int = DEFAULT_LIMITS.max_bytes,
    *,
    chunk_size: int = MIB,
) -> bytes:
    """Read a whole upload into memory, but stop as soon as it passes ``max_bytes``.

    A 200 MB upload is refused after ``max_bytes + 1`` bytes from a file-like source (after
    at most one extra chunk from an iterable), never read whole.

    Args:
        source: a binary file-like object or an iterable of byte chunks.
        max_bytes: the limit.
        chunk_size: bytes per read from a file-like source.

    Returns:
        All the bytes, when they fit.

    Raises:
        ImageTooLarge: the source holds more than ``max_bytes``.
    """
    buffer = bytearray()
    if hasattr(source, "read"):
        while True:
            chunk = source.read(min(chunk_size, max_bytes + 1 - len(buffer)))
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > max_bytes:
                raise too_large(max_bytes)
        return bytes(buffer)
    for chunk in source:
        buffer += chunk
        if len(buffer) > max_bytes:
            raise too_large(max_bytes)
    return bytes(buffer)


async def aread_limited(
    source: SupportsAsyncRead | AsyncIterable[bytes],
    max_bytes: int = DEFAULT_LIMITS.max_bytes,
    *,
    chunk_size: int = MIB,
) -> bytes:
    """Async twin of :func:`read_limited` for uploads and response streams.

    Args:
        source: an object with ``async read(size)`` or an async iterable of byte chunks.
        max_bytes: the limit.
        chunk_size: bytes per read from a reader.

    Returns:
        All the bytes, when they fit.

    Raises:
        ImageTooLarge: the source holds more than ``max_bytes``.
    """
    buffer = bytearray()
    if hasattr(source, "read"):
        while True:
            chunk = await source.read(min(chunk_size, max_bytes + 1 - len(buffer)))
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > max_bytes:
                raise too_large(max_bytes)
        return bytes(buffer)
    async for chunk in source:
        buffer += chunk
        if len(buffer) > max_bytes:
            raise too_large(max_bytes)
    return bytes(buffer)


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<!doctype svg")):
        return True
    return text.startswith((b"<?xml", b"<!--", b"<!doctype")) and b"<svg" in text


def sniff_format(data: bytes) -> str:
    """Name the image format from the file's magic bytes, refusing what we do not accept.

    Args:
        data: the file's bytes (the first 1 KB is enough).

    Returns:
        ``JPEG``, ``PNG``, ``GIF`` or ``WEBP``.

    Raises:
        NotAnImage: empty, or not an image format at all.
        SvgNotSupported: an SVG file (with or without scripts).
        UnsupportedImageFormat: an image format marketplaces do not take (BMP, TIFF, HEIC...).
    """
    if not data:
        raise NotAnImage(msg("The file is empty."))
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if _looks_like_svg(data[:1024]):
        raise SvgNotSupported(msg("SVG is not supported; export the image as PNG or JPEG."))
    for magic, offset, name in _REFUSED_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            raise UnsupportedImageFormat(
                msg(
                    "%(format)s is not supported; convert the image to JPEG, PNG, GIF or WEBP.",
                    format=name,
                )
            )
    raise NotAnImage(msg("The file is not an image (accepted formats: JPEG, PNG, GIF, WEBP)."))


def _check_pixels(width: int, height: int, limits: ImageLimits) -> None:
    if width <= 0 or height <= 0:
        raise TruncatedImage(msg("The image header gives no size; the file is damaged."))
    if width * height > limits.max_pixels:
        raise DecompressionBomb(
            msg(
                "The image claims %(width)sx%(height)s pixels, more than the safety limit of "
                "%(limit)s megapixels; it cannot be processed.",
                width=width,
                height=height,
                limit=limits.max_pixels // 1_000_000,
            )
        )


def _check_frames(sizes: list[tuple[int, int]], limits: ImageLimits) -> None:
    for width, height in sizes:
        _check_pixels(width, height, limits)
    if len(sizes) > limits.max_frames:
        raise DecompressionBomb(
            msg(
                "The animation has %(frames)s frames, more than the limit of %(limit)s.",
                frames=len(sizes),
                limit=limits.max_frames,
            )
        )
    total = sum(width * height for width, height in sizes)
    if total > limits.max_animation_pixels:
        raise DecompressionBomb(
            msg(
                "The animation's frames hold %(megapixels)s megapixels together, more than "
                "the safety limit of %(limit)s.",
                megapixels=total // 1_000_000,
                limit=limits.max_animation_pixels // 1_000_000,
            )
        )


def open_image(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> Image.Image:
    """Open image bytes lazily after the format and header checks, without decoding pixels.

    For quick header-level checks (format, dimensions, frame counts) without a decode; the
    caller closes the image. Pixels may still be missing: only :func:`inspect_image` or
    :func:`decode_image` prove the file whole.

    Args:
        data: the file's bytes.
        limits: the safety limits.

    Returns:
        A Pillow image whose size came from the header and is within ``limits``.

    Raises:
        ImageRejected: any refusal (see :func:`inspect_image`).
    """
    return _open_checked(data, limits)[0]


def _open_checked(data: bytes, limits: ImageLimits) -> tuple[Image.Image, str, int]:
    """Open lazily; answer the image, its sniffed format and its frame count."""
    if len(data) > limits.max_bytes:
        raise too_large(limits.max_bytes)
    image_format = sniff_format(data)
    frames = 1
    if image_format == "GIF":
        sizes = gif_frame_sizes(data)
        _check_frames(sizes, limits)
        frames = max(len(sizes), 1)
    try:
        with warnings.catch_warnings():
            # Our own ceiling is checked below; Pillow's softer warning level means nothing here.
            # (catch_warnings is process-wide; racing threads can at worst leave this one
            # harmless filter installed.)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
    except Image.DecompressionBombError:
        raise DecompressionBomb(
            msg(
                "The image claims more pixels than can be processed safely; it looks like a "
                "decompression bomb."
            )
        ) from None
    except Exception as exc:  # parsers of untrusted headers fail in many ways
        raise TruncatedImage(
            msg(
                "The %(format)s file is damaged and cannot be read (%(error)s).",
                format=image_format,
                error=str(exc),
            )
        ) from None
    try:
        _check_pixels(image.width, image.height, limits)
        if image_format in ("PNG", "WEBP"):
            # APNG and animated WEBP carry their frame count in the header.
            frames = int(getattr(image, "n_frames", 1))
            _check_frames([image.size] * frames, limits)
    except Exception:
        image.close()
        raise
    return image, image_format, frames


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block is not worth refusing the photo for
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _decode_first_frame(
    image: Image.Image, data: bytes, image_format: str, reduce_to: int | None
) -> tuple[Image.Image, int]:
    """Decode every byte of the first frame so truncation and corruption show up now.

    Returns the decoded image (the caller closes it) and the EXIF orientation, read once the
    header is known to be sound.
    """
    if image_format == "PNG":
        image.verify()  # chunk CRCs; the image cannot be used after verify, so reopen
        image.close()
        image = Image.open(io.BytesIO(data), formats=["PNG"])
    try:
        orientation = _orientation(image)
        if image_format == "JPEG" and reduce_to is not None:
            # Decoding at reduced scale still reads every entropy-coded byte; at 1/8 it takes
            # 1/64 of the memory.
            image.draft(
                image.mode,
                (max(reduce_to, image.width // 8), max(reduce_to, image.height // 8)),
            )
        image.load()
    except BaseException:
        image.close()
        raise
    return image, orientation


def decode_image(
    data: bytes, limits: ImageLimits = DEFAULT_LIMITS, *, reduce_to: int | None = None
) -> tuple[ImageInfo, Image.Image]:
    """Check image bytes like :func:`inspect_image` and keep the decoded first frame.

    This is the one full decode of an upload: the thumbnail code works on the image it
    returns, so nothing is decoded twice.

    Args:
        data: the file's bytes.
        limits: the safety limits.
        reduce_to: lets a JPEG decode at 1/2, 1/4 or 1/8 scale as long as each side keeps at
            least this many pixels (1: as small as possible). None, and every other format:
            full size.

    Returns:
        The :class:`ImageInfo` and the decoded first frame (EXIF orientation not yet applied,
        metadata still attached). The caller closes the image.

    Raises:
        ImageRejected: see :func:`inspect_image`.
    """
    image, image_format, frames = _open_checked(data, limits)
    width, height = image.size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image, orientation = _decode_first_frame(image, data, image_format, reduce_to)
    except Exception as exc:  # untrusted bytes make decoders fail in many ways; all mean damaged
        image.close()
        raise TruncatedImage(
            msg(
                "The %(format)s file is cut short or damaged and cannot be decoded "
                "(%(error)s); upload the complete file again.",
                format=image_format,
                error=str(exc),
            )
        ) from None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    info = ImageInfo(
        format=image_format,
        mime=ACCEPTED_FORMATS[image_format],
        width=width,
        height=height,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        is_small=width < SMALL_IMAGE_SIDE or height < SMALL_IMAGE_SIDE,
        frames=frames,
        orientation=orientation,
    )
    return info, image


def inspect_image(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> ImageInfo:
    """Check image bytes and describe them; refuse anything that is not a safe, whole image.

    Args:
        data: the file's bytes (read with :func:`read_limited` when they come from outside).
        limits: the safety limits.

    Returns:
        The image's :class:`ImageInfo`.

    Raises:
        ImageTooLarge: more than ``limits.max_bytes``.
        NotAnImage: not an image at all.
        SvgNotSupported: an SVG file.
        UnsupportedImageFormat: an image in a format other than JPEG, PNG, GIF, WEBP.
        DecompressionBomb: more pixels or frames than the limits allow.
        TruncatedImage: cut short or corrupt.
    """
    info, image = decode_image(data, limits, reduce_to=1)
    image.close()
    return info
