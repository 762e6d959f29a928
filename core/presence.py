"""Worker presence: every running worker keeps a short-lived key in Redis.

``/healthz`` and the jobs page read these keys to tell whether any worker is alive, how many,
and what each one is doing. A worker that dies simply stops refreshing its key, which expires.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid
from contextlib import suppress
from typing import Any

import redis.asyncio as aioredis

from core.models.base import utcnow

PRESENCE_TTL_S = 30
REFRESH_EVERY_S = 10


def _key(queue_name: str, worker_id: str) -> str:
    return f"{queue_name}:worker:{worker_id}"


def new_worker_id() -> str:
    """An id naming the host and process, unique across restarts."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


async def announce(
    client: aioredis.Redis, queue_name: str, worker_id: str, info: dict[str, Any]
) -> None:
    """Write (or refresh) this worker's presence key."""
    body = json.dumps({**info, "worker_id": worker_id, "seen_at": utcnow().isoformat()})
    await client.set(_key(queue_name, worker_id), body, ex=PRESENCE_TTL_S)


async def withdraw(client: aioredis.Redis, queue_name: str, worker_id: str) -> None:
    """Remove this worker's presence key (on clean shutdown)."""
    await client.delete(_key(queue_name, worker_id))


async def live_workers(client: aioredis.Redis, queue_name: str) -> list[dict[str, Any]]:
    """The presence records of every worker seen within the last :data:`PRESENCE_TTL_S`."""
    workers: list[dict[str, Any]] = []
    async for key in client.scan_iter(match=f"{queue_name}:worker:*", count=100):
        raw = await client.get(key)
        if raw is not None:
            with suppress(ValueError):
                workers.append(json.loads(raw))
    return workers


async def keep_announcing(
    client: aioredis.Redis, queue_name: str, worker_id: str, info: dict[str, Any]
) -> None:
    """Refresh the presence key until cancelled, then withdraw it."""
    try:
        while True:
            with suppress(aioredis.RedisError, OSError):
                await announce(client, queue_name, worker_id, info)
            await asyncio.sleep(REFRESH_EVERY_S)
    finally:
        with suppress(aioredis.RedisError, OSError):
            await asyncio.shield(withdraw(client, queue_name, worker_id))
