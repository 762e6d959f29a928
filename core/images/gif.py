"""Count a GIF's frames and their sizes by walking its blocks, without decoding any pixels.

Pillow learns a GIF's frame count by seeking through every frame, which is exactly the work a
"frames bomb" (thousands of huge, tiny-on-disk frames) wants us to do. The block structure
(GIF89a specification, section 17 onwards) lets us skip the compressed data instead.
"""

from __future__ import annotations

from core.i18n import msg
from core.images.errors import TruncatedImage

_EXTENSION = 0x21
_IMAGE_DESCRIPTOR = 0x2C
_TRAILER = 0x3B


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """Return the position after a chain of data sub-blocks (ended by a zero-length block)."""
    end = len(data)
    while pos < end:
        length = data[pos]
        pos += 1
        if length == 0:
            return pos
        pos += length
    raise TruncatedImage(msg("The GIF file is cut short inside its image data."))


def _colour_table_size(packed: int) -> int:
    return 3 * (1 << ((packed & 0x07) + 1)) if packed & 0x80 else 0


def gif_frame_sizes(data: bytes) -> list[tuple[int, int]]:
    """List the (width, height) of every frame of a GIF, from the headers alone.

    Args:
        data: the whole GIF file.

    Returns:
        One entry per image descriptor, in file order (empty when there is none).

    Raises:
        TruncatedImage: the header or a frame's descriptor is cut short.
    """
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise TruncatedImage(msg("The GIF header is cut short."))
    pos = 13 + _colour_table_size(data[10])
    sizes: list[tuple[int, int]] = []
    end = len(data)
    while pos < end:
        block = data[pos]
        if block == _TRAILER:
            break
        if block == _EXTENSION:
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == _IMAGE_DESCRIPTOR:
            if pos + 10 > end:
                raise TruncatedImage(msg("The GIF file is cut short inside a frame header."))
            width = int.from_bytes(data[pos + 5 : pos + 7], "little")
            height = int.from_bytes(data[pos + 7 : pos + 9], "little")
            sizes.append((width, height))
            # descriptor (10) + local colour table + LZW minimum code size (1) + data blocks
            pos = _skip_sub_blocks(data, pos + 10 + _colour_table_size(data[pos + 9]) + 1)
        else:
            break  # trailing junk after the last frame; decoders ignore it, so do we
    return sizes
