"""Fixtures for the accounts services: a real database, a real Redis, accounts to act in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.accounts.actors import SignedInUser
from core.accounts.signin import sign_up
from core.actor import Actor
from core.models import Store

PASSWORD = "correct horse battery"
SECRET = "test-secret-key"


@dataclass
class Tenant:
    """An account with its owner."""

    owner: SignedInUser
    actor: Actor
    account_id: int


async def make_tenant(sessions: async_sessionmaker[AsyncSession], tag: str = "t") -> Tenant:
    owner = await sign_up(
        sessions,
        email=f"{tag}-{uuid.uuid4().hex[:8]}@example.com",
        password=PASSWORD,
        account_name=f"shop {tag}",
    )
    actor = Actor(account_id=owner.account_id, user_id=owner.id)
    return Tenant(owner, actor, owner.account_id)


async def add_store(
    sessions: async_sessionmaker[AsyncSession], account_id: int, name: str = "Store"
) -> int:
    async with sessions() as session, session.begin():
        store = Store(
            account_id=account_id,
            platform="testmarket",
            platform_shop_id=f"shop-{uuid.uuid4().hex[:10]}",
            name=name,
        )
        session.add(store)
        await session.flush()
        assert store.id is not None
        return store.id


@pytest.fixture
async def tenant(sessions: async_sessionmaker[AsyncSession]) -> Tenant:
    return await make_tenant(sessions, "a")


@pytest.fixture
async def other_tenant(sessions: async_sessionmaker[AsyncSession]) -> Tenant:
    return await make_tenant(sessions, "b")


@pytest.fixture
async def redis(redis_server_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server_url)
    yield client
    await client.aclose()
