"""One-time set-password links (invitations and operator resets; there is no mail server).

A link carries the user id, an expiry and an HMAC over both and the user's *current* password
hash, made with the deployment's ``secret_key``. Nothing is stored: once the password is set,
the hash changes and every earlier link for that user stops working, which makes each link
single-use; an expired or altered link fails the same check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.accounts.actors import SignedInUser, signed_in_user
from core.accounts.errors import InvalidLink
from core.accounts.passwords import check_password_rules, hash_password
from core.i18n import msg
from core.models import User, utcnow

LINK_LIFETIME = timedelta(days=3)
"""How long a set-password link works."""

SET_PASSWORD_PATH = "/set-password/"
"""Path of the page that takes a link token (after the public base URL)."""


def _mac(secret: str, user_id: int, expires: int, password_hash: str) -> str:
    message = f"tw-set-password|{user_id}|{expires}|{password_hash}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_link_token(
    secret: str, user: User, *, now: datetime | None = None, lifetime: timedelta = LINK_LIFETIME
) -> str:
    """A token for :data:`SET_PASSWORD_PATH` that lets whoever holds it set ``user``'s password.

    Args:
        secret: the deployment's ``secret_key``.
        user: the user (its current password hash is bound into the token).
        now: the current time (tests).
        lifetime: how long the token works.
    """
    assert user.id is not None
    expires = int(((now or utcnow()) + lifetime).timestamp())
    return f"{user.id}.{expires}.{_mac(secret, user.id, expires, user.password_hash)}"


def set_password_url(base_url: str, token: str) -> str:
    """The full link to hand to the person: public base URL + path + token."""
    return f"{base_url.rstrip('/')}{SET_PASSWORD_PATH}{token}"


async def user_for_token(
    session: AsyncSession, secret: str, token: str, *, now: datetime | None = None
) -> User:
    """The active user a valid, unexpired, unused token belongs to.

    Raises:
        InvalidLink: anything else (the same message whatever is wrong).
    """
    invalid = InvalidLink(
        msg("This link is not valid: it was used already, has expired, or is incomplete.")
    )
    try:
        user_part, expires_part, mac = token.split(".", 2)
        user_id, expires = int(user_part), int(expires_part)
    except ValueError:
        raise invalid from None
    if expires < int((now or utcnow()).timestamp()):
        raise invalid
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise invalid
    if not hmac.compare_digest(mac, _mac(secret, user_id, expires, user.password_hash)):
        raise invalid
    return user


async def set_password_with_token(
    sessions: async_sessionmaker[AsyncSession], secret: str, token: str, password: str
) -> SignedInUser:
    """Set the password of the token's user; the token (and any older one) stops working.

    Raises:
        InvalidLink: the token is not valid.
        PermanentError: the password breaks the rules (``field="password"``).
    """
    check_password_rules(password)
    new_hash = hash_password(password)
    async with sessions() as session, session.begin():
        user = await user_for_token(session, secret, token)
        # Conditional on the old hash: of two uses of one link at the same moment, one wins.
        claimed = await session.exec(
            update(User)
            .where(col(User.id) == user.id, col(User.password_hash) == user.password_hash)
            .values(password_hash=new_hash, last_sign_in_at=utcnow())
        )
        if claimed.rowcount != 1:
            raise InvalidLink(msg("This link was used already."))
        await session.refresh(user)
    return signed_in_user(user)
