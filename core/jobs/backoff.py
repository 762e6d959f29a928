"""How long a job waits before its next attempt after a transient error."""

from __future__ import annotations

import random

BASE_DELAY_S = 2.0
"""Delay before the second attempt when the platform gave no hint."""
MAX_DELAY_S = 600.0
"""No computed delay is longer than this (a platform's ``retry_after`` may be longer)."""
RETRY_AFTER_JITTER = 0.1
"""Share of a platform's ``retry_after`` added at most, so retries of many jobs spread out."""

_jitter_source = random.Random()


def retry_delay(
    attempt: int,
    *,
    retry_after: float | None = None,
    base: float = BASE_DELAY_S,
    cap: float = MAX_DELAY_S,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before the attempt after ``attempt``.

    When the platform said how long to wait (``retry_after``, e.g. a rate-limit reset), that
    is the wait, plus up to 10 % jitter so many jobs held back together do not return in the
    same instant. Otherwise exponential backoff (``base * 2 ** (attempt - 1)``, at most
    ``cap``) with "equal jitter": the wait is spread uniformly over the upper half of it.

    Args:
        attempt: the attempt that just failed, 1 for the first.
        retry_after: seconds the platform asked us to wait, when it said so.
        base: delay before the second attempt, before jitter.
        cap: upper bound of the exponential part.
        rng: random source (tests pass a seeded one).

    Returns:
        The delay in seconds, always > 0.
    """
    source = rng if rng is not None else _jitter_source
    if retry_after is not None and retry_after > 0:
        return retry_after + source.uniform(0, retry_after * RETRY_AFTER_JITTER)
    exponential = min(cap, base * 2.0 ** max(0, attempt - 1))
    return max(exponential / 2 + source.uniform(0, exponential / 2), 0.001)
