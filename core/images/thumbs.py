"""New image bytes made from an accepted image: thumbnails and the "pad to square" action.

Both apply the EXIF orientation, convert embedded colour profiles to sRGB and then drop every
piece of metadata (EXIF with its GPS position, ICC, XMP, comments), so what leaves Tradewind
shows the same picture without the seller's camera details. Animated images give their first
frame. Inputs go through :func:`core.images.inspect.decode_image`, so the checks and safety
limits hold here too even for bytes that were never inspected.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageCms

from core.i18n import msg
from core.images.errors import ImageRejected, TruncatedImage
from core.images.inspect import (
    DEFAULT_LIMITS,
    SMALL_IMAGE_SIDE,
    ImageInfo,
    ImageLimits,
    decode_image,
)

THUMBNAIL_SIZE = 240
"""Longest side of a thumbnail, in pixels."""

OutputFormat = Literal["JPEG", "PNG", "WEBP"]

_MIME: dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_WHITE = (255, 255, 255)
_EXIF_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class RenderedImage:
    """Image bytes Tradewind made.

    Attributes:
        data: the encoded file.
        format: ``JPEG``, ``PNG`` or ``WEBP``.
        mime: its MIME type.
        width: width in pixels.
        height: height in pixels.
    """

    data: bytes
    format: str
    mime: str
    width: int
    height: int


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels from an embedded ICC profile to sRGB (Adobe RGB, CMYK print files...)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: show the pixels as they are rather than refuse
    return converted if converted is not None else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _upright(image: Image.Image) -> Image.Image:
    """The decoded image upright, in sRGB, as RGB or RGBA, with no metadata left."""
    result = _to_srgb(image)
    orientation = result.getexif().get(_EXIF_ORIENTATION, 1)
    if orientation in _TRANSPOSE:
        result = result.transpose(_TRANSPOSE[orientation])
    target = "RGBA" if _has_alpha(result) else "RGB"
    if result.mode != target:
        result = result.convert(target)
    result.info = {}
    return result


def _decode_upright(
    data: bytes, limits: ImageLimits, reduce_to: int | None
) -> tuple[ImageInfo, Image.Image]:
    info, image = decode_image(data, limits, reduce_to=reduce_to)
    try:
        result = _upright(image)
    except Exception as exc:  # untrusted bytes make decoders fail in many ways
        image.close()
        raise TruncatedImage(
            msg("The image cannot be converted (%(error)s).", error=str(exc))
        ) from None
    if result is not image:  # often it is: an upright RGB image needs no conversion at all
        image.close()
    return info, result


def _flatten(image: Image.Image, background: tuple[int, int, int] = _WHITE) -> Image.Image:
    if image.mode != "RGBA":
        return image
    canvas = Image.new("RGB", image.size, background)
    canvas.paste(image, mask=image.getchannel("A"))
    return canvas


def _encode(image: Image.Image, image_format: OutputFormat, quality: int) -> RenderedImage:
    if image_format == "JPEG":
        image = _flatten(image)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=quality, method=4)
    else:
        image.save(buffer, "PNG", optimize=False, compress_level=6)
    return RenderedImage(
        data=buffer.getvalue(),
        format=image_format,
        mime=_MIME[image_format],
        width=image.width,
        height=image.height,
    )


def inspect_and_thumbnail(
    data: bytes,
    *,
    size: int = THUMBNAIL_SIZE,
    image_format: OutputFormat = "WEBP",
    quality: int = 80,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> tuple[ImageInfo, RenderedImage]:
    """Inspect an upload and make its thumbnail from one decode: the upload path.

    Same checks and result as :func:`core.images.inspect.inspect_image`, plus the thumbnail
    of :func:`make_thumbnail`, for the price of one decode (a JPEG at reduced scale).

    Args:
        data: the file's bytes.
        size: longest side of the thumbnail.
        image_format: the thumbnail's format; WEBP keeps transparency, JPEG puts it on white.
        quality: encoder quality (1-100) for JPEG and WEBP.
        limits: the safety limits.

    Returns:
        The image's info and its thumbnail.

    Raises:
        ImageRejected: see :func:`core.images.inspect.inspect_image`.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    info, image = _decode_upright(data, limits, reduce_to=size * 2)
    image.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return info, _encode(image, image_format, quality)


def make_thumbnail(
    data: bytes,
    *,
    size: int = THUMBNAIL_SIZE,
    image_format: OutputFormat = "WEBP",
    quality: int = 80,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> RenderedImage:
    """Make a thumbnail whose longest side is ``size`` pixels (smaller images keep their size).

    Large JPEGs are decoded at reduced scale, so a 4000x4000 photo never takes full memory.
    The input is checked as by ``inspect_image`` (the safety limits hold).

    Args:
        data: an image's bytes (JPEG, PNG, GIF or WEBP).
        size: longest side of the thumbnail.
        image_format: output format; WEBP keeps transparency, JPEG puts it on white.
        quality: encoder quality (1-100) for JPEG and WEBP.
        limits: the safety limits for the input.

    Returns:
        The thumbnail.

    Raises:
        ImageRejected: the input is refused (see :func:`core.images.inspect.inspect_image`).
    """
    return inspect_and_thumbnail(
        data, size=size, image_format=image_format, quality=quality, limits=limits
    )[1]


def pad_to_square(
    data: bytes,
    *,
    min_side: int = SMALL_IMAGE_SIDE,
    background: tuple[int, int, int] = _WHITE,
    image_format: OutputFormat = "JPEG",
    quality: int = 90,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> RenderedImage:
    """Make a square image: pad with ``background`` and upscale so each side is ``min_side``+.

    The picture keeps its aspect ratio and sits centred. An image whose longest side is under
    ``min_side`` is enlarged until that side is ``min_side``; a larger one keeps its pixels
    and is only padded. The result is a new image (the original stays as it was).

    Args:
        data: an image's bytes (JPEG, PNG, GIF or WEBP).
        min_side: the smallest side of the result (800 by default, rule 16).
        background: padding colour (white by default, what marketplaces expect).
        image_format: output format (transparent areas become ``background``).
        quality: encoder quality (1-100) for JPEG and WEBP.
        limits: the safety limits, for the input and for the square made.

    Returns:
        The square image.

    Raises:
        ImageRejected: the input is refused, or the square would exceed ``limits.max_pixels``
            (reason ``pad_too_large``).
    """
    if min_side < 1:
        raise ValueError("min_side must be at least 1")
    image = _decode_upright(data, limits, reduce_to=None)[1]
    longest = max(image.size)
    side = max(longest, min_side)
    if side * side > limits.max_pixels:
        raise ImageRejected(
            msg(
                "Padding this %(width)sx%(height)s image to a square would make it "
                "%(side)sx%(side)s pixels, more than the limit of %(limit)s megapixels; crop it "
                "first.",
                width=image.width,
                height=image.height,
                side=side,
                limit=limits.max_pixels // 1_000_000,
            ),
            reason="pad_too_large",
        )
    if longest < min_side:
        scale = min_side / longest
        new_size = (
            max(1, min(min_side, round(image.width * scale))),
            max(1, min(min_side, round(image.height * scale))),
        )
        image = image.resize(new_size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (side, side), background)
    offset = ((side - image.width) // 2, (side - image.height) // 2)
    canvas.paste(image, offset, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    return _encode(canvas, image_format, quality)
