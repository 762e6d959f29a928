"""Issue 4's "done when": the whole Wish flow through Tradewind's JSON API, over real HTTP.

The Wish sandbox runs on uvicorn; Tradewind runs in-process with the real plugins (wish,
catalog, orders, stores), the test database and Redis, and a real job worker. The store is
authorized through the JSON API and the sandbox's consent page (posted like a browser would),
products are published, edited, delisted and relisted by jobs, orders are synced in by "sync
now" and one is shipped with tracking; the sandbox itself is checked at each step.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlmodel import delete, select

from core.config import Settings
from core.crypto import CredentialCipher
from core.interfaces.common import CallContext
from core.interfaces.listings import ListingRecord
from core.interfaces.marketplace import Credentials
from core.jobs import InProcessWorker
from core.models import Order, OrderState, Shipment, Store, utcnow
from core.registry import build_registry
from plugins.wish.sandbox import SandboxApp, create_sandbox_app, running_server
from tests.web.helpers import SignedIn, make_client, running, runtime_of, send_json, sign_up
from web.app import create_app

PLUGINS = ["wish", "catalog", "orders", "stores"]
FINISHED = {"succeeded", "partial", "failed", "cancelled"}


@dataclass
class Flow:
    """The running pieces of one flow."""

    app: Litestar
    owner: SignedIn
    sandbox: httpx.AsyncClient
    merchant_id: str


async def admin(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, path, **kwargs)
    assert response.status_code < 300, response.text
    return response.json()["data"]


@pytest.fixture
def sandbox_app(tmp_path: Path) -> AsyncIterator[SandboxApp]:
    app = create_sandbox_app(
        tmp_path / "wish-sandbox.db",
        seed=3,
        faults={"rate_limit": 1000},
        review_delay_s=0,
        async_delay_s=0,
    )
    yield app
    app.close()


@pytest.fixture
async def flow(sandbox_app: SandboxApp, settings: Settings, engine: Any) -> AsyncIterator[Flow]:
    async with (
        running_server(sandbox_app) as base_url,
        httpx.AsyncClient(base_url=base_url) as sandbox,
    ):
        callback = f"{settings.effective_public_base_url}/stores/callback/wish"
        oauth_app = await admin(sandbox, "POST", "/sandbox/apps", json={"redirect_uri": callback})
        merchant = await admin(sandbox, "POST", "/sandbox/merchants", json={"name": "E2E shop"})
        wish = {
            "client_id": oauth_app["client_id"],
            "client_secret": oauth_app["client_secret"],
            "base_url": base_url,
            "rate_limit_per_second": 1000,
            "request_timeout_seconds": 3,
        }
        configured = settings.model_copy(
            update={"plugins": PLUGINS, "plugin": {**settings.plugin, "wish": wish}}
        )
        registry = build_registry(configured)
        async with running(create_app(configured, registry=registry)) as app:
            runtime = runtime_of(app)
            worker = InProcessWorker(
                configured,
                registry,
                redis_url=runtime.redis_url,
                sessions=runtime.sessions,
                http=runtime.http,
                poll_delay=0.05,
            )
            await worker.start()
            client = make_client(app)
            try:
                owner = await sign_up(app, client, account_name="Wish seller")
                yield Flow(app, owner, sandbox, merchant["id"])
            finally:
                await client.aclose()
                await worker.stop()


async def authorize_wish(flow: Flow) -> int:
    """The JSON API's authorize URL, the sandbox's consent page, Tradewind's callback."""
    started = await send_json(flow.owner.client, "POST", "/api/v1/stores/authorize/wish")
    assert started.status_code == 200, started.text
    page = await flow.sandbox.get(started.json()["authorize_url"])
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    form = {**hidden, "merchant_id": flow.merchant_id, "decision": "approve"}
    approved = await flow.sandbox.post(str(page.url.join(action.group(1))), data=form)
    assert approved.status_code == 302, approved.text
    back = httpx.URL(approved.headers["location"])
    done = await flow.owner.client.get(f"{back.path}?{back.query.decode()}")
    assert done.status_code == 303, done.text
    stores = (await flow.owner.get("/api/v1/stores")).json()
    assert [(s["platform"], s["status"]) for s in stores] == [("wish", "active")]
    store_id: int = stores[0]["id"]
    return store_id


async def wait_for_job(flow: Flow, job_id: int) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = (await flow.owner.get(f"/api/v1/jobs/{job_id}")).json()
        if job["status"] in FINISHED:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def run_job(flow: Flow, method: str, url: str, body: Any = None) -> dict[str, Any]:
    started = await send_json(flow.owner.client, method, url, body)
    assert started.status_code == 202, started.text
    job = await wait_for_job(flow, started.json()["job_id"])
    assert job["status"] == "succeeded", job
    return job


def product_body(sku: str, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "parent_sku": sku,
        "description": "A sturdy ceramic mug.\nDishwasher safe.",
        "tags": ["mug", "kitchen"],
        "main_image": {"url": f"https://img.example/{sku}/main.jpg"},
        "platform_category_id": "1234",
        "platform_data": {"origin_country": "CN"},
        "variants": [
            {
                "sku": f"{sku}-{colour}",
                "options": {"color": colour},
                "price": "9.99",
                "shipping_price": "2.50",
                "currency": "USD",
                "inventory": 50,
                "weight_grams": 350,
                "image": {"url": f"https://img.example/{sku}/{colour}.jpg"},
            }
            for colour in ("red", "blue")
        ],
    }


async def on_wish(flow: Flow, store_id: int, sku: str) -> ListingRecord | None:
    """What the sandbox holds for the parent SKU, asked through its Wish API."""
    runtime = runtime_of(flow.app)
    async with runtime.sessions() as session:
        store = await session.get(Store, store_id)
    assert store is not None and store.credentials_encrypted
    cipher = CredentialCipher.from_settings(runtime.settings)
    credentials = Credentials(cipher.decrypt(store.credentials_encrypted))
    adapter = runtime.registry.marketplaces["wish"]
    return await adapter.find_listing_by_sku(CallContext(http=flow.sandbox), credentials, sku)


async def draft_in_store(flow: Flow, store_id: int, sku: str, title: str) -> int:
    client = flow.owner.client
    made = await send_json(client, "POST", "/api/v1/products", product_body(sku, title))
    assert made.status_code == 201, made.text
    claimed = await send_json(
        client,
        "POST",
        "/api/v1/products/claim",
        {"product_ids": [made.json()["id"]], "store_ids": [store_id]},
    )
    assert claimed.status_code == 200, claimed.text
    draft_id: int = claimed.json()["claimed"][0]["product_id"]
    checked = await send_json(client, "POST", f"/api/v1/products/{draft_id}/validate")
    assert checked.json()["ok"], checked.json()["problems"]
    return draft_id


async def test_wish_from_authorization_to_a_shipped_order(flow: Flow) -> None:
    client = flow.owner.client
    store_id = await authorize_wish(flow)
    mug = await draft_in_store(flow, store_id, "E2E-MUG", "Ceramic mug")
    cup = await draft_in_store(flow, store_id, "E2E-CUP", "Ceramic cup")

    # The token is about to expire: publishing refreshes it first (the stores connector).
    runtime = runtime_of(flow.app)
    async with runtime.sessions() as session, session.begin():
        store = await session.get(Store, store_id)
        assert store is not None
        old_token = store.credentials_encrypted
        store.credentials_expires_at = utcnow() + timedelta(hours=1)
        session.add(store)
    await run_job(flow, "POST", "/api/v1/products/publish", {"product_ids": [mug, cup]})
    async with runtime.sessions() as session:
        store = await session.get(Store, store_id)
    assert store is not None and store.credentials_encrypted != old_token
    assert store.credentials_expires_at > utcnow() + timedelta(days=7)
    product = (await client.get(f"/api/v1/products/{mug}")).json()
    assert product["state"] == "published" and product["platform_product_id"]
    listing = await on_wish(flow, store_id, "E2E-MUG")
    assert listing is not None and listing.listing_id == product["platform_product_id"]

    edited = await send_json(client, "PATCH", f"/api/v1/products/{mug}", {"title": "Blue mug"})
    assert edited.status_code == 200, edited.text
    push_job = edited.json()["push_job_id"]
    assert push_job is not None
    assert (await wait_for_job(flow, push_job))["status"] == "succeeded"
    assert (await on_wish(flow, store_id, "E2E-MUG")).title == "Blue mug"  # type: ignore[union-attr]

    await run_job(flow, "POST", "/api/v1/products/delist", {"product_ids": [cup]})
    assert (await on_wish(flow, store_id, "E2E-CUP")).platform_status == "MERCHANT_INACTIVE"  # type: ignore[union-attr]
    assert (await client.get(f"/api/v1/products/{cup}")).json()["state"] == "delisted"
    await run_job(flow, "POST", "/api/v1/products/relist", {"product_ids": [cup]})
    assert (await on_wish(flow, store_id, "E2E-CUP")).platform_status != "MERCHANT_INACTIVE"  # type: ignore[union-attr]
    assert (await client.get(f"/api/v1/products/{cup}")).json()["state"] == "published"

    generated = await admin(
        flow.sandbox,
        "POST",
        f"/sandbox/merchants/{flow.merchant_id}/orders/generate",
        json={"count": 4},
    )
    await run_job(flow, "POST", f"/api/v1/stores/{store_id}/sync-orders")
    orders = (await client.get("/api/v1/orders", params={"store_id": store_id})).json()
    assert sorted(o["platform_order_id"] for o in orders["items"]) == sorted(generated["order_ids"])
    first = orders["items"][0]
    detail = (await client.get(f"/api/v1/orders/{first['id']}")).json()
    assert detail["lines"] and detail["shipping_address"]

    tracking = {"carrier_code": "epacket", "tracking_number": "LK434266003CN"}
    await run_job(flow, "POST", f"/api/v1/orders/{first['id']}/fulfil", tracking)
    shipped = (await client.get(f"/api/v1/orders/{first['id']}")).json()
    assert shipped["state"] == "shipped" and shipped["shipping_type"] == "offline"
    on_sandbox = await wish_order(flow, store_id, first["platform_order_id"])
    assert on_sandbox["state"] == "SHIPPED"
    assert [t["tracking_number"] for t in on_sandbox["tracking_information"]] == ["LK434266003CN"]

    # A retry whose first attempt reached Wish but died before saving: the order is read
    # back from Wish first, so the tracking is not sent a second time.
    async with runtime_of(flow.app).sessions() as session, session.begin():
        await session.exec(delete(Shipment))
        order = await session.get(Order, first["id"])
        assert order is not None
        order.state = OrderState.TO_REVIEW
        session.add(order)
    await run_job(flow, "POST", f"/api/v1/orders/{first['id']}/fulfil", tracking)
    assert (await client.get(f"/api/v1/orders/{first['id']}")).json()["state"] == "shipped"
    again = await wish_order(flow, store_id, first["platform_order_id"])
    assert again == on_sandbox


async def wish_order(flow: Flow, store_id: int, order_id: str) -> dict[str, Any]:
    runtime = runtime_of(flow.app)
    async with runtime.sessions() as session:
        store = await session.get(Store, store_id)
    assert store is not None and store.credentials_encrypted
    token = CredentialCipher.from_settings(runtime.settings).decrypt(store.credentials_encrypted)[
        "access_token"
    ]
    answer = await flow.sandbox.get(
        f"/api/v3/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


async def test_a_lost_publish_answer_leaves_exactly_one_product_on_wish(flow: Flow) -> None:
    store_id = await authorize_wish(flow)
    mug = await draft_in_store(flow, store_id, "LOST-MUG", "Ceramic mug")
    await admin(flow.sandbox, "PUT", "/sandbox/faults", json={"script": ["lost"]})
    await run_job(flow, "POST", "/api/v1/products/publish", {"product_ids": [mug]})
    product = (await flow.owner.client.get(f"/api/v1/products/{mug}")).json()
    assert product["state"] == "published"
    assert (await admin(flow.sandbox, "GET", "/sandbox/faults"))["script"] == []  # it was lost
    runtime = runtime_of(flow.app)
    async with runtime.sessions() as session:
        store = (await session.exec(select(Store))).one()
    token = CredentialCipher.from_settings(runtime.settings).decrypt(
        store.credentials_encrypted or ""
    )["access_token"]
    listed = await flow.sandbox.get(
        "/api/v3/products", headers={"Authorization": f"Bearer {token}"}, params={"limit": 100}
    )
    assert listed.status_code == 200, listed.text
    skus = [p.get("parent_sku") for p in listed.json()["data"]]
    assert skus == ["LOST-MUG"]
