"""Composition root of the Wish sandbox: :func:`create_sandbox_app`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from litestar import Litestar
from litestar.datastructures import State

from plugins.wish.sandbox import admin, oauth, orders, products
from plugins.wish.sandbox.catalog import settle_reviews
from plugins.wish.sandbox.clock import SandboxClock
from plugins.wish.sandbox.context import Sandbox, SandboxSettings, sandbox_of
from plugins.wish.sandbox.errors import AnyRequest, handle_exception
from plugins.wish.sandbox.faults import Faults
from plugins.wish.sandbox.fulfillment import settle_orders
from plugins.wish.sandbox.gateway import ASGIApp, Receive, SandboxGateway, Scope, Send
from plugins.wish.sandbox.store import SandboxStore


async def _settle(request: AnyRequest) -> None:
    """Apply every review, tracking or refund update that fell due before this request."""
    sandbox = sandbox_of(request)
    settle_reviews(sandbox)
    settle_orders(sandbox)


class SandboxApp:
    """The sandbox as an ASGI application.

    Attributes:
        sandbox: its state (store, clock, settings, faults), for tests and the runner.
        litestar: the inner Litestar app.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.litestar = Litestar(
            route_handlers=[*oauth.ROUTES, *products.ROUTES, *orders.ROUTES, *admin.ROUTES],
            exception_handlers={Exception: handle_exception},
            before_request=_settle,
            on_shutdown=[self.close],
            openapi_config=None,
            logging_config=None,
            state=State({"sandbox": sandbox}),
        )
        self._gateway = SandboxGateway(cast(ASGIApp, self.litestar), sandbox)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve an ASGI scope."""
        await self._gateway(scope, receive, send)

    def close(self) -> None:
        """Close the database (also done on ASGI lifespan shutdown)."""
        self.sandbox.store.close()


def create_sandbox_app(
    db_path: str | Path,
    *,
    seed: int = 0,
    faults: Faults | Mapping[str, Any] | None = None,
    clock: SandboxClock | None = None,
    **settings: Any,
) -> SandboxApp:
    """Build a Wish sandbox on the SQLite file ``db_path`` (created if missing).

    Args:
        db_path: the database file; reuse it to keep state across restarts.
        seed: seeds fault decisions, review outcomes and generated orders.
        faults: fault and load knobs (:class:`~plugins.wish.sandbox.faults.Faults` or a dict
            of its fields); None for none.
        clock: the clock to use; a running real-time clock by default.
        **settings: lifecycle settings, fields of
            :class:`~plugins.wish.sandbox.context.SandboxSettings` (``review_delay_s``,
            ``reject_share``, ``async_delay_s``, ``async_fail_share``, ``token_ttl_s``, ...).

    Returns:
        The ASGI app (serve it with uvicorn, or call it through ``httpx.ASGITransport``).

    Raises:
        ValueError: an unknown setting or fault knob, or a value out of range.
    """
    if faults is None:
        fault_knobs = Faults()
    elif isinstance(faults, Faults):
        fault_knobs = faults
    else:
        fault_knobs = Faults().updated(dict(faults))
    fault_knobs.check()
    sandbox = Sandbox(
        store=SandboxStore(db_path, seed=seed),
        clock=clock or SandboxClock(),
        settings=SandboxSettings().updated(settings),
        faults=fault_knobs,
        seed=seed,
    )
    return SandboxApp(sandbox)
