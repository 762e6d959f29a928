from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from core.images.errors import ImageRejected
from core.images.inspect import ImageLimits, inspect_image
from core.images.thumbs import RenderedImage, inspect_and_thumbnail, make_thumbnail, pad_to_square
from tests.core.images.factories import jpeg_with_orientation, make_image, png_claiming


def decoded(rendered: RenderedImage) -> Image.Image:
    image = Image.open(io.BytesIO(rendered.data))
    assert image.format == rendered.format
    assert image.size == (rendered.width, rendered.height)
    return image


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (4000, 3000, (240, 180)),
        (3000, 4000, (180, 240)),
        (2000, 2000, (240, 240)),
        (100, 50, (100, 50)),
    ],
)
def test_thumbnail_fits_the_longest_side(
    width: int, height: int, expected: tuple[int, int]
) -> None:
    thumb = make_thumbnail(make_image(width, height, "JPEG"))
    assert (thumb.format, thumb.mime) == ("WEBP", "image/webp")
    assert decoded(thumb).size == expected


def test_thumbnail_as_jpeg_and_other_sizes() -> None:
    thumb = make_thumbnail(make_image(1000, 500, "PNG"), size=120, image_format="JPEG")
    assert thumb.mime == "image/jpeg"
    assert decoded(thumb).size == (120, 60)


def test_thumbnail_applies_orientation_and_strips_metadata() -> None:
    # Stored 400x300 (yellow marker top-left) with orientation 6: shown rotated 90° clockwise.
    thumb = make_thumbnail(jpeg_with_orientation(400, 300, 6), size=200, image_format="JPEG")
    image = decoded(thumb)
    assert image.size == (150, 200)
    assert image.getexif() == {}
    assert "icc_profile" not in image.info
    red, green, blue = image.convert("RGB").getpixel((140, 10))  # top-right after rotation
    assert red > 200 and green > 200 and blue < 80


def test_thumbnail_keeps_transparency_in_webp_and_whitens_it_in_jpeg() -> None:
    data = make_image(300, 300, "PNG", mode="RGBA", color=(0, 0, 255, 0))
    webp = decoded(make_thumbnail(data, size=100))
    assert webp.mode == "RGBA" and webp.getpixel((2, 2))[3] == 0
    jpeg = decoded(make_thumbnail(data, size=100, image_format="JPEG"))
    assert jpeg.getpixel((2, 2)) == pytest.approx((255, 255, 255), abs=3)


def test_thumbnail_of_an_animation_uses_its_first_frame() -> None:
    frames = [Image.new("RGB", (80, 80), c) for c in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    pixel = decoded(make_thumbnail(buffer.getvalue(), image_format="PNG")).getpixel((40, 40))
    assert pixel[0] > 200 and pixel[2] < 50


def test_colour_profile_is_converted_then_dropped() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = make_image(500, 500, "JPEG", icc_profile=srgb)
    assert "icc_profile" in Image.open(io.BytesIO(data)).info
    for rendered in (make_thumbnail(data), pad_to_square(data)):
        assert "icc_profile" not in decoded(rendered).info


def test_thumbnail_respects_the_safety_limits() -> None:
    with pytest.raises(ImageRejected) as caught:
        make_thumbnail(png_claiming(50_000, 50_000))
    assert caught.value.reason == "bomb"


@pytest.mark.parametrize(
    ("width", "height", "side"),
    [
        (300, 150, 800),
        (150, 300, 800),
        (500, 500, 800),
        (1200, 600, 1200),
        (900, 900, 900),
        (799, 40, 800),
    ],
)
def test_pad_to_square_sizes(width: int, height: int, side: int) -> None:
    square = pad_to_square(make_image(width, height, "JPEG"))
    image = decoded(square)
    assert image.size == (side, side)
    assert square.mime == "image/jpeg"
    assert inspect_image(square.data).is_small is False


def test_pad_to_square_centres_the_picture_on_white_and_keeps_its_aspect() -> None:
    # 300x150 red picture: upscaled to 800x400, centred vertically at rows 200..599.
    image = decoded(
        pad_to_square(make_image(300, 150, "PNG", color=(220, 0, 0)), image_format="PNG")
    )
    assert image.getpixel((5, 5)) == (255, 255, 255)
    assert image.getpixel((400, 190)) == (255, 255, 255)
    assert image.getpixel((400, 610)) == (255, 255, 255)
    left_edge = image.getpixel((5, 250))
    assert left_edge[0] > 200 and left_edge[1] < 30
    assert image.getpixel((400, 400))[0] < 200  # the darker inner square, scaled


def test_pad_to_square_turns_transparency_white_and_applies_orientation() -> None:
    clear = decoded(pad_to_square(make_image(200, 100, "PNG", mode="RGBA", color=(0, 0, 0, 0))))
    assert clear.getpixel((3, 400)) == pytest.approx((255, 255, 255), abs=3)
    turned = decoded(pad_to_square(jpeg_with_orientation(1000, 500, 8)))
    assert turned.size == (1000, 1000)
    assert turned.getexif() == {}


def test_pad_to_square_refuses_a_square_over_the_pixel_limit() -> None:
    data = make_image(3000, 10, "PNG")
    with pytest.raises(ImageRejected) as caught:
        pad_to_square(data, limits=ImageLimits(max_pixels=4_000_000))
    assert caught.value.reason == "pad_too_large"
    assert pad_to_square(data).width == 3000


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF", "WEBP"])
def test_inspect_and_thumbnail_agrees_with_the_separate_calls(image_format: str) -> None:
    data = make_image(3000, 2000, image_format)
    info, thumb = inspect_and_thumbnail(data)
    assert info == inspect_image(data)
    assert decoded(thumb).size == (240, 160)
    assert thumb.data == make_thumbnail(data).data


def test_inspect_and_thumbnail_refuses_what_inspection_refuses() -> None:
    data = make_image(900, 900, "JPEG")
    with pytest.raises(ImageRejected) as caught:
        inspect_and_thumbnail(data[: len(data) // 2])
    assert caught.value.reason == "truncated"
