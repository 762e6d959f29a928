"""Image factories for the image-space tests: real files made with Pillow or by hand."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def make_image(
    width: int,
    height: int,
    image_format: str = "PNG",
    *,
    mode: str = "RGB",
    color: tuple[int, ...] = (200, 30, 30),
    **save_options: object,
) -> bytes:
    """An image of one colour with a darker square in the middle, encoded as ``image_format``."""
    image = Image.new(mode, (width, height), color)
    inner = tuple(max(c - 100, 0) for c in color)
    image.paste(
        inner,
        (
            width // 4,
            height // 4,
            max(width // 4 + 1, 3 * width // 4),
            max(height // 4 + 1, 3 * height // 4),
        ),
    )
    buffer = io.BytesIO()
    image.save(buffer, image_format, **save_options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``x``height`` pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row_data = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", row_data)
        + png_chunk(b"IEND", b"")
    )


def gif_with_frames(frame_sizes: list[tuple[int, int]], screen: tuple[int, int] = (1, 1)) -> bytes:
    """A hand-made GIF whose frame descriptors claim the given sizes (pixel data is tiny)."""
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", screen[0], screen[1], 0x80, 0, 0)  # 2-colour global table
    out += b"\x00\x00\x00\xff\xff\xff"
    for width, height in frame_sizes:
        out += b"\x21\xf9\x04\x04\x0a\x00\x00\x00"  # graphic control extension
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
        out += b"\x02\x02\x4c\x01\x00"  # LZW min code size 2, one 2-byte sub-block, end
    out += b"\x3b"
    return bytes(out)


def jpeg_with_orientation(width: int, height: int, orientation: int) -> bytes:
    """A JPEG stored as ``width``x``height`` with an EXIF orientation tag."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, width // 4, height // 4))  # marks the top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestCam"  # camera make: must not survive into derived images
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()
