from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator, Iterator

import pytest
from PIL import Image

from core.errors import PermanentError
from core.images.errors import ImageRejected
from core.images.inspect import (
    ImageLimits,
    aread_limited,
    human_size,
    inspect_image,
    open_image,
    read_limited,
    sniff_format,
)
from tests.core.images.factories import (
    gif_with_frames,
    jpeg_with_orientation,
    make_image,
    png_claiming,
)

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("image_format", "mime"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_accepted_formats_are_described(image_format: str, mime: str) -> None:
    data = make_image(1000, 900, image_format)
    info = inspect_image(data)
    assert (info.format, info.mime, info.width, info.height) == (image_format, mime, 1000, 900)
    assert info.byte_size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.is_small is False
    assert info.frames == 1


@pytest.mark.parametrize(
    ("width", "height", "small"),
    [(799, 1200, True), (1200, 799, True), (300, 300, True), (800, 800, False), (4000, 800, False)],
)
def test_small_images_are_flagged_not_refused(width: int, height: int, small: bool) -> None:
    info = inspect_image(make_image(width, height, "JPEG"))
    assert info.is_small is small
    assert (info.width, info.height) == (width, height)


def test_large_image_has_no_pixel_limit_below_the_safety_ceiling() -> None:
    info = inspect_image(make_image(6000, 5000, "PNG"))
    assert (info.width, info.height) == (6000, 5000)


def test_exif_orientation_gives_the_displayed_size() -> None:
    info = inspect_image(jpeg_with_orientation(1000, 600, orientation=6))
    assert info.orientation == 6
    assert (info.width, info.height) == (600, 1000)


def test_animated_images_count_their_frames() -> None:
    frames = [Image.new("RGB", (60, 40), (i * 50, 0, 255 - i * 50)) for i in range(4)]
    for image_format in ("GIF", "PNG", "WEBP"):
        buffer = io.BytesIO()
        frames[0].save(buffer, image_format, save_all=True, append_images=frames[1:])
        assert inspect_image(buffer.getvalue()).frames == 4, image_format


def reason_of(data: bytes, limits: ImageLimits | None = None) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        inspect_image(data, limits or ImageLimits())
    assert isinstance(caught.value, PermanentError)
    assert str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is text", b"\x00" * 100, b"<html><body>hi</body></html>", b"PK\x03\x04x"],
)
def test_not_an_image(data: bytes) -> None:
    assert reason_of(data).reason == "not_image"


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP"])
def test_truncated_file_is_refused(image_format: str) -> None:
    data = (
        make_image(900, 900, image_format, quality=95)
        if image_format in ("JPEG", "WEBP")
        else make_image(900, 900, image_format)
    )
    error = reason_of(data[: len(data) * 2 // 3])
    assert error.reason == "truncated"
    assert image_format in str(error)


def test_png_with_a_damaged_chunk_is_refused() -> None:
    data = bytearray(make_image(300, 300, "PNG"))
    data[-20] ^= 0xFF  # inside IDAT or its CRC
    assert reason_of(bytes(data)).reason == "truncated"


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (20_000, 20_000), (12_000, 9_000), (100_001, 1_000)],
)
def test_decompression_bomb_is_refused_from_its_header(width: int, height: int) -> None:
    data = png_claiming(width, height)
    assert len(data) < 200  # tiny on disk
    error = reason_of(data)
    assert error.reason == "bomb"
    assert "megapixels" in str(error) or "bomb" in str(error)


def test_pixel_ceiling_is_configurable() -> None:
    data = make_image(50, 50, "PNG")
    assert reason_of(data, ImageLimits(max_pixels=2_000)).reason == "bomb"
    assert inspect_image(data, ImageLimits(max_pixels=2_500)).width == 50


def test_gif_with_too_many_frames_is_refused() -> None:
    data = gif_with_frames([(1, 1)] * 1_500)
    error = reason_of(data)
    assert error.reason == "bomb"
    assert "1500 frames" in str(error)


def test_gif_whose_frames_hold_too_many_pixels_together_is_refused() -> None:
    data = gif_with_frames([(10_000, 9_000)] * 5)  # 90 MP each (allowed), 450 MP together
    assert len(data) < 200
    assert reason_of(data).reason == "bomb"


def test_gif_with_one_huge_frame_on_a_small_screen_is_refused() -> None:
    assert reason_of(gif_with_frames([(60_000, 60_000)], screen=(10, 10))).reason == "bomb"


def test_file_over_the_byte_limit_is_refused() -> None:
    data = make_image(400, 400, "PNG")
    error = reason_of(data, ImageLimits(max_bytes=len(data) - 1))
    assert error.reason == "too_large"
    assert inspect_image(data, ImageLimits(max_bytes=len(data))).byte_size == len(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(document.cookie)</script></svg>",
        b"\xef\xbb\xbf  \n<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' 'x'><svg></svg>",
        b"<!-- made by hand --><SVG onload='alert(1)'/>",
    ],
)
def test_svg_is_refused_with_advice(data: bytes) -> None:
    error = reason_of(data)
    assert error.reason == "svg"
    assert str(error) == "SVG is not supported; export the image as PNG or JPEG."


@pytest.mark.parametrize(
    ("image_format", "name"), [("BMP", "BMP"), ("TIFF", "TIFF"), ("ICO", "ICO")]
)
def test_other_image_formats_are_refused_by_name(image_format: str, name: str) -> None:
    error = reason_of(make_image(64, 64, image_format))
    assert error.reason == "unsupported_format"
    assert name in str(error)


def test_sniff_format_ignores_names_and_trusts_magic_bytes() -> None:
    assert sniff_format(make_image(10, 10, "PNG")) == "PNG"
    assert sniff_format(make_image(10, 10, "JPEG")) == "JPEG"


class CountingStream:
    """A 200 MB upload that is produced on demand and counts what was read from it."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        size = self.total - self.bytes_read if size < 0 else size
        size = min(size, self.total - self.bytes_read)
        self.bytes_read += size
        return b"\x00" * size

    async def aread(self, size: int = -1) -> bytes:
        return self.read(size)


def test_read_limited_stops_a_200_mb_upload_at_the_limit() -> None:
    stream = CountingStream(200 * MB)
    with pytest.raises(ImageRejected) as caught:
        read_limited(stream, 50 * MB)
    assert caught.value.reason == "too_large"
    assert "50 MB" in str(caught.value)
    assert stream.bytes_read <= 50 * MB + 1


def test_read_limited_from_chunks_stops_after_one_extra_chunk() -> None:
    pulled = 0

    def chunks() -> Iterator[bytes]:
        nonlocal pulled
        for _ in range(200):
            pulled += 1
            yield b"\x01" * MB

    with pytest.raises(ImageRejected):
        read_limited(chunks(), 10 * MB)
    assert pulled == 11


def test_read_limited_returns_everything_that_fits() -> None:
    data = make_image(100, 100, "PNG")
    assert read_limited(io.BytesIO(data), len(data)) == data
    assert read_limited(iter([data[:10], data[10:]]), len(data)) == data


async def test_aread_limited_stops_early_for_readers_and_async_iterators() -> None:
    stream = CountingStream(200 * MB)

    class Upload:
        async def read(self, size: int = -1) -> bytes:
            return await stream.aread(size)

    with pytest.raises(ImageRejected):
        await aread_limited(Upload(), 5 * MB, chunk_size=MB)
    assert stream.bytes_read <= 5 * MB + 1

    pulled = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(200):
            pulled += 1
            yield b"\x01" * MB

    with pytest.raises(ImageRejected):
        await aread_limited(chunks(), 3 * MB)
    assert pulled == 4


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0 B"), (512, "512 B"), (1536, "1.5 KB"), (50 * MB, "50 MB"), (3 * 1024 * MB, "3 GB")],
)
def test_human_size(count: int, shown: str) -> None:
    assert human_size(count) == shown


def test_open_image_reads_the_header_only() -> None:
    data = make_image(1200, 700, "JPEG")
    image = open_image(data[: len(data) // 3])  # header intact, pixels missing: not decoded yet
    assert image.size == (1200, 700)
    image.close()
    with pytest.raises(ImageRejected):
        open_image(png_claiming(100_000, 100_000))
