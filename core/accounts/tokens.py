"""Personal API tokens for the JSON API (scripts, the browser collector, integrations).

A token acts exactly as the user who made it (same account, same permissions, same stores).
It is shown once at creation; only its SHA-256 hash is stored, with a short visible prefix so
people can tell their tokens apart. Revoked, expired or orphaned tokens stop working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.accounts.actors import SignedInUser, actor_for_user, signed_in_user
from core.actor import Actor
from core.errors import NotFound, PermanentError
from core.i18n import msg
from core.models import ApiToken, User, utcnow

TOKEN_MARKER = "tw_"
"""Every token starts with this, so leaked tokens are easy to find (secret scanners)."""
PREFIX_LENGTH = 10
LAST_USED_PRECISION = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token (no write per request)."""


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenView:
    """A token as lists show it (never the secret).

    Attributes:
        id: the token id.
        name: what its owner called it.
        prefix: its first characters.
        user_id: whose token it is.
        user_email: that user's email.
        created_at: when it was made.
        last_used_at: when it was last used (minute precision).
        expires_at: when it stops working, if ever.
        revoked_at: when it was revoked, if it was.
    """

    id: int
    name: str
    prefix: str
    user_id: int
    user_email: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the token still works (not revoked, not expired)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())


def _view(token: ApiToken, email: str) -> TokenView:
    assert token.id is not None
    return TokenView(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        user_id=token.user_id,
        user_email=email,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


async def create_api_token(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    name: str,
    expires_at: datetime | None = None,
) -> tuple[TokenView, str]:
    """Make a token for the signed-in user; returns its view and the secret (shown once).

    Raises:
        PermanentError: an empty or too long name (``field="name"``), an expiry in the past
            (``field="expires_at"``), or an actor without a user (jobs cannot make tokens).
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise PermanentError(msg("Give the token a name (at most 100 characters)."), field="name")
    if expires_at is not None and expires_at <= utcnow():
        raise PermanentError(msg("The expiry date must be in the future."), field="expires_at")
    if actor.user_id is None:
        raise PermanentError(msg("Only a person can make API tokens."))
    secret = TOKEN_MARKER + secrets.token_urlsafe(32)
    async with sessions() as session, session.begin():
        user = await session.get(User, actor.user_id)
        if user is None or user.account_id != actor.account_id:
            raise NotFound("no user")
        token = ApiToken(
            account_id=actor.account_id,
            user_id=actor.user_id,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            token_hash=token_hash(secret),
            expires_at=expires_at,
        )
        session.add(token)
        await session.flush()
        return _view(token, user.email), secret


async def list_api_tokens(
    sessions: async_sessionmaker[AsyncSession], actor: Actor
) -> list[TokenView]:
    """The user's own tokens; owners and admins see every token of the account."""
    query = (
        select(ApiToken, User.email)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.account_id == actor.account_id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    if not actor.is_owner:
        query = query.where(ApiToken.user_id == actor.user_id)
    async with sessions() as session:
        rows = await session.exec(query)
        return [_view(token, email) for token, email in rows]


async def revoke_api_token(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, token_id: int
) -> TokenView:
    """Revoke a token (one's own; owners and admins any of the account). Idempotent.

    Raises:
        NotFound: no such token in the account (or another user's, for staff).
    """
    async with sessions() as session, session.begin():
        token = await session.get(ApiToken, token_id)
        if token is None or token.account_id != actor.account_id:
            raise NotFound("no such token")
        if not actor.is_owner and token.user_id != actor.user_id:
            raise NotFound("no such token")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            session.add(token)
        user = await session.get(User, token.user_id)
        return _view(token, user.email if user else "")


async def actor_for_token(
    sessions: async_sessionmaker[AsyncSession], secret: str
) -> tuple[SignedInUser, Actor] | None:
    """The user and actor a presented token stands for, or ``None`` if it does not work."""
    if not secret.startswith(TOKEN_MARKER):
        return None
    now = utcnow()
    async with sessions() as session, session.begin():
        hashed = token_hash(secret)
        token = (await session.exec(select(ApiToken).where(ApiToken.token_hash == hashed))).first()
        if token is None or token.revoked_at is not None:
            return None
        if token.expires_at is not None and token.expires_at <= now:
            return None
        user = await session.get(User, token.user_id)
        if user is None or not user.is_active or user.account_id != token.account_id:
            return None
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            token.last_used_at = now
            session.add(token)
        return signed_in_user(user), await actor_for_user(session, user)
