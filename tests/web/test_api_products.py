"""The catalog and orders JSON API on the real app (real database and Redis, no worker)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.catalog.jobs import CATALOG_JOBS
from core.models import JobRecord, Product, ProductState, Store
from core.orders.fulfilment import ORDER_JOBS
from core.registry import Registry
from tests.web.helpers import SignedIn, authorize_store, csrf_token, runtime_of, send_json


@pytest.fixture
def registry(test_market) -> Registry:
    jobs = {definition.name: definition for definition in (*CATALOG_JOBS, *ORDER_JOBS)}
    return Registry(marketplaces={"testmarket": test_market}, jobs=jobs)


def _product(title: str, sku: str) -> dict:
    return {
        "title": title,
        "parent_sku": sku,
        "description": "A sturdy thing",
        "variants": [{"sku": f"{sku}-1", "price": "9.50", "currency": "USD", "inventory": 5}],
    }


async def _store_id(app, owner: SignedIn, oauth_state) -> int:
    oauth_state.add_shop("api-shop", "API shop")
    await authorize_store(owner, "api-shop")
    async with runtime_of(app).sessions() as session:
        return (await session.exec(select(Store.id))).one()


async def test_create_list_edit_claim_and_publish_through_the_api(app, owner, oauth_state):
    c = owner.client
    made = await send_json(c, "POST", "/api/v1/products", _product("Blue mug", "MUG"))
    assert made.status_code == 201, made.text
    mug = made.json()
    assert mug["state"] == "collection_box" and mug["store_id"] is None
    await send_json(c, "POST", "/api/v1/products", _product("Red cup", "CUP"))

    listed = (await c.get("/api/v1/products", params={"search": "mug"})).json()
    assert [p["title"] for p in listed["items"]] == ["Blue mug"]
    assert listed["counts"]["collection_box"] == 1  # counts follow the filter, not the tab
    first = (await c.get("/api/v1/products", params={"limit": 1})).json()
    second = await c.get("/api/v1/products", params={"limit": 1, "cursor": first["next_cursor"]})
    assert {first["items"][0]["title"], second.json()["items"][0]["title"]} == {
        "Blue mug",
        "Red cup",
    }

    edited = await send_json(c, "PATCH", f"/api/v1/products/{mug['id']}", {"title": "Big mug"})
    assert edited.status_code == 200 and edited.json()["product"]["title"] == "Big mug"
    assert edited.json()["push_job_id"] is None

    store_id = await _store_id(app, owner, oauth_state)
    moved = await send_json(c, "PATCH", f"/api/v1/products/{mug['id']}", {"store_id": store_id})
    assert moved.status_code == 409

    claimed = await send_json(
        c, "POST", "/api/v1/products/claim", {"product_ids": [mug["id"]], "store_ids": [store_id]}
    )
    assert claimed.status_code == 200, claimed.text
    draft_id = claimed.json()["claimed"][0]["product_id"]
    draft = (await c.get(f"/api/v1/products/{draft_id}")).json()
    assert draft["state"] == "draft" and draft["store_id"] == store_id

    checked = await send_json(c, "POST", f"/api/v1/products/{draft_id}/validate")
    assert checked.status_code == 200, checked.text
    assert set(checked.json()) == {"product_id", "ok", "problems"}

    published = await send_json(c, "POST", "/api/v1/products/publish", {"product_ids": [draft_id]})
    assert published.status_code == 202, published.text
    async with runtime_of(app).sessions() as session:
        job = await session.get(JobRecord, published.json()["job_id"])
    assert job.name == "catalog.publish" and job.payload["product_ids"] == [draft_id]
    assert job.account_id == owner.account_id


async def test_delete_refuses_published_products_and_says_delist(app, owner, oauth_state):
    c = owner.client
    store_id = await _store_id(app, owner, oauth_state)
    one = (await send_json(c, "POST", "/api/v1/products", _product("One", "ONE"))).json()
    body = {**_product("Two", "TWO"), "store_id": store_id}
    two = (await send_json(c, "POST", "/api/v1/products", body)).json()
    async with runtime_of(app).sessions() as session, session.begin():
        row = await session.get(Product, two["id"])
        row.state = ProductState.PUBLISHED
        session.add(row)
    refused = await send_json(c, "DELETE", f"/api/v1/products/{two['id']}")
    assert refused.status_code == 409
    assert "请改为下架" in refused.json()["detail"]  # the user's language, like the pages
    await owner.post("/locale", {"locale": "en", "next": "/"})
    refused = await send_json(c, "DELETE", f"/api/v1/products/{two['id']}")
    assert refused.status_code == 409 and "delist instead" in refused.json()["detail"]
    many = await send_json(
        c, "POST", "/api/v1/products/delete", {"product_ids": [one["id"], two["id"]]}
    )
    assert many.json()["deleted_ids"] == [one["id"]]
    assert "delist instead" in many.json()["refused"][0]["reason"]


async def test_template_export_import_and_categories(app, owner):
    c = owner.client
    template = await c.get("/api/v1/products/template", params={"format": "csv", "language": "en"})
    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    checked = await c.post(
        "/api/v1/products/import/dry-run",
        files={"file": ("products.csv", template.content, "text/csv")},
        headers={"X-CSRFToken": await csrf_token(c)},
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["dry_run"] is True and checked.json()["products"] >= 1

    await send_json(c, "POST", "/api/v1/products", _product("Lamp", "LAMP"))
    exported = await send_json(
        c,
        "POST",
        "/api/v1/products/export",
        {"selection": {"filter": {}, "all_matching": True}, "format": "csv"},
    )
    assert exported.status_code == 200 and b"LAMP" in exported.content

    home = (await send_json(c, "POST", "/api/v1/categories", {"name": "Home"})).json()
    mugs = (
        await send_json(c, "POST", "/api/v1/categories", {"name": "Mugs", "parent_id": home["id"]})
    ).json()
    moved = await send_json(c, "POST", f"/api/v1/categories/{mugs['id']}/move", {})
    assert moved.json()["parent_id"] is None
    lamp = (await c.get("/api/v1/products", params={"search": "Lamp"})).json()["items"][0]
    assigned = await send_json(
        c, "POST", f"/api/v1/categories/{mugs['id']}/assign", {"product_ids": [lamp["id"]]}
    )
    assert assigned.json() == {"changed": 1}
    tree = (await c.get("/api/v1/categories")).json()
    assert sorted(n["name"] for n in tree) == ["Home", "Mugs"]


async def test_orders_api_lists_and_refuses_sync_without_a_plugin_job(app, owner, oauth_state):
    store_id = await _store_id(app, owner, oauth_state)
    listed = (await owner.client.get("/api/v1/orders")).json()
    assert listed["items"] == [] and listed["total"] == 0
    refused = await send_json(owner.client, "POST", f"/api/v1/stores/{store_id}/sync-orders")
    assert refused.status_code == 409 and "does not sync orders" in refused.text
