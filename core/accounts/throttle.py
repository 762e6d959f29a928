"""Slowing down repeated failed sign-ins, per email and per client address (in Redis).

Every failure counts against the email and against the address for ``window`` seconds.
Once a counter reaches its limit, that email (or address) is locked for a delay that doubles
with each further failure (``base_delay``, 2x, 4x, ... up to ``max_delay``). While locked,
every sign-in for it is refused, even with the right password, and the refusal says how long
to wait. A successful sign-in clears the email's counter (not the address's: one right
password must not reset a guessing run against other accounts from the same address).

Counters live in Redis so every web process shares them; they expire on their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis.asyncio as aioredis

from core.accounts.errors import TooManyAttempts
from core.i18n import msg


@dataclass(frozen=True)
class ThrottlePolicy:
    """Limits of :class:`SignInThrottle`.

    Attributes:
        email_limit: failures per email before it is locked.
        address_limit: failures per client address before it is locked.
        base_delay: seconds of the first lock; each further failure doubles it.
        max_delay: the longest lock, in seconds.
        window: seconds a failure is remembered.
    """

    email_limit: int = 5
    address_limit: int = 20
    base_delay: int = 30
    max_delay: int = 15 * 60
    window: int = 60 * 60


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class SignInThrottle:
    """Counts failed sign-ins in Redis and refuses attempts while an email or address is locked.

    Args:
        redis: the Redis client (``runtime.redis``).
        policy: the limits.
        prefix: key prefix, so deployments (and tests) sharing a Redis stay apart.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        policy: ThrottlePolicy | None = None,
        *,
        prefix: str = "tradewind:signin",
    ) -> None:
        self.redis = redis
        self.policy = policy or ThrottlePolicy()
        self.prefix = prefix

    def _keys(self, kind: str, value: str) -> tuple[str, str]:
        digest = _digest(value)
        return f"{self.prefix}:fail:{kind}:{digest}", f"{self.prefix}:lock:{kind}:{digest}"

    def _subjects(self, email: str, address: str | None) -> list[tuple[str, str, int]]:
        subjects = [("email", email.strip().lower(), self.policy.email_limit)]
        if address:
            subjects.append(("addr", address, self.policy.address_limit))
        return subjects

    async def check(self, email: str, address: str | None) -> None:
        """Refuse the attempt while the email or the address is locked.

        Raises:
            TooManyAttempts: with ``retry_after`` in seconds (the longer of both locks).
        """
        wait_ms = 0
        for kind, value, _limit in self._subjects(email, address):
            ttl = int(await self.redis.pttl(self._keys(kind, value)[1]))
            wait_ms = max(wait_ms, ttl)
        if wait_ms > 0:
            seconds = -(-wait_ms // 1000)
            raise TooManyAttempts(
                msg("Too many failed sign-ins; try again in %(seconds)s seconds.", seconds=seconds),
                retry_after=float(seconds),
            )

    async def failed(self, email: str, address: str | None) -> None:
        """Count a failed attempt; lock the email or address when it reaches its limit."""
        for kind, value, limit in self._subjects(email, address):
            count_key, lock_key = self._keys(kind, value)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(count_key)
                pipe.expire(count_key, self.policy.window)
                count, _ = await pipe.execute()
            if int(count) >= limit:
                doubled = self.policy.base_delay * 2 ** (int(count) - limit)
                delay = min(doubled, self.policy.max_delay)
                await self.redis.set(lock_key, "1", ex=max(1, int(delay)))

    async def succeeded(self, email: str) -> None:
        """Forget the email's failures after a successful sign-in."""
        count_key, lock_key = self._keys("email", email.strip().lower())
        await self.redis.delete(count_key, lock_key)
