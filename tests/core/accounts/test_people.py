import asyncio
from datetime import timedelta

import pytest

from core.accounts.actors import load_signed_in
from core.accounts.errors import EmailTaken, InvalidCredentials, InvalidLink
from core.accounts.links import make_link_token, set_password_with_token, user_for_token
from core.accounts.people import (
    StaffGrant,
    get_person,
    invite_person,
    list_people,
    new_set_password_link,
    set_person_active,
    update_person,
)
from core.accounts.signin import authenticate
from core.accounts.tokens import actor_for_token, create_api_token
from core.actor import Access, Actor, Area, PermissionDenied
from core.errors import NotFound, PermanentError, RuleViolation
from core.models import User, utcnow
from tests.core.accounts.conftest import SECRET, add_store

ORDERS_ONLY = {Area.ORDERS: Access.WRITE, Area.PRODUCTS: Access.READ}


async def invite(sessions, tenant, email="staff@example.com", grant=None):
    return await invite_person(
        sessions,
        tenant.actor,
        email=email,
        display_name="Wang",
        grant=grant or StaffGrant(access=ORDERS_ONLY),
        secret=SECRET,
    )


async def test_an_invited_person_sets_a_password_and_acts_within_the_grant(
    sessions, tenant
) -> None:
    store_a = await add_store(sessions, tenant.account_id, "A")
    await add_store(sessions, tenant.account_id, "B")
    person, token = await invite(
        sessions, tenant, grant=StaffGrant(access=ORDERS_ONLY, store_ids=frozenset({store_a}))
    )
    assert person.invitation_pending and person.role == "staff"

    with pytest.raises(InvalidCredentials):  # no password yet: cannot sign in
        await authenticate(sessions, email="staff@example.com", password="")
    user = await set_password_with_token(sessions, SECRET, token, "staff password 1")
    signed = await authenticate(sessions, email="staff@example.com", password="staff password 1")
    assert signed.id == user.id == person.id

    async with sessions() as session:
        _, actor = await load_signed_in(session, user.id, user.session_stamp)
    assert not actor.is_owner
    assert actor.level(Area.ORDERS) == Access.WRITE
    assert actor.level(Area.PRODUCTS) == Access.READ
    assert actor.level(Area.PURCHASING) == Access.NONE
    assert actor.store_ids == frozenset({store_a})
    with pytest.raises(PermissionDenied):
        actor.require(Area.PURCHASING)


async def test_links_work_once(sessions, tenant) -> None:
    person, token = await invite(sessions, tenant)
    await set_password_with_token(sessions, SECRET, token, "first password")
    with pytest.raises(InvalidLink):
        await set_password_with_token(sessions, SECRET, token, "second password")
    await authenticate(sessions, email=person.email, password="first password")


async def test_two_uses_of_one_link_at_once_only_one_wins(sessions, tenant) -> None:
    _, token = await invite(sessions, tenant)
    results = await asyncio.gather(
        *(set_password_with_token(sessions, SECRET, token, f"password {i}x") for i in range(3)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1


async def test_expired_altered_or_foreign_links_fail(sessions, tenant) -> None:
    person, token = await invite(sessions, tenant)
    async with sessions() as session:
        user = await session.get(User, person.id)
        old = make_link_token(SECRET, user, now=utcnow() - timedelta(days=4))
        with pytest.raises(InvalidLink):
            await user_for_token(session, SECRET, old)
        with pytest.raises(InvalidLink):
            await user_for_token(session, "another deployment's secret", token)
        for broken in ("", "x", "1.2", token[:-2] + "AA", "99999." + token.split(".", 1)[1]):
            with pytest.raises(InvalidLink):
                await user_for_token(session, SECRET, broken)


async def test_only_managers_manage_people(sessions, tenant) -> None:
    person, token = await invite(sessions, tenant)
    await set_password_with_token(sessions, SECRET, token, "staff password")
    staff = Actor(tenant.account_id, person.id, is_owner=False, access=dict(ORDERS_ONLY))
    for call in (
        list_people(sessions, staff),
        get_person(sessions, staff, tenant.owner.id),
        invite(sessions, type("T", (), {"actor": staff})(), email="x@example.com"),
        update_person(sessions, staff, person.id, StaffGrant()),
        set_person_active(sessions, staff, tenant.owner.id, active=False),
    ):
        with pytest.raises(PermissionDenied):
            await call


async def test_admins_may_do_everything_like_the_owner(sessions, tenant) -> None:
    _person, token = await invite(sessions, tenant, grant=StaffGrant(role="admin"))
    user = await set_password_with_token(sessions, SECRET, token, "admin password")
    async with sessions() as session:
        _, actor = await load_signed_in(session, user.id, user.session_stamp)
    assert actor.is_owner and actor.store_ids is None
    assert len(await list_people(sessions, actor)) == 2


async def test_the_owner_and_oneself_cannot_be_changed(sessions, tenant) -> None:
    person, _token = await invite(sessions, tenant, grant=StaffGrant(role="admin"))
    admin = Actor(tenant.account_id, person.id)
    with pytest.raises(RuleViolation):
        await update_person(sessions, admin, tenant.owner.id, StaffGrant())
    with pytest.raises(RuleViolation):
        await set_person_active(sessions, admin, tenant.owner.id, active=False)
    with pytest.raises(RuleViolation):
        await set_person_active(sessions, admin, person.id, active=False)
    with pytest.raises(RuleViolation):
        await new_set_password_link(sessions, tenant.actor, tenant.owner.id, secret=SECRET)


async def test_other_accounts_people_and_stores_are_not_found(
    sessions, tenant, other_tenant
) -> None:
    person, _ = await invite(sessions, tenant)
    foreign_store = await add_store(sessions, other_tenant.account_id)
    with pytest.raises(NotFound):
        await get_person(sessions, other_tenant.actor, person.id)
    with pytest.raises(NotFound):
        await update_person(sessions, other_tenant.actor, person.id, StaffGrant())
    with pytest.raises(NotFound):
        await set_person_active(sessions, other_tenant.actor, person.id, active=False)
    with pytest.raises(NotFound):
        await new_set_password_link(sessions, other_tenant.actor, person.id, secret=SECRET)
    with pytest.raises(NotFound):
        await update_person(
            sessions, tenant.actor, person.id, StaffGrant(store_ids=frozenset({foreign_store}))
        )
    assert [p.id for p in await list_people(sessions, other_tenant.actor)] == [
        other_tenant.owner.id
    ]


async def test_invitations_are_validated(sessions, tenant, other_tenant) -> None:
    with pytest.raises(EmailTaken):
        await invite(sessions, tenant, email=other_tenant.owner.email)
    with pytest.raises(PermanentError) as caught:
        await invite(sessions, tenant, email="new@example.com", grant=StaffGrant(role="owner"))
    assert caught.value.field == "role"
    assert len(await list_people(sessions, tenant.actor)) == 1


async def test_deactivation_signs_out_and_stops_tokens_at_once(sessions, tenant) -> None:
    person, token = await invite(sessions, tenant)
    user = await set_password_with_token(sessions, SECRET, token, "staff password")
    staff = Actor(tenant.account_id, person.id, is_owner=False, access=dict(ORDERS_ONLY))
    _, secret = await create_api_token(sessions, staff, name="script")
    assert await actor_for_token(sessions, secret) is not None

    await set_person_active(sessions, tenant.actor, person.id, active=False)
    async with sessions() as session:
        assert await load_signed_in(session, user.id, user.session_stamp) is None
    assert await actor_for_token(sessions, secret) is None
    with pytest.raises(RuleViolation):
        await new_set_password_link(sessions, tenant.actor, person.id, secret=SECRET)

    await set_person_active(sessions, tenant.actor, person.id, active=True)
    assert await actor_for_token(sessions, secret) is not None


async def test_a_new_grant_replaces_the_old_one(sessions, tenant) -> None:
    store = await add_store(sessions, tenant.account_id)
    person, _ = await invite(sessions, tenant)
    updated = await update_person(
        sessions,
        tenant.actor,
        person.id,
        StaffGrant(access={Area.IMAGES: Access.READ}, store_ids=frozenset({store})),
    )
    assert dict(updated.access) == {Area.IMAGES: Access.READ}
    assert updated.store_ids == {store}
    promoted = await update_person(sessions, tenant.actor, person.id, StaffGrant(role="admin"))
    assert promoted.role == "admin" and not promoted.access and not promoted.store_ids
