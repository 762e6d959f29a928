"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import PermanentError
from core.i18n import msg

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or absurdly long.

    Raises:
        PermanentError: with ``field="password"`` and a message saying what is wrong.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PermanentError(
            msg("The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PermanentError(
            msg("The password must have at most %(count)s characters.", count=MAX_PASSWORD_LENGTH),
            field="password",
        )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; safe to store)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; an empty or damaged hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at sign-in)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


DUMMY_HASH = _hasher.hash("tradewind-dummy-password")
"""Verified against when the email is unknown, so both cases take the same time."""
