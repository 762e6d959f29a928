"""The orders JSON API under ``/api/v1/orders``: list, read, sync now, fulfil with tracking.

"Sync now" queues the store's ``<platform>.sync_orders`` job; fulfilment queues
``orders.fulfil``. Both answer ``{"job_id": ...}`` at once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from core.actor import Access, Actor, Area
from core.catalog.jobs import actor_payload
from core.models import OrderState
from core.orders.fulfilment import FULFIL_JOB
from core.orders.service import OrderOut, OrderPage, get_order, list_orders, load_order, sync_now
from core.runtime import Runtime


class OrderJob(BaseModel):
    """A queued job; follow it under ``/api/v1/jobs/{job_id}``."""

    job_id: int


class FulfilIn(BaseModel):
    """The tracking to declare on the platform."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    carrier_code: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=4, max_length=64)
    origin_country: str = Field(default="CN", pattern=r"^[A-Za-z]{2}$")
    tracking_url: str | None = None
    shipping_type: Literal["offline", "virtual"] = "offline"


class OrderApiController(Controller):
    """``/api/v1/orders`` and ``/api/v1/stores/{store_id}/sync-orders``."""

    path = "/api/v1"
    tags = ["orders"]

    @get("/orders", summary="List orders (filters by state and store, paginated)")
    async def list_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        wanted_state: Annotated[OrderState | None, QueryParameter(name="state")] = None,
        store_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 50,
    ) -> OrderPage:
        """Newest first, with the count of every state."""
        async with runtime.sessions() as session:
            return await list_orders(
                session, actor, state=wanted_state, store_id=store_id, page=page, per_page=per_page
            )

    @get("/orders/{order_id:int}", summary="One order with lines and address")
    async def get_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        order_id: FromPath[int],
    ) -> OrderOut:
        """The order, its lines, address and declared tracking."""
        async with runtime.sessions() as session:
            return await get_order(session, actor, order_id)

    @post("/orders/{order_id:int}/fulfil", summary="Ship with tracking (job)", status_code=202)
    async def fulfil_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        order_id: FromPath[int],
        data: JSONBody[FulfilIn],
    ) -> OrderJob:
        """Queue ``orders.fulfil``: the platform gets the tracking once; the order is shipped."""
        actor.require(Area.ORDERS, Access.WRITE)
        async with runtime.sessions() as session:
            order = await load_order(session, actor, order_id)
        payload = {
            "actor": actor_payload(actor),
            "order_id": order.id,
            **data.model_dump(),
            "origin_country": data.origin_country.upper(),
        }
        job_id = await runtime.queue.enqueue(
            FULFIL_JOB,
            payload,
            account_id=actor.account_id,
            user_id=actor.user_id,
            dedup_key=f"{FULFIL_JOB}:{order_id}",
            title=f"Ship order {order.platform_order_id}",
        )
        return OrderJob(job_id=job_id)

    @post(
        "/stores/{store_id:int}/sync-orders",
        summary="Sync a store's orders now (job)",
        status_code=202,
    )
    async def sync_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> OrderJob:
        """Queue the store platform's order sync job."""
        job_id = await sync_now(runtime.sessions, runtime.queue, runtime.registry, actor, store_id)
        return OrderJob(job_id=job_id)
