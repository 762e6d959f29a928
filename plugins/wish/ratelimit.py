"""Per-store rate budgets fed by Wish's ``Wish-Rate-Limit-Remaining`` / ``-Reset`` headers.

Wish limits each app per merchant and publishes no numbers. A budget paces the requests of one
key (``<client_id>:<merchant_id>``) so a batch runs just under the limit instead of into 429
storms:

- **pacing**: a GCRA token bucket (a "theoretical arrival time" per key) grants one request
  every ``window / (limit * share)`` seconds; after a stall it may catch up by the headroom
  the share leaves in a window (``limit * (1 - share)`` requests, at least one), never more;
  the limit is the configured one, lowered to what ``Remaining`` reveals (``remaining + 1`` on
  a window's first call);
- **concurrency**: at most ``max_concurrency`` requests of one key in flight per process;
- **429**: every request of the key waits until ``Wish-Rate-Limit-Reset``; a successful answer
  with ``Remaining: 0`` also holds the key until the next window starts.

:class:`InMemoryBudget` serves one process. :class:`RedisBudget` keeps the arrival time, the
learned limit and the 429 block in Redis (one hash per key, updated by Lua scripts on Redis's
own clock), so every worker of a deployment shares one budget per store; concurrency stays a
per-process cap.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from plugins.wish.settings import WishSettings

REMAINING_HEADER = "wish-rate-limit-remaining"
RESET_HEADER = "wish-rate-limit-reset"
_EPOCH_THRESHOLD = 1_000_000_000  # a reset above this is an epoch second, else a delay


@dataclass(frozen=True)
class BudgetPolicy:
    """How a budget paces one key.

    Attributes:
        limit: requests Wish allows per window (configured).
        window_s: window length in seconds.
        share: share of the limit to spend (0.95 stays just under it).
        max_concurrency: requests in flight per key and process.
        max_block_s: longest wait a reset header can impose (guards against clock skew).
    """

    limit: float
    window_s: float = 1.0
    share: float = 0.95
    max_concurrency: int = 8
    max_block_s: float = 120.0

    @classmethod
    def from_settings(cls, settings: WishSettings) -> BudgetPolicy:
        """Build the policy from the plugin settings."""
        return cls(
            limit=settings.rate_limit_per_second * settings.rate_window_seconds,
            window_s=settings.rate_window_seconds,
            share=settings.rate_budget_share,
            max_concurrency=settings.max_concurrency,
        )

    def effective_limit(self, learned_limit: float | None) -> float:
        """The configured limit, lowered to the one learned from headers (if any)."""
        return self.limit if learned_limit is None else min(self.limit, learned_limit)

    def interval(self, learned_limit: float | None) -> float:
        """Seconds between two grants, given the limit learned from headers (if any)."""
        return self.window_s / max(self.effective_limit(learned_limit) * self.share, 1e-9)

    def tolerance(self, learned_limit: float | None) -> float:
        """How far (seconds) grants may run ahead of the even pace after a stall.

        The headroom the share leaves in one window (``limit * (1 - share)`` requests, at
        least one) may be spent at once, so a moment of stall (a busy event loop, a slow
        answer) is caught up without ever exceeding the limit within a window.
        """
        limit = self.effective_limit(learned_limit)
        burst = max(1, math.floor(limit * (1 - self.share) + 1e-9))
        return (burst - 1) * self.interval(learned_limit)


@dataclass
class Feedback:
    """What Wish's answer said about the limit; the adapter fills it in inside a slot.

    Attributes:
        remaining: ``Wish-Rate-Limit-Remaining``, when present.
        reset_at: epoch second of ``Wish-Rate-Limit-Reset``, when present.
        limited: the answer was a 429.
    """

    remaining: int | None = None
    reset_at: float | None = None
    limited: bool = False

    def report(self, status: int, headers: Mapping[str, str], now: float | None = None) -> None:
        """Record an answer's status and rate-limit headers."""
        self.limited = status == 429
        self.remaining, self.reset_at = parse_rate_headers(headers, now)


def parse_rate_headers(
    headers: Mapping[str, str], now: float | None = None
) -> tuple[int | None, float | None]:
    """Return ``(remaining, reset epoch seconds)`` from Wish's headers (``None`` when absent).

    A reset value below 10⁹ is taken as seconds from now rather than an epoch second.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    remaining: int | None = None
    reset_at: float | None = None
    try:
        if REMAINING_HEADER in lowered:
            remaining = max(0, int(float(lowered[REMAINING_HEADER])))
    except ValueError:
        remaining = None
    try:
        if RESET_HEADER in lowered:
            value = float(lowered[RESET_HEADER])
            reset_at = value if value >= _EPOCH_THRESHOLD else (now or time.time()) + value
    except ValueError:
        reset_at = None
    return remaining, reset_at


class RateBudget(Protocol):
    """Grants request slots per key and learns from each answer."""

    def slot(self, key: str) -> AbstractAsyncContextManager[Feedback]:
        """Wait for a slot of ``key``; report the answer on the yielded :class:`Feedback`."""
        ...


def next_window_start(epoch_now: float, window_s: float) -> float:
    """The epoch second at which the next window starts (windows aligned on the epoch)."""
    return (math.floor(epoch_now / window_s) + 1) * window_s


@dataclass
class _KeyState:
    semaphore: asyncio.Semaphore
    tat: float = 0.0  # theoretical arrival time (monotonic seconds)
    blocked_until: float = 0.0  # monotonic seconds
    learned_limit: float | None = None


@dataclass
class InMemoryBudget:
    """A budget for one process.

    Args:
        policy: the pacing policy.
        monotonic: clock for pacing (injectable in tests).
        wall: epoch clock, to convert reset headers (injectable in tests).
        sleep: coroutine that waits (injectable in tests).
    """

    policy: BudgetPolicy
    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _keys: dict[str, _KeyState] = field(default_factory=dict)

    def _state(self, key: str) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            state = _KeyState(asyncio.Semaphore(self.policy.max_concurrency))
            self._keys[key] = state
        return state

    def reserve(self, key: str) -> float:
        """Reserve the next grant of ``key``; return the monotonic time it is due."""
        state = self._state(key)
        now = max(self.monotonic(), state.blocked_until)
        grant = max(now, state.tat - self.policy.tolerance(state.learned_limit))
        state.tat = max(state.tat, now) + self.policy.interval(state.learned_limit)
        return grant

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[Feedback]:
        """Wait for a slot of ``key`` (concurrency, pacing, 429 block); yield its feedback."""
        state = self._state(key)
        async with state.semaphore:
            while True:
                due = self.reserve(key)
                delay = due - self.monotonic()
                if delay > 0:
                    await self.sleep(delay)
                if self.monotonic() >= state.blocked_until:
                    break
            feedback = Feedback()
            yield feedback
            self.learn(key, feedback)

    def learn(self, key: str, feedback: Feedback) -> None:
        """Apply an answer's feedback to the key's state."""
        state = self._state(key)
        wall_now, mono_now = self.wall(), self.monotonic()
        if feedback.limited:
            reset = feedback.reset_at or next_window_start(wall_now, self.policy.window_s)
            wait = min(max(reset - wall_now, 0.0), self.policy.max_block_s)
            state.blocked_until = max(state.blocked_until, mono_now + wait)
            return
        if feedback.remaining is None:
            return
        observed = float(feedback.remaining + 1)
        if state.learned_limit is None or observed > state.learned_limit:
            state.learned_limit = observed
        if feedback.remaining == 0:
            reset = feedback.reset_at or next_window_start(wall_now, self.policy.window_s)
            wait = min(max(reset - wall_now, 0.0), self.policy.window_s)
            state.blocked_until = max(state.blocked_until, mono_now + wait)

    def learned_limit(self, key: str) -> float | None:
        """The limit learned from ``Remaining`` headers for ``key`` (``None`` before any)."""
        return self._state(key).learned_limit


# Reserve the next grant: returns the wait in milliseconds. Times are Redis TIME in ms.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local learned = tonumber(redis.call('HGET', KEYS[1], 'learned') or '0')
if learned > 0 and learned < limit then limit = learned end
local share = tonumber(ARGV[3])
local interval = tonumber(ARGV[2]) / (limit * share)
local burst = math.max(1, math.floor(limit * (1 - share) + 1e-9))
local tolerance = (burst - 1) * interval
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
local start = math.max(now, blocked)
local grant = math.max(start, tat - tolerance)
redis.call('HSET', KEYS[1], 'tat', tostring(math.max(tat, start) + interval))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return {tostring(grant - now), tostring(blocked - now)}
"""

# Learn from an answer: ARGV = limited (0/1), remaining (-1 = absent), reset epoch ms (0 =
# absent), window ms, max block ms, ttl ms.
_LEARN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limited = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
local reset = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
local function next_window() return (math.floor(now / window) + 1) * window end
if limited == 1 then
  if reset <= 0 then reset = next_window() end
  local until_ms = math.min(math.max(reset, now), now + cap)
  if until_ms > blocked then redis.call('HSET', KEYS[1], 'blocked', tostring(until_ms)) end
elseif remaining >= 0 then
  local learned = tonumber(redis.call('HGET', KEYS[1], 'learned') or '0')
  if remaining + 1 > learned then
    redis.call('HSET', KEYS[1], 'learned', tostring(remaining + 1))
  end
  if remaining == 0 then
    if reset <= 0 then reset = next_window() end
    local until_ms = math.min(math.max(reset, now), now + window)
    if until_ms > blocked then redis.call('HSET', KEYS[1], 'blocked', tostring(until_ms)) end
  end
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return 1
"""


@dataclass
class RedisBudget:
    """A budget shared by every process through Redis.

    Args:
        redis: a ``redis.asyncio.Redis`` client (or a zero-argument callable returning one,
            called on first use, so the client binds to the running event loop).
        policy: the pacing policy.
        prefix: key prefix; the state of ``key`` lives in the hash ``<prefix><key>``.
        sleep: coroutine that waits (injectable in tests).
    """

    redis: Redis | Callable[[], Redis]
    policy: BudgetPolicy
    prefix: str = "tradewind:wish:budget:"
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _semaphores: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _client: Redis | None = None

    def _redis(self) -> Redis:
        if self._client is None:
            from redis.asyncio import Redis as RedisClient

            self._client = self.redis if isinstance(self.redis, RedisClient) else self.redis()
        return self._client

    def _ttl_ms(self) -> int:
        return int(max(60.0, self.policy.max_block_s * 2, self.policy.window_s * 10) * 1000)

    async def reserve(self, key: str) -> tuple[float, float]:
        """Reserve the next grant of ``key``; return ``(wait s, blocked-for s)``."""
        wait_ms, blocked_ms = await self._redis().eval(  # type: ignore[misc]
            _RESERVE,
            1,
            self.prefix + key,
            str(self.policy.limit),
            str(self.policy.window_s * 1000),
            str(self.policy.share),
            str(self._ttl_ms()),
        )
        return float(wait_ms) / 1000, float(blocked_ms) / 1000

    async def learn(self, key: str, feedback: Feedback) -> None:
        """Store an answer's feedback for every process."""
        reset_ms = int(feedback.reset_at * 1000) if feedback.reset_at is not None else 0
        remaining = -1 if feedback.remaining is None else feedback.remaining
        await self._redis().eval(  # type: ignore[misc]
            _LEARN,
            1,
            self.prefix + key,
            "1" if feedback.limited else "0",
            str(remaining),
            str(reset_ms),
            str(int(self.policy.window_s * 1000)),
            str(int(self.policy.max_block_s * 1000)),
            str(self._ttl_ms()),
        )

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[Feedback]:
        """Wait for a slot of ``key`` (shared pacing and 429 block); yield its feedback."""
        semaphore = self._semaphores.get(key)
        if semaphore is None:
            semaphore = self._semaphores[key] = asyncio.Semaphore(self.policy.max_concurrency)
        async with semaphore:
            wait, _ = await self.reserve(key)
            if wait > 0:
                await self.sleep(wait)
            feedback = Feedback()
            yield feedback
            await self.learn(key, feedback)

    async def learned_limit(self, key: str) -> float | None:
        """The limit learned from ``Remaining`` headers for ``key`` (``None`` before any)."""
        value = await self._redis().hget(self.prefix + key, "learned")  # type: ignore[misc]
        return float(value) if value else None


def budget_for(settings: WishSettings, redis_url: str | None) -> RateBudget:
    """The budget a deployment uses: Redis-backed when configured so, else in memory.

    Args:
        settings: the plugin settings (``rate_budget_backend`` and the pacing values).
        redis_url: the deployment's Redis URL, if any.
    """
    policy = BudgetPolicy.from_settings(settings)
    backend = settings.rate_budget_backend
    if backend == "auto":
        backend = "redis" if redis_url else "memory"
    if backend == "redis" and redis_url:
        url = redis_url

        def connect() -> Redis:
            from redis.asyncio import Redis as RedisClient

            client: Redis = RedisClient.from_url(url)
            return client

        return RedisBudget(connect, policy)
    return InMemoryBudget(policy)
