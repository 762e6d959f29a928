from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from core.errors import NotFound
from core.images.storage_local import (
    THUMBNAIL_VARIANT,
    InvalidStorageKey,
    LocalImageStorage,
    content_key,
    validate_key,
    variant_key,
)
from tests.core.images.factories import make_image

DATA = make_image(300, 200, "PNG")
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def storage(tmp_path: Path) -> LocalImageStorage:
    return LocalImageStorage(tmp_path / "data" / "images")


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_original_is_stored_under_its_content_address(storage: LocalImageStorage) -> None:
    key = await storage.put_original(DATA, "image/png")
    assert key == SHA == content_key(DATA)
    expected = storage.root / SHA[:2] / SHA[2:4] / SHA
    assert storage.path_for(key) == expected
    assert expected.read_bytes() == DATA
    assert await storage.get(key) == DATA
    assert await storage.exists(key)
    assert await storage.size(key) == len(DATA)


async def test_same_bytes_are_stored_once(storage: LocalImageStorage) -> None:
    assert await storage.write(SHA, DATA) is True
    first = storage.path_for(SHA).stat()
    assert await storage.write(SHA, DATA) is False
    assert await storage.put_original(DATA) == SHA
    again = storage.path_for(SHA).stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    assert files_under(storage.root) == [storage.path_for(SHA)]


async def test_concurrent_puts_of_the_same_image_leave_one_whole_file(
    storage: LocalImageStorage,
) -> None:
    results = await asyncio.gather(*(storage.put_original(DATA) for _ in range(20)))
    assert set(results) == {SHA}
    assert files_under(storage.root) == [storage.path_for(SHA)]
    assert storage.path_for(SHA).read_bytes() == DATA


async def test_original_key_must_match_its_bytes(storage: LocalImageStorage) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        await storage.put("0" * 64, DATA)
    assert files_under(storage.root) == []


async def test_thumbnail_sits_beside_its_original_and_is_replaced(
    storage: LocalImageStorage,
) -> None:
    await storage.put_original(DATA)
    thumb = variant_key(SHA, THUMBNAIL_VARIANT)
    assert thumb == f"{SHA}.thumb"
    assert await storage.write(thumb, b"first") is True
    assert await storage.write(thumb, b"again") is True
    assert await storage.get(thumb) == b"again"
    assert storage.path_for(thumb).parent == storage.path_for(SHA).parent
    assert not [p for p in files_under(storage.root) if p.name.startswith(".tmp-")]


async def test_stream_yields_the_whole_file_in_chunks(storage: LocalImageStorage) -> None:
    await storage.put_original(DATA)
    chunks = [chunk async for chunk in storage.stream(SHA, chunk_size=1000)]
    assert len(chunks) == -(-len(DATA) // 1000)
    assert b"".join(chunks) == DATA


async def test_missing_keys(storage: LocalImageStorage) -> None:
    with pytest.raises(NotFound):
        await storage.get(SHA)
    with pytest.raises(NotFound):
        await storage.size(SHA)
    with pytest.raises(NotFound):
        [chunk async for chunk in storage.stream(SHA)]
    assert await storage.exists(SHA) is False
    assert await storage.remove(SHA) is False


async def test_delete_removes_the_file_and_empty_folders(storage: LocalImageStorage) -> None:
    await storage.put_original(DATA)
    assert await storage.remove(SHA) is True
    assert await storage.exists(SHA) is False
    assert not (storage.root / SHA[:2]).exists()
    assert storage.root.is_dir()
    await storage.put_original(DATA)  # and the folders come back on the next put
    assert await storage.get(SHA) == DATA


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../../etc/passwd",
        SHA.upper(),
        SHA[:63],
        SHA + "0",
        f"{SHA}/x",
        f"{SHA}.",
        f"{SHA}..",
        f"{SHA}./../x",
        f"{SHA}.thumb/../../x",
        f"/{SHA}",
        f"{SHA}.Thumb",
        f"{SHA}.-x",
        f"{SHA}.thumb\x00",
        f"{SHA}.{'a' * 33}",
    ],
)
async def test_invalid_keys_never_reach_the_file_system(
    storage: LocalImageStorage, key: str
) -> None:
    with pytest.raises(InvalidStorageKey):
        validate_key(key)
    with pytest.raises(InvalidStorageKey):
        storage.path_for(key)
    with pytest.raises(InvalidStorageKey):
        await storage.put(key, DATA)
    with pytest.raises(InvalidStorageKey):
        await storage.get(key)
    with pytest.raises(InvalidStorageKey):
        await storage.delete(key)


@pytest.mark.parametrize("key", [SHA, f"{SHA}.thumb", f"{SHA}.square-800", f"{SHA}.x_1"])
def test_valid_keys(key: str) -> None:
    assert validate_key(key) == key


def test_variant_key_is_built_from_the_original() -> None:
    assert variant_key(f"{SHA}.thumb", "square") == f"{SHA}.square"
    with pytest.raises(InvalidStorageKey):
        variant_key(SHA, "../x")


async def test_a_put_racing_the_delete_of_its_emptied_folder_still_lands(
    storage: LocalImageStorage,
) -> None:
    """A delete removes folders it empties; a put into the same folder must survive that."""
    thumb = variant_key(SHA, "thumb")
    for _round in range(500):
        await storage.put_original(DATA)
        await asyncio.gather(storage.write(thumb, b"thumbnail"), storage.remove(SHA))
        assert await storage.get(thumb) == b"thumbnail"
        assert await storage.remove(thumb) is True
