"""The state one sandbox instance carries: store, clock, lifecycle settings, faults."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace
from typing import Any

from litestar import Request

from plugins.wish.sandbox.clock import SandboxClock
from plugins.wish.sandbox.faults import FaultInjector, Faults, check_types
from plugins.wish.sandbox.ratelimit import FixedWindowLimiter
from plugins.wish.sandbox.store import SandboxStore

DAY_S = 86_400.0


@dataclass(frozen=True)
class SandboxSettings:
    """Lifecycle knobs (all times in seconds of the sandbox clock).

    Attributes:
        review_delay_s: how long a new product stays WISH_INACTIVE under review.
        reject_share: share of reviews that remove the product (REMOVED_BY_WISH).
        reject_marker: a product whose name contains this text is always rejected.
        async_delay_s: how long tracking and refund updates stay IN_PROGRESS.
        async_fail_share: share of those updates that end FAILED.
        token_ttl_s: access-token lifetime (Wish: 30 days).
        code_ttl_s: authorization-code lifetime (Wish: 5 minutes).
        ship_within_s: time from release to ``expected_ship_time``.
        auto_refund: refund APPROVED orders still unshipped at ``expected_ship_time``.
    """

    review_delay_s: float = 60.0
    reject_share: float = 0.0
    reject_marker: str = "[REJECT]"
    async_delay_s: float = 5.0
    async_fail_share: float = 0.0
    token_ttl_s: float = 30 * DAY_S
    code_ttl_s: float = 300.0
    ship_within_s: float = 5 * DAY_S
    auto_refund: bool = True

    def updated(self, changes: dict[str, Any]) -> SandboxSettings:
        """Return a copy with ``changes`` applied.

        Raises:
            ValueError: an unknown setting or a value out of range.
        """
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        result = replace(self, **changes)
        result.check()
        return result

    def check(self) -> None:
        """Validate the settings.

        Raises:
            ValueError: a value is out of range.
        """
        check_types(self)
        for name in ("review_delay_s", "async_delay_s", "token_ttl_s", "code_ttl_s"):
            if float(getattr(self, name)) < 0:
                raise ValueError(f"{name} must not be negative")
        if float(self.ship_within_s) <= 0:
            raise ValueError("ship_within_s must be positive")
        for name in ("reject_share", "async_fail_share"):
            if not 0 <= float(getattr(self, name)) <= 1:
                raise ValueError(f"{name} must be within 0..1")

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-ready values."""
        return asdict(self)


class Sandbox:
    """Everything a request handler of one sandbox instance needs.

    Args:
        store: the database.
        clock: the sandbox clock.
        settings: lifecycle knobs.
        faults: fault and load knobs.
        seed: seeds fault decisions and generated data.
    """

    def __init__(
        self,
        store: SandboxStore,
        clock: SandboxClock,
        settings: SandboxSettings,
        faults: Faults,
        seed: int,
    ) -> None:
        settings.check()
        self.store = store
        self.clock = clock
        self.settings = settings
        self.injector = FaultInjector(faults, seed)
        self.limiter = FixedWindowLimiter()
        self.rng = random.Random(f"wish-sandbox-data:{seed}")

    @property
    def faults(self) -> Faults:
        """The current fault knobs."""
        return self.injector.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault knobs (rate counts restart)."""
        self.injector.configure(faults)
        self.limiter.reset()

    def now_ms(self) -> int:
        """Return the sandbox clock's time in epoch milliseconds."""
        return self.clock.now_ms()

    def new_id(self) -> str:
        """Return a new object id."""
        return self.store.new_object_id(self.now_ms())

    def rate_key(self, authorization: str | None, peer: str) -> str:
        """Return the rate-limit bucket of a request.

        Calls with a known token count against their merchant and app; others (token
        exchange, bad tokens) against the caller's address.
        """
        token = bearer_token(authorization)
        if token:
            row = self.store.row(
                "SELECT client_id, merchant_id FROM access_tokens WHERE token = ?", (token,)
            )
            if row is not None:
                return f"{row['merchant_id']}:{row['client_id']}"
        return f"anonymous:{peer}"


def bearer_token(authorization: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def sandbox_of(request: Request[Any, Any, Any]) -> Sandbox:
    """Return the sandbox instance serving ``request``."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
