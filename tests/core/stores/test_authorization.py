import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core.accounts.people import StaffGrant, invite_person
from core.actor import Access, Actor, Area, PermissionDenied
from core.errors import NotFound, RuleViolation
from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials
from core.models import (
    JobRecord,
    JobStatus,
    OAuthState,
    Product,
    ProductState,
    Store,
    StoreStatus,
    utcnow,
)
from core.stores.authorization import (
    AuthorizationStateInvalid,
    StoreTaken,
    complete_authorization,
    deauthorize_store,
    start_authorization,
)
from core.stores.service import get_store, list_stores
from tests.core.stores.conftest import BINDING, PUBLIC_URL, authorize, grant_code


async def store_row(sessions, store_id: int) -> Store:
    async with sessions() as session:
        return await session.get(Store, store_id)


async def test_authorizing_creates_a_store_with_encrypted_credentials(
    sessions, auth_deps, http, seller, oauth_state, test_market, cipher
) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    url = await start_authorization(auth_deps, seller.actor, "testmarket", binding=BINDING)
    assert url.startswith(test_market.base_url + "/oauth/authorize?")
    assert "redirect_uri=https%3A%2F%2Ferp.example.com%2Fstores%2Fcallback%2Ftestmarket" in url

    result = await authorize(auth_deps, seller, http, "shop-1")
    assert result.created and result.store.name == "Sunny Toys" and result.store.shop_id == "shop-1"
    assert result.store.status == "active"

    row = await store_row(sessions, result.store.id)
    secret = cipher.decrypt(row.credentials_encrypted)
    assert secret["access_token"] in oauth_state.access_tokens
    assert secret["access_token"] not in row.credentials_encrypted
    assert row.credentials_expires_at > utcnow() + timedelta(days=29)
    # the stored credentials really work on the platform
    identity = await test_market.test_credentials(
        CallContext(http=http), Credentials(secret, row.credentials_expires_at)
    )
    assert identity.shop_id == "shop-1"


async def test_the_same_shop_in_another_account_is_refused_and_nothing_changes(
    sessions, auth_deps, http, seller, other_seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    first = await authorize(auth_deps, seller, http, "shop-1")
    before = await store_row(sessions, first.store.id)

    with pytest.raises(StoreTaken) as refused:
        await authorize(auth_deps, other_seller, http, "shop-1")
    assert "one Tradewind account only" in str(refused.value)
    assert "shop-1" in str(refused.value)

    after = await store_row(sessions, first.store.id)
    assert after.account_id == seller.account_id
    assert after.credentials_encrypted == before.credentials_encrypted
    assert (after.name, after.status, after.authorized_at) == (
        before.name,
        before.status,
        before.authorized_at,
    )
    assert await list_stores(sessions, other_seller.actor) == []


async def test_two_accounts_racing_for_one_shop_one_wins(
    sessions, auth_deps, http, seller, other_seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-9", "Contested")
    results = await asyncio.gather(
        authorize(auth_deps, seller, http, "shop-9"),
        authorize(auth_deps, other_seller, http, "shop-9"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, StoreTaken) for r in results) == 1
    async with sessions() as session:
        assert len((await session.exec(select(Store))).all()) == 1


async def test_re_authorizing_in_the_same_account_refreshes_the_credentials(
    sessions, auth_deps, http, seller, oauth_state, cipher
) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    first = await authorize(auth_deps, seller, http, "shop-1")
    old = cipher.decrypt((await store_row(sessions, first.store.id)).credentials_encrypted)
    await deauthorize_store(sessions, seller.actor, first.store.id)

    again = await authorize(auth_deps, seller, http, "shop-1", store_id=first.store.id)
    assert not again.created and again.store.id == first.store.id
    assert again.store.status == "active"
    new = cipher.decrypt((await store_row(sessions, first.store.id)).credentials_encrypted)
    assert new["access_token"] != old["access_token"]
    assert len(await list_stores(sessions, seller.actor)) == 1


async def test_re_authorizing_a_store_with_another_shop_is_refused(
    sessions, auth_deps, http, seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "One")
    oauth_state.add_shop("shop-2", "Two")
    first = await authorize(auth_deps, seller, http, "shop-1")
    with pytest.raises(RuleViolation, match="different"):
        await authorize(auth_deps, seller, http, "shop-2", store_id=first.store.id)
    assert len(await list_stores(sessions, seller.actor)) == 1


async def test_states_are_single_use(sessions, auth_deps, http, seller, oauth_state) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    url = await start_authorization(auth_deps, seller.actor, "testmarket", binding=BINDING)
    query = await grant_code(http, url, "shop-1")
    kwargs = {"state": query["state"], "code": query["code"], "params": query}
    await complete_authorization(
        auth_deps, seller.actor, "testmarket", bindings=[BINDING], **kwargs
    )
    with pytest.raises(AuthorizationStateInvalid):
        await complete_authorization(
            auth_deps, seller.actor, "testmarket", bindings=[BINDING], **kwargs
        )


async def test_states_are_bound_to_the_session_the_user_the_platform_and_time(
    sessions, auth_deps, http, seller, other_seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    url = await start_authorization(auth_deps, seller.actor, "testmarket", binding=BINDING)
    query = await grant_code(http, url, "shop-1")
    kwargs = {"state": query["state"], "code": query["code"], "params": query}

    with pytest.raises(AuthorizationStateInvalid):  # another browser
        await complete_authorization(
            auth_deps, seller.actor, "testmarket", bindings=["other session"], **kwargs
        )
    with pytest.raises(AuthorizationStateInvalid):  # another account's user
        await complete_authorization(
            auth_deps, other_seller.actor, "testmarket", bindings=[BINDING], **kwargs
        )
    assert await list_stores(sessions, other_seller.actor) == []

    async with sessions() as session, session.begin():
        await session.exec(
            update(OAuthState)
            .where(col(OAuthState.state) == query["state"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with pytest.raises(AuthorizationStateInvalid):  # expired
        await complete_authorization(
            auth_deps, seller.actor, "testmarket", bindings=[BINDING], **kwargs
        )
    assert oauth_state.exchange_calls["shop-1"] == 0  # no code was spent on refused callbacks


async def test_the_right_session_still_completes_after_a_foreign_attempt(
    sessions, auth_deps, http, seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    url = await start_authorization(auth_deps, seller.actor, "testmarket", binding=BINDING)
    query = await grant_code(http, url, "shop-1")
    kwargs = {"state": query["state"], "code": query["code"], "params": query}
    with pytest.raises(AuthorizationStateInvalid):
        await complete_authorization(
            auth_deps, seller.actor, "testmarket", bindings=["attacker"], **kwargs
        )
    result = await complete_authorization(
        auth_deps, seller.actor, "testmarket", bindings=[BINDING], **kwargs
    )
    assert result.created


async def test_who_may_authorize(sessions, auth_deps, seller, oauth_state) -> None:
    viewer = Actor(
        seller.account_id, seller.actor.user_id, is_owner=False, access={Area.STORES: Access.READ}
    )
    with pytest.raises(PermissionDenied):
        await start_authorization(auth_deps, viewer, "testmarket", binding=BINDING)
    with pytest.raises(NotFound):
        await start_authorization(auth_deps, seller.actor, "nosuchmarket", binding=BINDING)


async def test_staff_who_add_a_store_keep_seeing_it(
    sessions, auth_deps, http, seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "Theirs")
    person, _ = await invite_person(
        sessions,
        seller.actor,
        email="s@example.com",
        display_name="",
        grant=StaffGrant(access={Area.STORES: Access.WRITE}),
        secret="x",
    )
    staff = type(seller)(
        Actor(
            seller.account_id,
            person.id,
            is_owner=False,
            access={Area.STORES: Access.WRITE},
            store_ids=frozenset(),
        ),
        seller.account_id,
    )
    result = await authorize(auth_deps, staff, http, "shop-1")
    refreshed_staff = Actor(
        seller.account_id,
        person.id,
        is_owner=False,
        access={Area.STORES: Access.WRITE},
        store_ids=frozenset({result.store.id}),
    )
    from core.accounts.actors import actor_for_user
    from core.models import User

    async with sessions() as session:
        loaded = await actor_for_user(session, await session.get(User, person.id))
    assert loaded == refreshed_staff


async def test_deauthorizing_keeps_the_data_and_stops_the_jobs(
    sessions, auth_deps, http, seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "Sunny Toys")
    store_id = (await authorize(auth_deps, seller, http, "shop-1")).store.id
    async with sessions() as session, session.begin():
        session.add(
            Product(
                account_id=seller.account_id,
                store_id=store_id,
                parent_sku="P-1",
                state=ProductState.PUBLISHED,
            )
        )
        session.add(
            JobRecord(account_id=seller.account_id, name="sync", payload={"store_id": store_id})
        )
        session.add(JobRecord(account_id=seller.account_id, name="sync", payload={"store_id": 999}))
        session.add(
            JobRecord(
                account_id=seller.account_id,
                name="old",
                payload={"store_id": store_id},
                status=JobStatus.SUCCEEDED,
            )
        )

    view = await deauthorize_store(sessions, seller.actor, store_id)
    assert view.status == "disabled" and view.is_disabled
    row = await store_row(sessions, store_id)
    assert row.credentials_encrypted is None and row.status == StoreStatus.DISABLED
    async with sessions() as session:
        products = (await session.exec(select(Product))).all()
        jobs = {
            (j.payload["store_id"], j.status): j.cancel_requested
            for j in (await session.exec(select(JobRecord))).all()
        }
    assert [p.parent_sku for p in products] == ["P-1"]
    assert jobs == {
        (store_id, JobStatus.QUEUED): True,
        (999, JobStatus.QUEUED): False,
        (store_id, JobStatus.SUCCEEDED): False,
    }


async def test_stores_are_scoped_to_the_account_and_the_staff_members_stores(
    sessions, auth_deps, http, seller, other_seller, oauth_state
) -> None:
    oauth_state.add_shop("shop-1", "One")
    oauth_state.add_shop("shop-2", "Two")
    one = (await authorize(auth_deps, seller, http, "shop-1")).store.id
    await authorize(auth_deps, seller, http, "shop-2")
    staff = Actor(seller.account_id, 999, is_owner=False, store_ids=frozenset({one}))
    assert [s.name for s in await list_stores(sessions, seller.actor)] == ["One", "Two"]
    assert [s.name for s in await list_stores(sessions, staff)] == ["One"]
    no_stores = Actor(
        seller.account_id,
        999,
        is_owner=False,
        store_ids=frozenset(),
        access={Area.STORES: Access.WRITE},
    )
    for outsider in (other_seller.actor, no_stores):
        with pytest.raises(NotFound):
            await get_store(sessions, outsider, one)
        with pytest.raises(NotFound):
            await deauthorize_store(sessions, outsider, one)
    with pytest.raises(NotFound):
        await start_authorization(
            auth_deps, other_seller.actor, "testmarket", binding=BINDING, store_id=one
        )


def test_public_url_is_used_for_callbacks() -> None:
    assert PUBLIC_URL.startswith("https://")
