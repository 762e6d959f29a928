"""Revision 0004_image_space fills the quota counter and the shared-file rows from old data."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core import migrate
from core.db import create_engine
from tests.core.databases import BACKENDS, fresh_database

IMAGE = (
    "INSERT INTO image (account_id, content_hash, storage_key, public_token, name, width, "
    "height, format, byte_size, is_small, created_at) VALUES "
    "(:account, :hash, :hash, :token, 'x', 900, 900, 'JPEG', :size, false, CURRENT_TIMESTAMP)"
)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_upgrade_backfills_usage_and_blobs(backend: str, tmp_path) -> None:
    async with fresh_database(backend, tmp_path) as url:
        await migrate.upgrade(url, "0003_store_refresh_claim")
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                for name in ("a", "b", "empty"):
                    await conn.execute(
                        text(
                            "INSERT INTO account (name, default_currency, image_quota_bytes, "
                            "created_at) VALUES (:name, 'USD', 1000000, CURRENT_TIMESTAMP)"
                        ),
                        {"name": name},
                    )
                rows = [
                    (1, "1" * 64, "t1", 100),
                    (1, "2" * 64, "t2", 250),
                    (2, "1" * 64, "t3", 100),
                ]
                for account, content_hash, token, size in rows:
                    await conn.execute(
                        text(IMAGE),
                        {"account": account, "hash": content_hash, "token": token, "size": size},
                    )
            await migrate.upgrade(url)
            async with engine.connect() as conn:
                used = (
                    await conn.execute(text("SELECT id, image_bytes_used FROM account ORDER BY id"))
                ).all()
                blobs = (
                    await conn.execute(
                        text("SELECT content_hash, byte_size FROM image_blob ORDER BY content_hash")
                    )
                ).all()
        finally:
            await engine.dispose()
        assert [tuple(row) for row in used] == [(1, 350), (2, 100), (3, 0)]
        assert [tuple(row) for row in blobs] == [("1" * 64, 100), ("2" * 64, 250)]
        await migrate.downgrade(url, "0003_store_refresh_claim")
        assert await migrate.current(url) == "0003_store_refresh_claim"
