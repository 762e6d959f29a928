from datetime import timedelta

import pytest
from sqlmodel import select

from core.accounts.links import set_password_with_token
from core.accounts.people import StaffGrant, invite_person
from core.accounts.tokens import (
    actor_for_token,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
    token_hash,
)
from core.actor import Access, Actor, Area
from core.errors import NotFound, PermanentError
from core.models import ApiToken, utcnow
from tests.core.accounts.conftest import SECRET, add_store


async def staff_of(sessions, tenant, store_id: int) -> Actor:
    person, token = await invite_person(
        sessions,
        tenant.actor,
        email="staff@example.com",
        display_name="",
        grant=StaffGrant(access={Area.ORDERS: Access.READ}, store_ids=frozenset({store_id})),
        secret=SECRET,
    )
    await set_password_with_token(sessions, SECRET, token, "staff password")
    return Actor(
        tenant.account_id,
        person.id,
        is_owner=False,
        access={Area.ORDERS: Access.READ},
        store_ids=frozenset({store_id}),
    )


async def test_tokens_are_stored_hashed_and_shown_once(sessions, tenant) -> None:
    view, secret = await create_api_token(sessions, tenant.actor, name="collector")
    async with sessions() as session:
        row = (await session.exec(select(ApiToken))).one()
    assert row.token_hash == token_hash(secret) and secret not in (row.token_hash, row.prefix)
    assert row.prefix == secret[:10] == view.prefix
    assert len(secret) > 40
    listed = await list_api_tokens(sessions, tenant.actor)
    assert [t.id for t in listed] == [view.id]
    assert not hasattr(listed[0], "secret")


async def test_a_token_acts_exactly_like_its_user(sessions, tenant) -> None:
    store = await add_store(sessions, tenant.account_id)
    staff = await staff_of(sessions, tenant, store)
    _, secret = await create_api_token(sessions, staff, name="script")
    user, actor = await actor_for_token(sessions, secret)
    assert actor == staff
    assert user.email == "staff@example.com"


async def test_revoked_expired_and_unknown_tokens_do_not_work(sessions, tenant) -> None:
    view, secret = await create_api_token(sessions, tenant.actor, name="a")
    assert await actor_for_token(sessions, "tw_unknown") is None
    assert await actor_for_token(sessions, "not even ours") is None
    await revoke_api_token(sessions, tenant.actor, view.id)
    await revoke_api_token(sessions, tenant.actor, view.id)  # idempotent
    assert await actor_for_token(sessions, secret) is None

    soon = utcnow() + timedelta(days=1)
    expiring, expiring_secret = await create_api_token(
        sessions, tenant.actor, name="b", expires_at=soon
    )
    assert await actor_for_token(sessions, expiring_secret) is not None
    async with sessions() as session, session.begin():
        row = await session.get(ApiToken, expiring.id)
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    assert await actor_for_token(sessions, expiring_secret) is None


async def test_staff_see_and_revoke_only_their_own_tokens(sessions, tenant, other_tenant) -> None:
    store = await add_store(sessions, tenant.account_id)
    staff = await staff_of(sessions, tenant, store)
    owner_token, _ = await create_api_token(sessions, tenant.actor, name="owner's")
    staff_token, _ = await create_api_token(sessions, staff, name="staff's")

    assert [t.name for t in await list_api_tokens(sessions, staff)] == ["staff's"]
    assert {t.name for t in await list_api_tokens(sessions, tenant.actor)} == {"owner's", "staff's"}
    with pytest.raises(NotFound):
        await revoke_api_token(sessions, staff, owner_token.id)
    with pytest.raises(NotFound):
        await revoke_api_token(sessions, other_tenant.actor, staff_token.id)
    assert await list_api_tokens(sessions, other_tenant.actor) == []
    revoked = await revoke_api_token(sessions, tenant.actor, staff_token.id)  # owners may
    assert revoked.revoked_at is not None


@pytest.mark.parametrize(
    ("name", "expires", "field"), [("", None, "name"), ("x", -1, "expires_at")]
)
async def test_token_input_is_checked(sessions, tenant, name, expires, field) -> None:
    expires_at = utcnow() + timedelta(days=expires) if expires else None
    with pytest.raises(PermanentError) as caught:
        await create_api_token(sessions, tenant.actor, name=name, expires_at=expires_at)
    assert caught.value.field == field


async def test_last_use_is_recorded_at_minute_precision(sessions, tenant) -> None:
    _view, secret = await create_api_token(sessions, tenant.actor, name="a")
    await actor_for_token(sessions, secret)
    first = (await list_api_tokens(sessions, tenant.actor))[0].last_used_at
    assert first is not None
    await actor_for_token(sessions, secret)
    assert (await list_api_tokens(sessions, tenant.actor))[0].last_used_at == first
