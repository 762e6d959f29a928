"""The wire: one Wish API call over the core's shared ``httpx.AsyncClient``.

Every request of the plugin goes through :meth:`WishTransport.request`, which

- takes a slot from the store's rate budget (:mod:`plugins.wish.ratelimit`) and reports the
  ``Wish-Rate-Limit-*`` headers of the answer back to it;
- unwraps the ``{code, message, data}`` envelope, parsing numbers as :class:`~decimal.Decimal`;
- maps errors (:mod:`plugins.wish.errors`), retrying what is safe to retry: a 429 is waited out
  (the budget holds the store until ``Wish-Rate-Limit-Reset``); timeouts, dropped connections
  and 5xx are retried with backoff when the call is a read or an idempotent write, and raise
  :class:`~core.errors.OutcomeUnknown` for other writes, whose caller must read the result back
  before sending them again.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

import httpx

from core.errors import OutcomeUnknown, PermanentError, TransientError
from core.interfaces.common import CallContext
from plugins.wish.errors import error_for_envelope
from plugins.wish.ratelimit import RateBudget, parse_rate_headers
from plugins.wish.settings import WishSettings

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]
_BACKOFF_BASE_S = 0.2
_BACKOFF_CAP_S = 5.0


@dataclass(frozen=True)
class WishCall:
    """One API call.

    Attributes:
        method: HTTP method.
        path: path under the base URL (``/api/v3/products``).
        budget_key: the rate budget to charge (``<client_id>:<merchant_id>``).
        token: bearer token, if the call needs one.
        params: query parameters.
        body: JSON body.
        retry_safe: whether re-sending it after a lost answer is harmless (reads and
            idempotent writes); other writes raise ``OutcomeUnknown`` instead.
    """

    method: str
    path: str
    budget_key: str
    token: str | None = None
    params: Params | None = None
    body: Mapping[str, Any] | None = None
    retry_safe: bool = True


@dataclass
class CallStats:
    """Counters of what the transport saw (for benchmarks, logs and tests)."""

    requests: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    timeouts: int = 0
    connection_errors: int = 0
    outcome_unknown: int = 0


class _Retry(Exception):
    def __init__(self, error: TransientError) -> None:
        super().__init__(str(error))
        self.error = error


class _RateLimited(Exception):
    def __init__(self, retry_after: float | None) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot send {type(value).__name__} to Wish")


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Serialise a request body (Decimals become JSON numbers)."""
    return json.dumps(body, default=_json_default, separators=(",", ":")).encode()


@dataclass
class WishTransport:
    """Sends Wish API calls (see the module docstring).

    Args:
        settings: base URL, timeouts and retry limits.
        budget: the per-store rate budget.
        sleep: coroutine used for backoff (injectable in tests).
    """

    settings: WishSettings
    budget: RateBudget
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    stats: CallStats = field(default_factory=CallStats)

    async def request(self, ctx: CallContext, call: WishCall) -> Any:
        """Send ``call`` and return the envelope's ``data``.

        Raises:
            TransientError: still failing after the configured attempts (``retry_after`` set
                after 429s).
            OutcomeUnknown: a write that is not retry-safe may or may not have been applied.
            AuthorizationExpired: the token is expired, revoked or unknown.
            PermanentError: Wish refused the call (code and field set).
        """
        failures = 0
        waits = 0
        while True:
            try:
                return await self._once(ctx, call)
            except _RateLimited as limited:
                waits += 1
                if waits > self.settings.max_rate_limit_waits:
                    raise TransientError(
                        "Wish's rate limit is exhausted for this store",
                        retry_after=limited.retry_after,
                    ) from None
            except _Retry as retry:
                failures += 1
                if failures >= self.settings.max_attempts:
                    raise retry.error from None
                delay = min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * 2 ** (failures - 1))
                await self.sleep(delay * (0.5 + random.random()))

    async def _once(self, ctx: CallContext, call: WishCall) -> Any:
        headers = {"Accept": "application/json"}
        if call.token:
            headers["Authorization"] = f"Bearer {call.token}"
        if ctx.locale.lower().startswith("zh"):
            headers["Accept-Language"] = "zh"
        content: bytes | None = None
        if call.body is not None:
            content = encode_body(call.body)
            headers["Content-Type"] = "application/json"
        async with self.budget.slot(call.budget_key) as feedback:
            self.stats.requests += 1
            try:
                response = await ctx.http.request(
                    call.method,
                    self.settings.base_url + call.path,
                    params=call.params,  # type: ignore[arg-type]
                    content=content,
                    headers=headers,
                    timeout=self.settings.request_timeout_seconds,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                self.stats.connection_errors += 1
                raise _Retry(TransientError(f"could not reach Wish: {exc!r}")) from exc
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self._lost(call, exc)
            feedback.report(response.status_code, response.headers, time.time())
        return self._interpret(call, response)

    def _lost(self, call: WishCall, exc: Exception) -> NoReturn:
        """The request left but no answer came back (timeout, dropped connection)."""
        if isinstance(exc, httpx.TimeoutException):
            self.stats.timeouts += 1
        else:
            self.stats.connection_errors += 1
        what = f"{call.method} {call.path}"
        if call.retry_safe:
            raise _Retry(TransientError(f"no answer from Wish to {what}: {exc!r}")) from exc
        self.stats.outcome_unknown += 1
        raise OutcomeUnknown(f"Wish's answer to {what} was lost: {exc!r}") from exc

    def _interpret(self, call: WishCall, response: httpx.Response) -> Any:
        status = response.status_code
        if status == 429:
            self.stats.rate_limited += 1
            _, reset_at = parse_rate_headers(response.headers, time.time())
            retry_after = max(0.0, reset_at - time.time()) if reset_at else None
            raise _RateLimited(retry_after)
        if status >= 500:
            self.stats.server_errors += 1
            what = f"{call.method} {call.path}"
            if call.retry_safe:
                raise _Retry(TransientError(f"Wish answered HTTP {status} to {what}"))
            self.stats.outcome_unknown += 1
            raise OutcomeUnknown(f"Wish answered HTTP {status} to the write {what}")
        if status == 204 or not response.content:
            if 200 <= status < 300:
                return None
            raise PermanentError(f"Wish answered HTTP {status} without a body", code=str(status))
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise PermanentError(
                f"Wish answered HTTP {status} with a body that is not JSON", code=str(status)
            ) from None
        if not isinstance(body, dict) or "code" not in body:
            raise PermanentError(f"Wish answered HTTP {status} without an envelope")
        code = body.get("code")
        if status < 300 and code == 0:
            return body.get("data")
        raise error_for_envelope(int(code or status), str(body.get("message") or ""))
