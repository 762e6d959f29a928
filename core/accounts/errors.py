"""Errors of the accounts services (all are :class:`~core.errors.TradewindError`)."""

from __future__ import annotations

from core.errors import PermanentError, RuleViolation, TransientError


class InvalidCredentials(PermanentError):
    """The email and password do not match an active user (never says which one is wrong)."""


class TooManyAttempts(TransientError):
    """Sign-in is paused for this email or address; ``retry_after`` says for how many seconds."""


class EmailTaken(RuleViolation):
    """A user with this email exists already (emails are unique across all accounts)."""


class InvalidLink(PermanentError):
    """A set-password link is unknown, expired or already used."""
