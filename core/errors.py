"""The one error taxonomy every adapter and job uses.

Adapters (marketplaces, carriers, translators, collectors) translate whatever their platform
says into one of these; the job wrapper turns :class:`TransientError` into a retry with backoff
and records :class:`PermanentError` as a per-item error. Core code never inspects a platform's
own error codes.
"""

from __future__ import annotations


class TradewindError(Exception):
    """Base of Tradewind's own errors. ``str(error)`` is shown to people; keep it clear."""


class TransientError(TradewindError):
    """Try again later: timeouts, HTTP 429 and 5xx, dropped connections, lock conflicts.

    Args:
        message: what happened, for logs and job records.
        retry_after: seconds the platform asked us to wait (e.g. a rate-limit reset), if known.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(TradewindError):
    """The platform (or our own validation) said no; retrying the same request cannot help.

    Args:
        message: the reason in words a seller understands (the platform's reason included).
        code: the platform's own error code, kept for support and logs.
        field: the field the problem is about, when there is one.
    """

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


class AuthorizationExpired(PermanentError):
    """The store's credentials are expired or revoked: the store needs re-authorization."""


class OutcomeUnknown(TransientError):
    """A write was sent but its response was lost (timeout after sending, dropped connection).

    The caller must read the platform's state back before trying the write again; it must
    never blindly re-send it.
    """


class NotFound(TradewindError):
    """An object does not exist, or belongs to another account (both answer 404)."""


class RuleViolation(TradewindError):
    """A product rule refused an action, e.g. deleting a published product."""
