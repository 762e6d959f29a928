"""The image-space service: uploads, dedup, bad input, ZIP imports, folders, pad to square."""

from __future__ import annotations

import io

import pytest

from core.actor import Access, Actor, Area, PermissionDenied
from core.errors import NotFound, RuleViolation
from core.images.errors import ImageRejected
from core.images.quota import QuotaExceeded
from core.images.service import ImageSpace
from core.images.storage_local import LocalImageStorage
from core.images.store import original_key, thumbnail_key
from core.images.views import SMALL_IMAGE_WARNING
from tests.core.images.conftest import PHOTO, SMALL
from tests.core.images.factories import make_image, png_claiming
from tests.core.images.service_helpers import (
    MB,
    blob_hashes,
    build_zip,
    counter,
    flat_png,
    image_count,
    new_account,
    stored_sum,
)

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
NOT_AN_IMAGE = b"name,price\nmug,3.50\n"
TRUNCATED = PHOTO[: len(PHOTO) // 2]
BOMB = png_claiming(60_000, 60_000)


class EndlessUpload:
    """An upload stream of ``total`` bytes that counts what was read from it."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.served = 0

    async def read(self, size: int = -1, /) -> bytes:
        count = min(size if size > 0 else MB, self.total - self.served)
        self.served += count
        return b"\0" * count


async def test_upload_stores_the_file_thumbnail_and_row(
    space: ImageSpace, storage: LocalImageStorage, sessions
) -> None:
    actor = await new_account(sessions)
    outcome = await space.upload(actor, PHOTO, name="C:\\photos\\front.jpg")
    assert outcome.status == "stored" and outcome.image is not None
    image = outcome.image
    assert (image.name, image.width, image.height, image.format, image.mime) == (
        "front.jpg",
        1000,
        1000,
        "JPEG",
        "image/jpeg",
    )
    assert image.byte_size == len(PHOTO) and not image.is_small and image.warning is None
    assert image.url.startswith("https://img.example.com/i/") and image.url.endswith(".jpg")
    assert image.thumb_url.endswith("/thumb")
    [content_hash] = await blob_hashes(sessions)
    assert await storage.get(original_key(content_hash)) == PHOTO
    assert await storage.exists(thumbnail_key(content_hash))
    assert await counter(sessions, actor.account_id) == len(PHOTO)
    assert (await space.get(actor, image.id)).url == image.url


async def test_a_small_image_is_kept_with_a_warning(space: ImageSpace, sessions) -> None:
    actor = await new_account(sessions)
    outcome = await space.upload(actor, SMALL, name="tiny.png")
    assert outcome.status == "stored" and outcome.image is not None
    assert outcome.image.is_small and outcome.image.warning == SMALL_IMAGE_WARNING


async def test_the_same_picture_is_stored_and_counted_once(space: ImageSpace, sessions) -> None:
    actor = await new_account(sessions)
    first = await space.upload(actor, PHOTO, name="a.jpg")
    again = await space.upload(actor, io.BytesIO(PHOTO), name="b.jpg")
    assert (first.status, again.status) == ("stored", "duplicate")
    assert first.image is not None and again.image is not None
    assert again.image.id == first.image.id and again.image.name == "a.jpg"
    assert await image_count(sessions, actor.account_id) == 1
    assert await counter(sessions, actor.account_id) == len(PHOTO)


async def test_two_accounts_share_one_file_and_each_pays_for_it(
    space: ImageSpace, sessions
) -> None:
    first, second = await new_account(sessions), await new_account(sessions)
    one = await space.upload(first, PHOTO, name="a.jpg")
    two = await space.upload(second, PHOTO, name="a.jpg")
    assert one.status == two.status == "stored"
    assert one.image and two.image and one.image.url != two.image.url
    assert len(await blob_hashes(sessions)) == 1
    assert await counter(sessions, first.account_id) == len(PHOTO)
    assert await counter(sessions, second.account_id) == len(PHOTO)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (NOT_AN_IMAGE, "not_image"),
        (b"", "not_image"),
        (TRUNCATED, "truncated"),
        (BOMB, "bomb"),
        (SVG, "svg"),
        (b"\0" * (5 * MB + 1), "too_large"),
    ],
    ids=["text", "empty", "truncated", "bomb", "svg-with-script", "over-the-limit"],
)
async def test_bad_input_is_refused_with_its_reason(
    space: ImageSpace, storage: LocalImageStorage, sessions, data: bytes, reason: str
) -> None:
    actor = await new_account(sessions)
    with pytest.raises(ImageRejected) as caught:
        await space.upload(actor, data, name="x")
    assert caught.value.reason == reason and str(caught.value)
    assert await image_count(sessions, actor.account_id) == 0
    assert await counter(sessions, actor.account_id) == 0
    assert not any(path.is_file() for path in storage.root.rglob("*"))


async def test_a_200_mb_upload_is_refused_without_reading_it_whole(
    space: ImageSpace, sessions
) -> None:
    actor = await new_account(sessions)
    upload = EndlessUpload(200 * MB)
    with pytest.raises(ImageRejected) as caught:
        await space.upload(actor, upload, name="huge.jpg")
    assert caught.value.reason == "too_large"
    assert upload.served <= 5 * MB + MB


async def test_a_batch_keeps_the_good_files_and_refuses_each_bad_one(
    space: ImageSpace, sessions
) -> None:
    actor = await new_account(sessions)
    other = make_image(900, 900, "WEBP")
    result = await space.upload_many(
        actor,
        [
            ("front.jpg", PHOTO),
            ("notes.txt", NOT_AN_IMAGE),
            ("cut.jpg", TRUNCATED),
            ("bomb.png", BOMB),
            ("logo.svg", SVG),
            ("huge.jpg", EndlessUpload(200 * MB)),
            ("side.webp", other),
            ("front-again.jpg", PHOTO),
        ],
    )
    summary = [(item.name, item.status, item.reason) for item in result.items]
    assert summary == [
        ("front.jpg", "stored", None),
        ("notes.txt", "refused", "not_image"),
        ("cut.jpg", "refused", "truncated"),
        ("bomb.png", "refused", "bomb"),
        ("logo.svg", "refused", "svg"),
        ("huge.jpg", "refused", "too_large"),
        ("side.webp", "stored", None),
        ("front-again.jpg", "duplicate", None),
    ]
    assert all(item.message for item in result.items if item.status == "refused")
    assert (result.stored, result.duplicates, result.refused) == (2, 1, 5)
    assert result.usage.used_bytes == len(PHOTO) + len(other) == result.usage.used_bytes
    assert await stored_sum(sessions, actor.account_id) == await counter(sessions, actor.account_id)


async def test_a_zip_keeps_the_good_members_and_refuses_each_bad_one(
    space: ImageSpace, sessions
) -> None:
    actor = await new_account(sessions)
    archive = build_zip(
        [
            ("photos/front.jpg", PHOTO),
            ("../../x.jpg", PHOTO),
            ("photos/bomb.png", b"\0" * (4 * MB)),  # 4 MB of zeros in a few KB
            ("photos/notes.txt", NOT_AN_IMAGE),
            ("photos/fake.jpg", NOT_AN_IMAGE),
            ("photos/logo.svg", SVG),
            ("photos/inner.zip", build_zip([("a.jpg", PHOTO)])),
            ("__MACOSX/photos/._front.jpg", b"junk"),
            ("photos/small.png", SMALL),
        ]
    )
    result = await space.import_zip(actor, archive, archive_name="photos.zip")
    summary = [(item.name, item.status, item.reason) for item in result.items]
    assert summary == [
        ("photos/front.jpg", "stored", None),
        ("../../x.jpg", "refused", "unsafe_path"),
        ("photos/bomb.png", "refused", "bomb"),
        ("photos/notes.txt", "refused", "not_image"),
        ("photos/fake.jpg", "refused", "not_image"),
        ("photos/logo.svg", "refused", "svg"),
        ("photos/inner.zip", "refused", "nested_archive"),
        ("photos/small.png", "stored", None),
    ]
    assert result.error is None
    names = sorted(item.image.name for item in result.items if item.image is not None)
    assert names == ["front.jpg", "small.png"]


async def test_a_broken_zip_is_one_error(space: ImageSpace, sessions) -> None:
    actor = await new_account(sessions)
    result = await space.import_zip(actor, b"PK\x03\x04 not really", archive_name="a.zip")
    assert result.items == []
    assert result.error is not None and result.error.reason == "broken_zip"


async def test_quota_refusal_names_the_numbers_and_keeps_what_fits(
    space: ImageSpace, sessions
) -> None:
    actor = await new_account(sessions, quota=len(PHOTO) + len(SMALL) // 2)
    with pytest.raises(QuotaExceeded) as caught:
        await space.upload(actor, flat_png(900, 900, (1, 2, 3)), name="big.png")
    assert "of" in str(caught.value) and "more" in str(caught.value)
    result = await space.upload_many(actor, [("a.jpg", PHOTO), ("b.png", SMALL)])
    assert [(i.status, i.reason) for i in result.items] == [
        ("stored", None),
        ("refused", "quota_exceeded"),
    ]
    assert "KB" in (result.items[1].message or "")
    assert result.usage.used_bytes == len(PHOTO)
    # The same picture again costs nothing, even in a full space.
    assert (await space.upload(actor, PHOTO, name="again.jpg")).status == "duplicate"


async def test_another_accounts_images_and_folders_are_not_found(
    space: ImageSpace, sessions
) -> None:
    owner, stranger = await new_account(sessions), await new_account(sessions)
    image = (await space.upload(owner, PHOTO, name="a.jpg")).image
    folder = await space.create_folder(owner, "Shoes")
    assert image is not None
    for call in (
        space.get(stranger, image.id),
        space.rename(stranger, image.id, "mine"),
        space.pad_to_square(stranger, image.id),
        space.delete_preview(stranger, [image.id]),
        space.delete(stranger, [image.id]),
        space.move(stranger, [image.id], None),
        space.upload(stranger, SMALL, name="x.png", folder_id=folder.id),
        space.rename_folder(stranger, folder.id, "x"),
        space.delete_folder(stranger, folder.id),
        space.search(stranger, folder_id=folder.id),
    ):
        with pytest.raises(NotFound):
            await call
    assert (await space.get(owner, image.id)).name == "a.jpg"


async def test_staff_need_the_images_permission(space: ImageSpace, sessions) -> None:
    owner = await new_account(sessions)
    reader = Actor(owner.account_id, is_owner=False, access={Area.IMAGES: Access.READ})
    nobody = Actor(owner.account_id, user_id=None, is_owner=False)
    with pytest.raises(PermissionDenied):
        await space.upload(reader, PHOTO, name="a.jpg")
    with pytest.raises(PermissionDenied):
        await space.usage(nobody)
    assert (await space.usage(reader)).image_count == 0


async def test_folders_search_and_pagination(space: ImageSpace, sessions) -> None:
    actor = await new_account(sessions)
    shoes = await space.create_folder(actor, "Shoes")
    boots = await space.create_folder(actor, "Boots", parent_id=shoes.id)
    with pytest.raises(RuleViolation):
        await space.create_folder(actor, "Boots", parent_id=shoes.id)
    images = []
    for index in range(7):
        data = make_image(100 + index, 100, "PNG")
        folder = boots.id if index % 2 else shoes.id
        outcome = await space.upload(actor, data, name=f"Red_{index}%.png", folder_id=folder)
        assert outcome.image is not None
        images.append(outcome.image)
    await space.upload(actor, PHOTO, name="blue.jpg")
    page = await space.search(actor, query="red_", per_page=3, page=2)
    assert (page.total, page.pages, len(page.items)) == (7, 3, 3)
    assert [i.name for i in page.items] == ["Red_3%.png", "Red_2%.png", "Red_1%.png"]
    assert (await space.search(actor, query="1%")).total == 1
    assert (await space.search(actor, query="x_")).total == 0  # "_" is no wildcard
    assert (await space.search(actor, folder_id=shoes.id)).total == 4
    assert (await space.search(actor, folder_id=shoes.id, include_subfolders=True)).total == 7
    assert (await space.search(actor, unfiled=True)).total == 1
    assert (await space.search(actor, small_only=True)).total == 7
    largest = await space.search(actor, sort="largest", per_page=1)
    assert largest.items[0].name == "blue.jpg"
    folders = await space.list_folders(actor)
    assert [(f.name, f.image_count) for f in folders] == [("Shoes", 4), ("Boots", 3)]
    assert await space.move(actor, [images[0].id], None) == 1
    await space.delete_folder(actor, shoes.id)  # Boots goes with it; the images stay
    assert await space.list_folders(actor) == []
    assert (await space.search(actor, unfiled=True)).total == 8


async def test_pad_to_square_makes_a_new_image(space: ImageSpace, sessions) -> None:
    actor = await new_account(sessions)
    folder = await space.create_folder(actor, "Mugs")
    small = await space.upload(actor, SMALL, name="mug.png", folder_id=folder.id)
    assert small.image is not None
    square = await space.pad_to_square(actor, small.image.id)
    assert square.status == "stored" and square.image is not None
    assert (square.image.width, square.image.height, square.image.format) == (800, 800, "JPEG")
    assert not square.image.is_small and square.image.folder_id == folder.id
    assert square.image.name == "mug-square.jpg" and square.image.id != small.image.id
    assert (await space.get(actor, small.image.id)).width == 300
    usage = await space.usage(actor)
    assert usage.used_bytes == len(SMALL) + square.image.byte_size and usage.image_count == 2
