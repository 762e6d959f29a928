"""What an operator can do for a person from the command line (there is no mail server)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.accounts.links import make_link_token
from core.accounts.passwords import check_password_rules, hash_password
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.models import User


async def _active_user(session: AsyncSession, email: str) -> User:
    cleaned = email.strip().lower()
    user = (await session.exec(select(User).where(User.email == cleaned))).first()
    if user is None:
        raise NotFound(msg("no user with email %(email)s", email=cleaned))
    if not user.is_active:
        raise RuleViolation(
            msg(
                "user %(email)s is deactivated; an owner or admin must reactivate them",
                email=cleaned,
            )
        )
    return user


async def reset_link_token(
    sessions: async_sessionmaker[AsyncSession], secret: str, email: str
) -> str:
    """A one-time set-password link token for the user with ``email``.

    Raises:
        NotFound: no user has this email.
        RuleViolation: the user is deactivated.
    """
    async with sessions() as session:
        return make_link_token(secret, await _active_user(session, email))


async def set_password(
    sessions: async_sessionmaker[AsyncSession], email: str, password: str
) -> None:
    """Set the password of the user with ``email`` (their sessions end).

    Raises:
        NotFound: no user has this email.
        RuleViolation: the user is deactivated.
        PermanentError: the password breaks the rules.
    """
    check_password_rules(password)
    async with sessions() as session, session.begin():
        user = await _active_user(session, email)
        user.password_hash = hash_password(password)
        session.add(user)
