import asyncio

import pytest
from sqlmodel import select

from core.accounts.actors import load_signed_in, session_stamp
from core.accounts.errors import EmailTaken, InvalidCredentials, TooManyAttempts
from core.accounts.passwords import hash_password, verify_password
from core.accounts.signin import authenticate, change_password, set_locale, sign_up
from core.accounts.throttle import SignInThrottle, ThrottlePolicy
from core.errors import PermanentError
from core.models import Account, User
from tests.core.accounts.conftest import PASSWORD


async def test_sign_up_creates_the_account_and_its_owner(sessions) -> None:
    owner = await sign_up(
        sessions, email=" Li@Example.COM ", password=PASSWORD, account_name=" Li Trading "
    )
    async with sessions() as session:
        account = await session.get(Account, owner.account_id)
        user = await session.get(User, owner.id)
    assert account is not None and account.name == "Li Trading"
    assert user is not None and user.email == "li@example.com" and user.role == "owner"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("email", "password", "name", "field"),
    [
        ("not-an-email", PASSWORD, "Shop", "email"),
        ("a@example.com", "short", "Shop", "password"),
        ("a@example.com", PASSWORD, "  ", "account_name"),
    ],
)
async def test_sign_up_names_the_wrong_field(sessions, email, password, name, field) -> None:
    with pytest.raises(PermanentError) as caught:
        await sign_up(sessions, email=email, password=password, account_name=name)
    assert caught.value.field == field
    async with sessions() as session:
        assert (await session.exec(select(Account))).first() is None  # nothing half-made


async def test_one_email_one_user_even_when_racing(sessions) -> None:
    results = await asyncio.gather(
        *(
            sign_up(sessions, email="race@example.com", password=PASSWORD, account_name=f"s{i}")
            for i in range(4)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, EmailTaken) for r in results if isinstance(r, BaseException))
    with pytest.raises(EmailTaken):
        await sign_up(sessions, email="RACE@example.com", password=PASSWORD, account_name="x")


async def test_authenticate(sessions, tenant) -> None:
    user = await authenticate(sessions, email=tenant.owner.email.upper(), password=PASSWORD)
    assert user.id == tenant.owner.id
    with pytest.raises(InvalidCredentials):
        await authenticate(sessions, email=tenant.owner.email, password="wrong password")
    with pytest.raises(InvalidCredentials):
        await authenticate(sessions, email="nobody@example.com", password=PASSWORD)


async def test_deactivated_users_cannot_sign_in_and_lose_their_sessions(sessions, tenant) -> None:
    async with sessions() as session, session.begin():
        user = await session.get(User, tenant.owner.id)
        user.is_active = False
        session.add(user)
    with pytest.raises(InvalidCredentials):
        await authenticate(sessions, email=tenant.owner.email, password=PASSWORD)
    async with sessions() as session:
        assert await load_signed_in(session, tenant.owner.id, tenant.owner.session_stamp) is None


async def test_a_password_change_ends_older_sessions(sessions, tenant) -> None:
    changed = await change_password(
        sessions, tenant.actor, current_password=PASSWORD, new_password="a new long one"
    )
    async with sessions() as session:
        assert await load_signed_in(session, tenant.owner.id, tenant.owner.session_stamp) is None
        found = await load_signed_in(session, tenant.owner.id, changed.session_stamp)
    assert found is not None and found[1].is_owner
    with pytest.raises(PermanentError) as caught:
        await change_password(
            sessions, tenant.actor, current_password=PASSWORD, new_password="x" * 20
        )
    assert caught.value.field == "current_password"


async def test_locale(sessions, tenant) -> None:
    assert (await set_locale(sessions, tenant.actor, "en")).locale == "en"
    with pytest.raises(PermanentError):
        await set_locale(sessions, tenant.actor, "fr")


def test_password_hashes() -> None:
    hashed = hash_password("secret one")
    assert verify_password(hashed, "secret one")
    assert not verify_password(hashed, "secret two")
    assert not verify_password("", "")
    assert not verify_password("garbage", "x")


async def test_session_stamp_follows_the_password_hash(sessions, tenant) -> None:
    async with sessions() as session:
        user = await session.get(User, tenant.owner.id)
    assert session_stamp(user) == tenant.owner.session_stamp
    user.password_hash = "other"
    assert session_stamp(user) != tenant.owner.session_stamp


# -- throttling (real Redis) ---------------------------------------------------------------


def throttle(redis, queue_name, **policy) -> SignInThrottle:
    return SignInThrottle(redis, ThrottlePolicy(**policy), prefix=f"{queue_name}:signin")


async def test_failures_lock_the_email_even_for_the_right_password(
    sessions, tenant, redis, queue_name
) -> None:
    guard = throttle(redis, queue_name, email_limit=3, address_limit=100, base_delay=60)
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await authenticate(
                sessions,
                email=tenant.owner.email,
                password="bad",
                address="10.0.0.1",
                throttle=guard,
            )
    with pytest.raises(TooManyAttempts) as caught:
        await authenticate(
            sessions,
            email=tenant.owner.email,
            password=PASSWORD,
            address="10.0.0.2",
            throttle=guard,
        )
    assert 0 < caught.value.retry_after <= 60
    assert "try again in" in str(caught.value)


async def test_the_lock_doubles_with_each_further_failure(redis, queue_name) -> None:
    guard = throttle(redis, queue_name, email_limit=2, base_delay=10, max_delay=25)
    waits = []
    for _ in range(5):
        await guard.failed("x@example.com", None)
        try:
            await guard.check("x@example.com", None)
            waits.append(0.0)
        except TooManyAttempts as exc:
            waits.append(exc.retry_after)
    assert waits[0] == 0.0
    assert 10 >= waits[1] > 0  # limit reached: base delay
    assert 20 >= waits[2] > 10  # doubled
    assert 20 < waits[3] <= 25 and 20 < waits[4] <= 25  # capped


async def test_failures_from_one_address_lock_that_address_for_every_email(
    sessions, tenant, other_tenant, redis, queue_name
) -> None:
    guard = throttle(redis, queue_name, email_limit=100, address_limit=4)
    for number in range(4):
        with pytest.raises(InvalidCredentials):
            await authenticate(
                sessions,
                email=f"guess{number}@example.com",
                password="x",
                address="203.0.113.9",
                throttle=guard,
            )
    with pytest.raises(TooManyAttempts):
        await authenticate(
            sessions,
            email=other_tenant.owner.email,
            password=PASSWORD,
            address="203.0.113.9",
            throttle=guard,
        )
    # the same person from another address is fine
    user = await authenticate(
        sessions,
        email=other_tenant.owner.email,
        password=PASSWORD,
        address="198.51.100.7",
        throttle=guard,
    )
    assert user.id == other_tenant.owner.id


async def test_success_forgets_earlier_failures_of_the_email(
    sessions, tenant, redis, queue_name
) -> None:
    guard = throttle(redis, queue_name, email_limit=3, address_limit=100)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await authenticate(sessions, email=tenant.owner.email, password="bad", throttle=guard)
    await authenticate(sessions, email=tenant.owner.email, password=PASSWORD, throttle=guard)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await authenticate(sessions, email=tenant.owner.email, password="bad", throttle=guard)
    await authenticate(sessions, email=tenant.owner.email, password=PASSWORD, throttle=guard)
