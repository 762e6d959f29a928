"""The process-wide services one Tradewind process owns, opened and closed in one place.

``tradewind serve`` (through the web app's lifespan), ``tradewind worker`` and the tests all
open a :class:`Runtime`: the database engine, the plugin registry, the shared HTTP client, and
Redis (embedded when no ``redis_url`` is configured).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from core.db import create_engine, session_factory
from core.embedded_redis import EmbeddedRedis
from core.jobs import JobQueue
from core.registry import Registry

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
"""Explicit timeouts of the shared outbound client; adapters may pass tighter ones per call."""


@dataclass
class Runtime:
    """Open services of one process. Create with :func:`open_runtime`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    registry: Registry
    http: httpx.AsyncClient
    redis_url: str
    redis: aioredis.Redis
    queue: JobQueue
    embedded_redis: EmbeddedRedis | None = None


def make_http_client() -> httpx.AsyncClient:
    """The shared outbound HTTP client (explicit timeouts, connection limits)."""
    return httpx.AsyncClient(
        timeout=HTTP_TIMEOUT,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        headers={"User-Agent": "Tradewind"},
    )


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    registry: Registry,
    *,
    allow_embedded_redis: bool = True,
) -> AsyncIterator[Runtime]:
    """Open the engine, Redis (embedded if unconfigured) and the HTTP client; close on exit.

    Raises:
        core.embedded_redis.EmbeddedRedisError: no Redis configured and none can be started.
        ValueError: no Redis configured and ``allow_embedded_redis`` is false.
    """
    embedded: EmbeddedRedis | None = None
    redis_url = settings.redis_url
    if redis_url is None:
        if not allow_embedded_redis:
            raise ValueError("redis_url is not set")
        embedded = EmbeddedRedis(settings.data_dir / "redis")
        redis_url = await asyncio.to_thread(embedded.start)
        log.info("embedded redis-server started at %s", redis_url)
    engine = create_engine(settings.effective_database_url)
    sessions = session_factory(engine)
    client = aioredis.Redis.from_url(redis_url)
    http = make_http_client()
    queue = await JobQueue.connect(settings, registry, sessions, redis_url=redis_url)
    try:
        yield Runtime(
            settings=settings,
            engine=engine,
            sessions=sessions,
            registry=registry,
            http=http,
            redis_url=redis_url,
            redis=client,
            queue=queue,
            embedded_redis=embedded,
        )
    finally:
        await queue.close()
        await http.aclose()
        await client.aclose()
        await engine.dispose()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
