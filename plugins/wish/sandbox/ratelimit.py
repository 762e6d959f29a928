"""Per-merchant, per-app rate limiting in fixed windows aligned to the sandbox clock.

Wish limits "on a per-merchant basis for each app" and publishes no numbers. The sandbox
allows ``limit`` requests per window of ``window_s`` seconds; windows start at multiples of
``window_s`` on the epoch, so ``Wish-Rate-Limit-Reset`` is simply the epoch second at which
the next window starts (in the sandbox clock's time, which is real time unless the clock was
moved).
"""

from __future__ import annotations

from dataclasses import dataclass

_PRUNE_AT = 10_000


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request.

    Attributes:
        allowed: whether the request may proceed.
        remaining: calls left in the current window after this one.
        reset_epoch_s: epoch second at which the window resets.
    """

    allowed: bool
    remaining: int
    reset_epoch_s: int


class FixedWindowLimiter:
    """Counts requests per key in the current window."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    def hit(self, key: str, now_ms: int, limit: int, window_s: int) -> RateDecision:
        """Count a request for ``key`` and decide whether it is within ``limit``."""
        window = now_ms // (window_s * 1000)
        reset = (window + 1) * window_s
        current, count = self._windows.get(key, (window, 0))
        if current != window:
            count = 0
        if count >= limit:
            self._windows[key] = (window, count)
            return RateDecision(allowed=False, remaining=0, reset_epoch_s=reset)
        count += 1
        self._windows[key] = (window, count)
        if len(self._windows) > _PRUNE_AT:
            self._prune(window)
        return RateDecision(allowed=True, remaining=limit - count, reset_epoch_s=reset)

    def reset(self) -> None:
        """Forget every count (used when the limit is reconfigured)."""
        self._windows.clear()

    def _prune(self, window: int) -> None:
        stale = [key for key, (seen, _) in self._windows.items() if seen != window]
        for key in stale:
            del self._windows[key]
