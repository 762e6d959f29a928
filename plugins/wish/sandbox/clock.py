"""The sandbox's clock and the Wish date-time format.

Every time the sandbox stores or compares (token expiry, auth-code expiry, review and
processing delays, rate-limit windows, ``updated_at``) comes from one :class:`SandboxClock`,
so tests can freeze it and move it forward instead of sleeping.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)


class SandboxClock:
    """Wall-clock time, optionally shifted or frozen, in integer milliseconds since the epoch.

    Args:
        frozen_at_ms: freeze the clock at this instant (ms since the epoch); None runs it.
        offset_ms: shift added to the real time while the clock runs.
    """

    def __init__(self, *, frozen_at_ms: int | None = None, offset_ms: int = 0) -> None:
        self._frozen_at_ms = frozen_at_ms
        self._offset_ms = offset_ms

    def now_ms(self) -> int:
        """Return the sandbox's current time in milliseconds since the epoch."""
        if self._frozen_at_ms is not None:
            return self._frozen_at_ms
        return time.time_ns() // 1_000_000 + self._offset_ms

    @property
    def frozen(self) -> bool:
        """Whether the clock is frozen."""
        return self._frozen_at_ms is not None

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value) by ``seconds``."""
        delta = round(seconds * 1000)
        if self._frozen_at_ms is not None:
            self._frozen_at_ms += delta
        else:
            self._offset_ms += delta

    def freeze(self, at_ms: int | None = None) -> None:
        """Stop the clock at ``at_ms``, or at the current reading when None."""
        self._frozen_at_ms = self.now_ms() if at_ms is None else at_ms

    def unfreeze(self) -> None:
        """Let the clock run again from its current reading (no jump)."""
        if self._frozen_at_ms is None:
            return
        current = self._frozen_at_ms
        self._frozen_at_ms = None
        self._offset_ms = current - time.time_ns() // 1_000_000

    def describe(self) -> dict[str, object]:
        """Return the clock's state for the admin API."""
        return {"now": format_ms(self.now_ms()), "frozen": self.frozen}


def format_ms(ms: int) -> str:
    """Format epoch milliseconds the way Wish does: ``2022-10-19T04:16:35.661+00:00``."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


def parse_to_ms(text: str) -> int:
    """Parse a Wish date-time (``YYYY-MM-DDTHH:mm:ss[.sss](Z|±HH:MM)``) to epoch ms.

    Milliseconds are optional and default to 0; digits beyond milliseconds are dropped; a
    value without an offset is taken as UTC.

    Raises:
        ValueError: the text is not such a date-time.
    """
    match = _ISO.match(text.strip())
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    millis = int((fraction or "0")[:3].ljust(3, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
    )
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return (moment - epoch) // timedelta(milliseconds=1) + millis
