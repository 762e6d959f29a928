"""Fault and load knobs, and the seeded decision of which request gets which fault.

Kinds (for requests whose path starts with ``path_prefix``, by default every ``/api/v3/``
call; admin and authorize-page requests are never faulted):

- ``latency_ms`` delays every such request; a client that gives up meanwhile does not stop
  it: the request still runs (a write is still applied), as on a slow real server;

- ``error``: answer 5xx (one of ``error_statuses``) without running the handler;
- ``timeout``: hold the request without answering until the client gives up (or ``hang_s``
  passes, then answer 504); the handler does not run;
- ``drop``: send a status line and headers, then close the connection (over a real server
  the client sees e.g. ``httpx.RemoteProtocolError``); the handler does not run;
- ``lost``: run the handler (the write IS applied), then lose the response the way
  ``lost_response_mode`` says ("drop" or "hang").

``script`` forces the next requests' outcomes in order ("ok", "error", "timeout", "drop",
"lost"); when it is empty each request draws once from a ``random.Random(seed)`` against the
shares (``lost_response_share`` applies to writes only). Decisions are therefore
reproducible for a given seed and request order.
"""

from __future__ import annotations

import random
from dataclasses import MISSING, asdict, dataclass, field, replace
from typing import Any

KINDS = ("ok", "error", "timeout", "drop", "lost")
_SHARES = ("error_share", "timeout_share", "drop_share", "lost_response_share")


@dataclass(frozen=True)
class Faults:
    """The knobs (all off by default, except a generous rate limit).

    Attributes:
        latency_ms: added before every matching request.
        rate_limit: requests allowed per window, per merchant per app.
        rate_window_s: window length in seconds.
        error_share: share of requests answered 5xx.
        timeout_share: share of requests held until the client times out.
        drop_share: share of requests whose connection is dropped.
        lost_response_share: share of writes applied but whose response is lost.
        lost_response_mode: "drop" or "hang" for lost responses.
        hang_s: how long a held request waits before answering 504 anyway.
        error_statuses: statuses the ``error`` fault picks from.
        path_prefix: only paths starting with this are faulted and rate limited.
        script: forced outcomes for the next matching requests.
    """

    latency_ms: int = 0
    rate_limit: int = 100
    rate_window_s: int = 1
    error_share: float = 0.0
    timeout_share: float = 0.0
    drop_share: float = 0.0
    lost_response_share: float = 0.0
    lost_response_mode: str = "drop"
    hang_s: float = 60.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    path_prefix: str = "/api/v3/"
    script: tuple[str, ...] = field(default_factory=tuple)

    def updated(self, changes: dict[str, Any]) -> Faults:
        """Return a copy with ``changes`` applied.

        Raises:
            ValueError: an unknown knob or a value out of range.
        """
        known = set(self.__dataclass_fields__)
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown fault knobs: {', '.join(unknown)}")
        values = dict(changes)
        for name in ("error_statuses", "script"):
            if name in values:
                values[name] = tuple(values[name])
        result = replace(self, **values)
        result.check()
        return result

    def check(self) -> None:
        """Validate the knobs.

        Raises:
            ValueError: a value is out of range.
        """
        check_types(self)
        shares = [float(getattr(self, name)) for name in _SHARES]
        if any(share < 0 or share > 1 for share in shares) or sum(shares) > 1:
            raise ValueError("shares must be within 0..1 and sum to at most 1")
        if self.latency_ms < 0 or self.hang_s < 0:
            raise ValueError("latency_ms and hang_s must not be negative")
        if self.rate_limit < 1 or self.rate_window_s < 1:
            raise ValueError("rate_limit and rate_window_s must be at least 1")
        if self.lost_response_mode not in ("drop", "hang"):
            raise ValueError("lost_response_mode must be 'drop' or 'hang'")
        if not self.error_statuses or any(s < 500 or s > 599 for s in self.error_statuses):
            raise ValueError("error_statuses must be 5xx statuses")
        if any(kind not in KINDS for kind in self.script):
            raise ValueError(f"script items must be among {', '.join(KINDS)}")

    def to_dict(self) -> dict[str, Any]:
        """Return the knobs as JSON-ready values."""
        data = asdict(self)
        data["error_statuses"] = list(self.error_statuses)
        data["script"] = list(self.script)
        return data


def check_types(knobs: Any) -> None:
    """Check that every field of a knobs dataclass has its default's JSON type.

    Raises:
        ValueError: a field holds a value of another type.
    """
    for name, spec in knobs.__dataclass_fields__.items():
        value = getattr(knobs, name)
        default = spec.default if spec.default_factory is MISSING else spec.default_factory()
        expected = type(default)
        if expected is float:
            fits = isinstance(value, int | float) and not isinstance(value, bool)
        elif expected is int:
            fits = isinstance(value, int) and not isinstance(value, bool)
        elif expected is tuple:
            fits = isinstance(value, tuple)
        else:
            fits = isinstance(value, expected)
        if not fits:
            raise ValueError(f"{name} must be of type {expected.__name__}")


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject.

    Args:
        faults: the initial knobs.
        seed: seeds the decisions.
    """

    def __init__(self, faults: Faults, seed: int) -> None:
        faults.check()
        self.faults = faults
        self._rng = random.Random(f"wish-sandbox-faults:{seed}")
        self._script = list(faults.script)

    def configure(self, faults: Faults) -> None:
        """Replace the knobs; a new script replaces what is left of the old one."""
        self.faults = faults
        self._script = list(faults.script)

    def applies_to(self, path: str) -> bool:
        """Whether faults and rate limits apply to ``path``."""
        return path.startswith(self.faults.path_prefix)

    def decide(self, *, is_write: bool) -> str | None:
        """Return the fault kind for the next matching request, or None for none."""
        if self._script:
            kind = self._script.pop(0)
            return None if kind == "ok" else kind
        draw = self._rng.random()
        cumulative = 0.0
        for kind, share in (
            ("error", self.faults.error_share),
            ("timeout", self.faults.timeout_share),
            ("drop", self.faults.drop_share),
            ("lost", self.faults.lost_response_share if is_write else 0.0),
        ):
            cumulative += share
            if draw < cumulative:
                return kind
        return None

    def error_status(self) -> int:
        """Pick the status of an ``error`` fault."""
        return self._rng.choice(self.faults.error_statuses)

    def remaining_script(self) -> list[str]:
        """Return the forced outcomes not used yet."""
        return list(self._script)
