"""Why an outbound fetch did not return a body.

Three kinds, so the job wrapper does the right thing without looking inside:

- :class:`FetchRefused` (permanent): our own policy said no before or while fetching: a scheme
  other than http(s), credentials in the URL, an address that is not public, too many redirects,
  a body over the size limit, a content type that was not asked for.
- :class:`FetchUnavailable` (permanent): the other side says the resource is not there (unknown
  host, HTTP 4xx).
- :class:`FetchFailed` (transient): timeouts, refused connections, temporary DNS failures,
  HTTP 5xx and 429; trying again later may work.

Each carries ``reason`` (a short machine code) and ``url`` (the URL being fetched).
"""

from __future__ import annotations

from core.errors import PermanentError, TradewindError, TransientError


class FetchError(TradewindError):
    """Base of the three fetch errors; catch it to handle any of them."""

    reason: str
    url: str


class FetchRefused(FetchError, PermanentError):
    """Our fetch policy refused the URL, an address, a redirect or the response.

    Args:
        message: what was refused and why.
        reason: ``bad_url``, ``scheme``, ``credentials``, ``ip_form``, ``blocked_address``,
            ``too_many_redirects``, ``too_large`` or ``content_type``.
        url: the URL concerned.
    """

    def __init__(self, message: str, *, reason: str, url: str) -> None:
        PermanentError.__init__(self, message, code=reason)
        self.reason = reason
        self.url = url


class FetchUnavailable(FetchError, PermanentError):
    """The resource is not there: the host does not exist, or the server answered 4xx.

    Args:
        message: what happened.
        reason: ``unknown_host`` or ``http_status``.
        url: the URL concerned.
        status: the HTTP status, when there was one.
    """

    def __init__(self, message: str, *, reason: str, url: str, status: int | None = None):
        PermanentError.__init__(self, message, code=reason)
        self.reason = reason
        self.url = url
        self.status = status


class FetchFailed(FetchError, TransientError):
    """The fetch did not complete, for a reason that may pass: try again later.

    Args:
        message: what happened.
        reason: ``timeout``, ``connect``, ``dns``, ``protocol``, ``server_error`` or
            ``rate_limited``.
        url: the URL concerned.
        retry_after: seconds the server asked us to wait, if it said.
        status: the HTTP status, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        url: str,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        TransientError.__init__(self, message, retry_after=retry_after)
        self.reason = reason
        self.url = url
        self.status = status
