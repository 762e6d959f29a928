"""The embedded redis-server works with a relative data folder (the default is ``data``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from core.embedded_redis import EmbeddedRedis


def test_a_relative_folder_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    server = EmbeddedRedis(Path("data") / "redis")
    url = server.start()
    try:
        client = redis.Redis.from_url(url)
        assert client.ping()
        client.close()
    finally:
        server.stop()
    assert (tmp_path / "data" / "redis" / "redis.log").exists()
