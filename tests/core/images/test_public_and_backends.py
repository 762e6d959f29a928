"""Public image answers and storage backends other than the local folder."""

from __future__ import annotations

import hashlib

import pytest

from core.config import ConfigError, load_settings
from core.errors import NotFound
from core.images.backends import storage_for
from core.images.public import PublicFile, open_public, split_name
from core.images.service import ImageSpace
from core.images.storage_local import LocalImageStorage
from core.interfaces.storage import StorageBackend
from core.registry import Registry
from tests.core.images.conftest import PHOTO
from tests.core.images.service_helpers import blob_hashes, new_account


class MemoryStorage:
    """A storage backend as a plugin would add one (an S3-compatible store, say)."""

    display_name = "Memory"

    def __init__(self, public_base: str | None = None) -> None:
        self.id = "memory"
        self.files: dict[str, tuple[bytes, str]] = {}
        self.public_base = public_base

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.files[key] = (data, content_type)

    async def get(self, key: str) -> bytes:
        if key not in self.files:
            raise NotFound(key)
        return self.files[key][0]

    async def exists(self, key: str) -> bool:
        return key in self.files

    async def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def url(self, key: str) -> str | None:
        return None if self.public_base is None else f"{self.public_base}/{key}"


def test_both_backends_implement_the_interface(tmp_path) -> None:
    assert isinstance(LocalImageStorage(tmp_path), StorageBackend)
    assert isinstance(MemoryStorage(), StorageBackend)
    assert LocalImageStorage(tmp_path).url("0" * 64) is None


def test_the_configured_backend_must_be_registered(tmp_path) -> None:
    settings = load_settings(env={}, data_dir=tmp_path, image_storage="s3")
    with pytest.raises(ConfigError, match=r"'s3' is registered.*registered: local"):
        storage_for(settings, Registry(storage_backends={"local": LocalImageStorage(tmp_path)}))
    memory = MemoryStorage()
    chosen = load_settings(env={}, data_dir=tmp_path, image_storage="memory")
    assert storage_for(chosen, Registry(storage_backends={"memory": memory})) is memory


@pytest.mark.parametrize("public_base", [None, "https://bucket.example.com/img"])
async def test_the_service_and_public_answers_work_on_another_backend(
    sessions, space_settings, public_base: str | None
) -> None:
    memory = MemoryStorage(public_base)
    space = ImageSpace(sessions, space_settings, memory)
    actor = await new_account(sessions)
    outcome = await space.upload(actor, PHOTO, name="a.jpg")
    assert outcome.image is not None
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert memory.files[sha] == (PHOTO, "image/jpeg")
    assert memory.files[f"{sha}.thumb"][1] == "image/webp"
    token = outcome.image.url.rsplit("/", 1)[1]
    found = await open_public(sessions, memory, token)
    assert (found.etag, found.media_type, found.byte_size) == (sha, "image/jpeg", len(PHOTO))
    if public_base is None:
        assert found.data == PHOTO and found.redirect_url is None
    else:
        assert found.redirect_url == f"{public_base}/{sha}" and found.data is None
    await space.delete(actor, [outcome.image.id])
    assert memory.files == {} and await blob_hashes(sessions) == set()
    with pytest.raises(NotFound):
        await open_public(sessions, memory, token)


def test_if_none_match_uses_weak_comparison() -> None:
    found = PublicFile(etag="abc", media_type="image/png")
    assert found.matches('"abc"') and found.matches('W/"abc"') and found.matches('"x", "abc"')
    assert found.matches("*")
    assert not found.matches('"abcd"') and not found.matches(None) and not found.matches("")


def test_split_name() -> None:
    assert split_name("Tok_en-1.JPG") == ("Tok_en-1", "jpg")
    assert split_name("token") == ("token", None)
