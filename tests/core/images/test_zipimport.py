from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from core.images.errors import ImageRejected, ZipMemberRejected, ZipRejected
from core.images.inspect import inspect_image
from core.images.zipimport import ZipItem, ZipLimits, iter_zip_images
from tests.core.images.factories import make_image

MB = 1024 * 1024
GOOD_JPEG = make_image(900, 900, "JPEG")
GOOD_PNG = make_image(640, 480, "PNG")


def build_zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


def symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def mark_encrypted(archive: bytes, name: str) -> bytes:
    """Set the "encrypted" flag of one member (zipfile cannot write encrypted members)."""
    data = bytearray(archive)
    with zipfile.ZipFile(io.BytesIO(archive)) as reader:
        info = reader.getinfo(name)
    data[info.header_offset + 6] |= 0x1  # local file header: general purpose flags
    central = data.index(b"PK\x01\x02")
    while True:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == name.encode():
            data[central + 8] |= 0x1  # central directory: general purpose flags
            return bytes(data)
        central = data.index(b"PK\x01\x02", central + 4)


def by_name(items: list[ZipItem]) -> dict[str, ZipItem]:
    return {item.name: item for item in items}


def test_hostile_members_are_refused_one_by_one_and_good_ones_come_through() -> None:
    archive = build_zip(
        [
            ("photos/front.jpg", GOOD_JPEG),
            ("../../etc/evil.jpg", GOOD_JPEG),
            ("/abs/path.png", GOOD_PNG),
            ("C:\\windows\\x.png", GOOD_PNG),
            ("photos/..\\..\\sneaky.png", GOOD_PNG),
            symlink("photos/link.jpg", "/etc/passwd"),
            ("photos/secret.jpg", GOOD_JPEG),
            ("photos/inner.zip", build_zip([("a.jpg", GOOD_JPEG)])),
            ("photos/disguised.jpg", build_zip([("a.jpg", GOOD_JPEG)])),
            ("photos/bomb.png", b"\x00" * (30 * MB)),
            ("readme.txt", b"hello"),
            ("__MACOSX/photos/._front.jpg", b"junk"),
            ("photos/.DS_Store", b"junk"),
            ("photos/", b""),
            ("photos/side.png", GOOD_PNG),
        ]
    )
    archive = mark_encrypted(archive, "photos/secret.jpg")
    items = list(iter_zip_images(io.BytesIO(archive)))
    found = by_name(items)
    assert found["photos/front.jpg"].data == GOOD_JPEG
    assert found["photos/side.png"].data == GOOD_PNG
    assert inspect_image(found["photos/side.png"].data or b"").format == "PNG"
    expected = {
        "../../etc/evil.jpg": "unsafe_path",
        "/abs/path.png": "unsafe_path",
        "C:\\windows\\x.png": "unsafe_path",
        "photos/..\\..\\sneaky.png": "unsafe_path",
        "photos/link.jpg": "symlink",
        "photos/secret.jpg": "encrypted",
        "photos/inner.zip": "nested_archive",
        "photos/disguised.jpg": "nested_archive",
        "photos/bomb.png": "bomb",
        "readme.txt": "not_image",
    }
    refused = {item.name: item.error.reason for item in items if item.error is not None}
    assert refused == expected
    for item in items:
        if item.error is not None:
            assert item.data is None and not item.ok
            assert isinstance(item.error, ZipMemberRejected)
            assert isinstance(item.error, ImageRejected)
            assert item.name in str(item.error)
    assert [i.name for i in items if i.ok] == ["photos/front.jpg", "photos/side.png"]


def test_zip_bomb_is_stopped_by_the_member_limit_too() -> None:
    archive = build_zip([("big.png", b"\x00" * (3 * MB)), ("ok.jpg", GOOD_JPEG)])
    limits = ZipLimits(max_member_bytes=2 * MB, max_ratio=10_000)
    found = by_name(list(iter_zip_images(io.BytesIO(archive), limits)))
    assert found["big.png"].error is not None and found["big.png"].error.reason == "too_large"
    assert found["ok.jpg"].data == GOOD_JPEG


def test_small_compressible_members_are_not_called_bombs() -> None:
    archive = build_zip([("flat.png", b"\x00" * 200_000)])  # ratio > 100 but only 200 KB
    [item] = iter_zip_images(io.BytesIO(archive))
    assert item.ok and item.data == b"\x00" * 200_000


def test_total_unpacked_size_is_limited() -> None:
    members = [(f"img{i}.png", GOOD_PNG) for i in range(5)]
    limits = ZipLimits(max_total_bytes=len(GOOD_PNG) * 3)
    taken: list[ZipItem] = []
    with pytest.raises(ZipRejected) as caught:
        for item in iter_zip_images(io.BytesIO(build_zip(members)), limits):
            taken.append(item)
    assert caught.value.reason == "too_large"
    assert [item.data for item in taken] == [GOOD_PNG] * 3


def test_member_count_is_limited() -> None:
    archive = build_zip([(f"img{i}.jpg", b"x") for i in range(11)])
    with pytest.raises(ZipRejected) as caught:
        list(iter_zip_images(io.BytesIO(archive), ZipLimits(max_members=10)))
    assert caught.value.reason == "too_many_members"
    assert "11 entries" in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"this is not a zip", b"PK\x03\x04" + b"\x00" * 40])
def test_broken_zip_is_one_clear_error(data: bytes) -> None:
    with pytest.raises(ZipRejected) as caught:
        list(iter_zip_images(io.BytesIO(data)))
    assert caught.value.reason == "broken_zip"
    assert "not a readable ZIP archive" in str(caught.value)


def test_damaged_member_is_refused_and_the_rest_kept(tmp_path: Path) -> None:
    archive = bytearray(build_zip([("a.jpg", GOOD_JPEG), ("b.png", GOOD_PNG)]))
    offset = archive.index(b"a.jpg") + len("a.jpg") + 200  # inside a.jpg's compressed data
    archive[offset] ^= 0xFF
    path = tmp_path / "upload.zip"
    path.write_bytes(bytes(archive))
    found = by_name(list(iter_zip_images(path)))
    assert found["a.jpg"].error is not None and found["a.jpg"].error.reason == "corrupt"
    assert found["b.png"].data == GOOD_PNG
