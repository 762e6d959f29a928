"""The same queue on both kinds of Redis, whatever this run is configured for."""

from __future__ import annotations

import os

import pytest

from core.embedded_redis import EmbeddedRedis
from core.interfaces.jobs import JobDefinition
from core.models import JobStatus
from tests.core.jobs_helpers import items_job, load, open_queue, registry_of, run_until_idle

EXTERNAL_REDIS = os.environ.get("TRADEWIND_TEST_REDIS_URL")
REGISTRY = registry_of(JobDefinition(name="test.items", func=items_job))


async def _round_trip(settings, sessions, redis_url: str) -> None:
    async with open_queue(settings, REGISTRY, sessions, redis_url=redis_url) as queue:
        job_id = await queue.enqueue("test.items", {"items": ["a", "b"], "bad": ["b"]})
        again = await queue.enqueue("test.items", {"items": ["a"]}, dedup_key="same")
        assert await queue.enqueue("test.items", {"items": ["a"]}, dedup_key="same") == again
        await run_until_idle(settings, REGISTRY, sessions, redis_url=redis_url)
        assert await queue.redis.zcard(settings.queue_name) == 0
    record = await load(sessions, job_id)
    assert record.status == JobStatus.PARTIAL
    assert (record.done, record.failed) == (1, 1)
    assert (await load(sessions, again)).status == JobStatus.SUCCEEDED


async def test_embedded_redis_started_here(settings, sessions, tmp_path) -> None:
    with EmbeddedRedis(tmp_path / "redis") as server:
        await _round_trip(settings, sessions, server.url)


@pytest.mark.skipif(not EXTERNAL_REDIS, reason="TRADEWIND_TEST_REDIS_URL is not set")
async def test_external_redis(settings, sessions) -> None:
    assert EXTERNAL_REDIS is not None
    await _round_trip(settings, sessions, EXTERNAL_REDIS)
