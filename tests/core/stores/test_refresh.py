"""Credential refresh: one refresh per store even with concurrent workers, saved at once."""

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from core.db import create_engine, session_factory
from core.errors import AuthorizationExpired, TransientError
from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials
from core.models import Store, StoreStatus, utcnow
from core.stores.authorization import deauthorize_store
from core.stores.refresh import (
    RefreshDeps,
    RefreshOutcome,
    refresh_store_credentials,
    stores_due_for_refresh,
)
from tests.core.stores.conftest import authorize
from tests.support.oauth_marketplace import OAuthMarketplace


@pytest.fixture
async def due_store(sessions, auth_deps, http, seller, oauth_state) -> int:
    """A store whose access token expires in a day (inside the 3-day refresh margin)."""
    oauth_state.access_lifetime = timedelta(days=1)
    oauth_state.add_shop("shop-1", "Sunny Toys")
    store_id = (await authorize(auth_deps, seller, http, "shop-1")).store.id
    oauth_state.access_lifetime = timedelta(days=30)  # refreshed tokens last 30 days, like Wish
    return store_id


async def stored(sessions, store_id: int) -> Store:
    async with sessions() as session:
        return await session.get(Store, store_id)


async def works(market: OAuthMarketplace, http, secret: dict) -> bool:
    try:
        await market.test_credentials(CallContext(http=http), Credentials(secret))
    except AuthorizationExpired:
        return False
    return True


async def test_a_due_store_is_refreshed_and_saved_before_anything_else(
    sessions, refresh_deps, due_store, oauth_state, test_market, http, cipher
) -> None:
    old = cipher.decrypt((await stored(sessions, due_store)).credentials_encrypted)
    outcome = await refresh_store_credentials(refresh_deps, due_store)
    assert outcome is RefreshOutcome.REFRESHED
    assert oauth_state.refresh_calls["shop-1"] == 1

    row = await stored(sessions, due_store)
    new = cipher.decrypt(row.credentials_encrypted)
    assert new["access_token"] != old["access_token"]
    assert row.refreshing_until is None and row.status == StoreStatus.ACTIVE
    assert row.credentials_expires_at > utcnow() + timedelta(days=29)
    assert await works(test_market, http, new)
    assert not await works(test_market, http, old)  # the platform revoked the old token


async def test_two_concurrent_workers_exactly_one_reaches_the_platform(
    sessions, refresh_deps, due_store, oauth_state
) -> None:
    oauth_state.hold_refreshes = threading.Event()  # the platform answers only when we say so
    first = asyncio.create_task(refresh_store_credentials(refresh_deps, due_store))
    second = asyncio.create_task(refresh_store_credentials(refresh_deps, due_store))
    arrived = await asyncio.to_thread(oauth_state.refresh_arrived.wait, 30)
    assert arrived, "no refresh reached the platform"

    # One worker is held inside the platform call; the other must finish on its own, having
    # found the claim taken, while the platform has seen exactly one refresh.
    done, pending = await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1 and len(pending) == 1
    assert done.pop().result() is RefreshOutcome.BUSY
    assert oauth_state.refresh_calls["shop-1"] == 1

    oauth_state.hold_refreshes.set()
    assert await pending.pop() is RefreshOutcome.REFRESHED
    assert oauth_state.refresh_calls["shop-1"] == 1


async def test_workers_with_their_own_connections_still_refresh_once(
    database_url, sessions, refresh_deps, due_store, oauth_state
) -> None:
    engines = [create_engine(database_url) for _ in range(4)]
    try:
        workers = [
            RefreshDeps(
                sessions=session_factory(engine),
                marketplaces=refresh_deps.marketplaces,
                http=refresh_deps.http,
                cipher=refresh_deps.cipher,
            )
            for engine in engines
        ]
        outcomes = await asyncio.gather(
            *(refresh_store_credentials(worker, due_store) for worker in workers)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert outcomes.count(RefreshOutcome.REFRESHED) == 1
    assert set(outcomes) <= {RefreshOutcome.REFRESHED, RefreshOutcome.BUSY, RefreshOutcome.NOT_DUE}
    assert oauth_state.refresh_calls["shop-1"] == 1
    # and right after, a late worker finds nothing due
    assert await refresh_store_credentials(refresh_deps, due_store) is RefreshOutcome.NOT_DUE
    assert oauth_state.refresh_calls["shop-1"] == 1


async def test_credentials_far_from_expiry_are_left_alone_unless_forced(
    sessions, auth_deps, refresh_deps, http, seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-2", "Fresh")
    store_id = (await authorize(auth_deps, seller, http, "shop-2")).store.id
    assert await refresh_store_credentials(refresh_deps, store_id) is RefreshOutcome.NOT_DUE
    assert oauth_state.refresh_calls["shop-2"] == 0
    assert (await stored(sessions, store_id)).refreshing_until is None
    forced = await refresh_store_credentials(refresh_deps, store_id, force=True)
    assert forced is RefreshOutcome.REFRESHED
    assert oauth_state.refresh_calls["shop-2"] == 1


async def test_a_refused_refresh_marks_the_store_for_re_authorization(
    sessions, refresh_deps, due_store, oauth_state
) -> None:
    oauth_state.refresh_tokens.clear()  # the seller revoked the app on the platform
    outcome = await refresh_store_credentials(refresh_deps, due_store)
    assert outcome is RefreshOutcome.NEEDS_REAUTH
    row = await stored(sessions, due_store)
    assert row.status == StoreStatus.NEEDS_REAUTH and "refused" in row.status_reason
    assert row.refreshing_until is None
    assert [s for s, _ in await stores_due_for_refresh(sessions)] == []


async def test_an_unreachable_platform_releases_the_claim_for_a_retry(
    sessions, refresh_deps, due_store, http
) -> None:
    unreachable = OAuthMarketplace("http://127.0.0.1:9")  # discard port: connection refused
    down = RefreshDeps(
        sessions=sessions,
        marketplaces={"testmarket": unreachable},
        http=http,
        cipher=refresh_deps.cipher,
    )
    with pytest.raises(TransientError):
        await refresh_store_credentials(down, due_store)
    assert (await stored(sessions, due_store)).refreshing_until is None
    assert await refresh_store_credentials(refresh_deps, due_store) is RefreshOutcome.REFRESHED


async def test_a_crashed_workers_claim_lapses(sessions, refresh_deps, due_store) -> None:
    async def claim_until(moment) -> None:
        async with sessions() as session, session.begin():
            await session.exec(
                update(Store).where(col(Store.id) == due_store).values(refreshing_until=moment)
            )

    await claim_until(utcnow() + timedelta(minutes=3))  # a live worker holds it
    assert await refresh_store_credentials(refresh_deps, due_store) is RefreshOutcome.BUSY
    await claim_until(utcnow() - timedelta(seconds=1))  # that worker died long ago
    assert await refresh_store_credentials(refresh_deps, due_store) is RefreshOutcome.REFRESHED


async def test_disabled_and_unknown_stores_are_skipped(
    sessions, refresh_deps, due_store, seller, oauth_state
) -> None:
    assert [s for s, _ in await stores_due_for_refresh(sessions)] == [due_store]
    await deauthorize_store(sessions, seller.actor, due_store)
    assert await refresh_store_credentials(refresh_deps, due_store) is RefreshOutcome.SKIPPED
    assert await refresh_store_credentials(refresh_deps, 424242) is RefreshOutcome.SKIPPED
    assert await stores_due_for_refresh(sessions) == []
    assert oauth_state.refresh_calls["shop-1"] == 0
