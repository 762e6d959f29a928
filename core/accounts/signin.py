"""Sign-up (a new account and its owner), sign-in, and a user's own profile settings."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.accounts.actors import SignedInUser, signed_in_user
from core.accounts.errors import EmailTaken, InvalidCredentials
from core.accounts.passwords import (
    DUMMY_HASH,
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from core.accounts.throttle import SignInThrottle
from core.actor import Actor
from core.errors import NotFound, PermanentError
from core.i18n import msg
from core.models import Account, User, UserRole, utcnow

SUPPORTED_LOCALES = ("zh_CN", "en")
"""UI languages a user can choose."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """Trim and lower-case an email; refuse what does not look like one.

    Raises:
        PermanentError: with ``field="email"``.
    """
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 320:
        raise PermanentError(msg("Enter a valid email address."), field="email")
    return cleaned


def check_locale(locale: str) -> str:
    """Return ``locale`` if it is a supported UI language.

    Raises:
        PermanentError: with ``field="locale"``.
    """
    if locale not in SUPPORTED_LOCALES:
        raise PermanentError(msg("Unknown language."), field="locale")
    return locale


async def email_exists(session: AsyncSession, email: str) -> bool:
    """Whether any user (of any account) has this email."""
    found = await session.exec(select(User.id).where(User.email == email))
    return found.first() is not None


async def sign_up(
    sessions: async_sessionmaker[AsyncSession],
    *,
    email: str,
    password: str,
    account_name: str,
    display_name: str = "",
    locale: str = "zh_CN",
) -> SignedInUser:
    """Create an account (the tenant) and its owner.

    Raises:
        PermanentError: an invalid email, password, account name or language (``field`` says
            which).
        EmailTaken: a user with this email exists already.
    """
    email = normalize_email(email)
    check_password_rules(password)
    check_locale(locale)
    account_name = account_name.strip()
    if not account_name or len(account_name) > 200:
        raise PermanentError(
            msg("Enter a company or shop name (at most 200 characters)."), field="account_name"
        )
    taken = EmailTaken(msg("An account with this email exists already; sign in instead."))
    try:
        async with sessions() as session, session.begin():
            if await email_exists(session, email):
                raise taken
            account = Account(name=account_name)
            session.add(account)
            await session.flush()
            assert account.id is not None
            owner = User(
                account_id=account.id,
                email=email,
                display_name=display_name.strip()[:200],
                password_hash=hash_password(password),
                role=UserRole.OWNER.value,
                locale=locale,
                last_sign_in_at=utcnow(),
            )
            session.add(owner)
            await session.flush()
    except IntegrityError:  # two sign-ups with one email at the same moment
        raise taken from None
    return signed_in_user(owner)


async def authenticate(
    sessions: async_sessionmaker[AsyncSession],
    *,
    email: str,
    password: str,
    address: str | None = None,
    throttle: SignInThrottle | None = None,
) -> SignedInUser:
    """Check an email and password; return the user on success.

    Failures are counted by ``throttle`` (per email and per client address); while either is
    locked every attempt is refused with the time to wait.

    Raises:
        TooManyAttempts: sign-in is paused for this email or address.
        InvalidCredentials: unknown email, wrong password, or a deactivated user.
    """
    email = email.strip().lower()
    if throttle is not None:
        await throttle.check(email, address)
    async with sessions() as session, session.begin():
        user = (await session.exec(select(User).where(User.email == email))).first()
        if user is None:
            verify_password(DUMMY_HASH, password)  # same cost as a known email
            ok = False
        else:
            ok = user.is_active and verify_password(user.password_hash, password)
        if not ok or user is None:
            if throttle is not None:
                await throttle.failed(email, address)
            raise InvalidCredentials(msg("Wrong email or password."))
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_sign_in_at = utcnow()
        session.add(user)
    if throttle is not None:
        await throttle.succeeded(email)
    return signed_in_user(user)


async def _own_user(session: AsyncSession, actor: Actor) -> User:
    if actor.user_id is None:
        raise NotFound("no user")
    user = await session.get(User, actor.user_id)
    if user is None or user.account_id != actor.account_id:
        raise NotFound("no user")
    return user


async def set_locale(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, locale: str
) -> SignedInUser:
    """Change the signed-in user's UI language."""
    check_locale(locale)
    async with sessions() as session, session.begin():
        user = await _own_user(session, actor)
        user.locale = locale
        session.add(user)
    return signed_in_user(user)


async def update_profile(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, *, display_name: str
) -> SignedInUser:
    """Change the signed-in user's display name."""
    async with sessions() as session, session.begin():
        user = await _own_user(session, actor)
        user.display_name = display_name.strip()[:200]
        session.add(user)
    return signed_in_user(user)


async def change_password(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
) -> SignedInUser:
    """Change the signed-in user's password (other sessions of the user end).

    Raises:
        PermanentError: the current password is wrong (``field="current_password"``) or the new
            one breaks the rules (``field="password"``).
    """
    check_password_rules(new_password)
    async with sessions() as session, session.begin():
        user = await _own_user(session, actor)
        if not verify_password(user.password_hash, current_password):
            raise PermanentError(
                msg("The current password is not right."), field="current_password"
            )
        user.password_hash = hash_password(new_password)
        session.add(user)
    return signed_in_user(user)
