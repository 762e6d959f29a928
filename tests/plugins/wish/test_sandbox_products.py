"""Products of the Wish sandbox: create, review, update, disable/enable, delete, list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from plugins.wish.sandbox.clock import format_ms, parse_to_ms
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.sandbox_helpers import (
    PagingStuck,
    admin,
    error_of,
    obtain_tokens,
    page_all,
    usd,
)

Payload = Callable[..., dict[str, Any]]


async def create(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/api/v3/products", json=body, headers=auth)
    assert response.status_code == 200, response.text
    product: dict[str, Any] = response.json()["data"]
    return product


async def fetch(client: httpx.AsyncClient, auth: dict[str, str], product_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v3/products/{product_id}", headers=auth)
    assert response.status_code == 200, response.text
    product: dict[str, Any] = response.json()["data"]
    return product


async def update(
    client: httpx.AsyncClient, auth: dict[str, str], product_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.put(f"/api/v3/products/{product_id}", json=body, headers=auth)


async def test_create_answers_a_product_under_review(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    product = await create(client, auth, product_payload())
    assert len(product["id"]) == 24 and int(product["id"], 16) >= 0
    assert (product["state"], product["status"]) == ("WISH_INACTIVE", "PENDING_REVIEW")
    assert product["created_at"] == product["updated_at"] == format_ms(START_MS)
    assert product["parent_sku"] == "MUG-001" and product["tags"] == ["mug", "kitchen"]
    assert product["main_image"] == {
        "url": "https://img.example/MUG-001/main.jpg",
        "is_clean_image": True,
        "variation_skus": [],
    }
    assert [v["sku"] for v in product["variations"]] == ["MUG-001-0", "MUG-001-1"]
    for variation in product["variations"]:
        assert variation["product_id"] == product["id"]
        assert variation["status"] == "ENABLED" and len(variation["id"]) == 24
    assert product["request_id"]


async def test_review_activates_the_product_after_the_delay(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    advance(59.999)
    assert (await fetch(client, auth, product["id"]))["state"] == "WISH_INACTIVE"
    advance(100)
    reviewed = await fetch(client, auth, product["id"])
    assert (reviewed["state"], reviewed["status"]) == ("ACTIVE", "APPROVED")
    assert reviewed["updated_at"] == format_ms(START_MS + 60_000)
    request = await client.get(f"/api/v3/products/requests/{product['request_id']}", headers=auth)
    assert request.json()["data"]["status"] == "APPROVED"
    assert request.json()["data"]["product_id"] == product["id"]


async def test_review_rejects_a_product_marked_in_its_name(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload(name="Fake brand watch [REJECT]"))
    advance(60)
    rejected = await fetch(client, auth, product["id"])
    assert (rejected["state"], rejected["status"]) == ("REMOVED_BY_WISH", "REJECTED")
    assert {v["status"] for v in rejected["variations"]} == {"REMOVED_BY_WISH"}
    request = (
        await client.get(f"/api/v3/products/requests/{product['request_id']}", headers=auth)
    ).json()["data"]
    assert request["status"] == "BLOCKED" and request["blocking_reason"]
    listed = await client.get("/api/v3/products", headers=auth, params={"state": "REMOVED_BY_WISH"})
    assert [p["id"] for p in listed.json()["data"]] == [product["id"]]
    refused = await update(client, auth, product["id"], {"name": "Honest watch"})
    assert error_of(refused) == (400, 90001, "Removed products cannot be updated.")


@pytest.mark.parametrize("sandbox_options", [{"reject_share": 1.0}])
async def test_review_rejects_the_configured_share(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    advance(60)
    assert (await fetch(client, auth, product["id"]))["state"] == "REMOVED_BY_WISH"


async def test_disable_and_enable(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    advance(60)
    advance(5)
    disabled = await update(client, auth, product["id"], {"status": "DISABLED"})
    assert disabled.status_code == 200
    data = disabled.json()["data"]
    assert (data["state"], data["status"]) == ("MERCHANT_INACTIVE", "APPROVED")
    assert data["updated_at"] == format_ms(START_MS + 65_000)
    advance(1)
    enabled = (await update(client, auth, product["id"], {"status": "ENABLED"})).json()["data"]
    assert enabled["state"] == "ACTIVE"
    assert enabled["updated_at"] == format_ms(START_MS + 66_000)


async def test_disabled_during_review_stays_inactive_until_enabled(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    await update(client, auth, product["id"], {"status": "DISABLED"})
    advance(60)
    after_review = await fetch(client, auth, product["id"])
    assert (after_review["state"], after_review["status"]) == ("MERCHANT_INACTIVE", "APPROVED")
    enabled = (await update(client, auth, product["id"], {"status": "ENABLED"})).json()["data"]
    assert enabled["state"] == "ACTIVE"


async def test_update_merges_fields_and_variations(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    first, second = product["variations"]
    advance(1)
    response = await update(
        client,
        auth,
        product["id"],
        {
            "name": "Ceramic mug, large",
            "tags": None,
            "variations": [
                {"id": second["id"], "price": usd(15.5), "status": "DISABLED"},
                {
                    "id": first["id"],
                    "inventories": [
                        {"warehouse_id": first["inventories"][0]["warehouse_id"], "inventory": 7}
                    ],
                },
            ],
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["name"] == "Ceramic mug, large" and updated["tags"] == []
    assert updated["description"] == product["description"]
    by_id = {v["id"]: v for v in updated["variations"]}
    assert by_id[second["id"]]["price"] == usd(15.5)
    assert by_id[second["id"]]["status"] == "DISABLED"
    assert by_id[first["id"]]["inventories"][0]["inventory"] == 7
    assert by_id[first["id"]]["price"] == first["price"]
    assert updated["updated_at"] == format_ms(START_MS + 1000)


async def test_update_of_an_unknown_variation_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    product = await create(client, auth, product_payload())
    response = await update(
        client, auth, product["id"], {"variations": [{"id": "ffffffffffffffffffffffff"}]}
    )
    status, code, message = error_of(response)
    assert (status, code) == (400, 90001) and "variations[0].id" in message


async def test_delete_removes_by_merchant(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    advance(2)
    deleted = await client.delete(f"/api/v3/products/{product['id']}", headers=auth)
    assert deleted.status_code == 204 and deleted.content == b""
    removed = await fetch(client, auth, product["id"])
    assert (removed["state"], removed["status"]) == ("REMOVED_BY_MERCHANT", "REMOVED_BY_MERCHANT")
    assert removed["updated_at"] == format_ms(START_MS + 2000)
    refused = await update(client, auth, product["id"], {"status": "ENABLED"})
    assert error_of(refused) == (400, 90001, "Removed products cannot be updated.")
    again = await client.delete(f"/api/v3/products/{product['id']}", headers=auth)
    assert error_of(again)[:2] == (400, 90001)
    advance(60)
    assert (await fetch(client, auth, product["id"]))["state"] == "REMOVED_BY_MERCHANT"


async def test_parent_sku_is_unique_per_merchant_even_after_removal(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    oauth_app: dict[str, Any],
) -> None:
    product = await create(client, auth, product_payload("SKU-A"))
    duplicate = await client.post("/api/v3/products", json=product_payload("SKU-A"), headers=auth)
    assert error_of(duplicate) == (
        400,
        90001,
        "parent_sku 'SKU-A' is already used by another product of this merchant.",
    )
    await client.delete(f"/api/v3/products/{product['id']}", headers=auth)
    still = await client.post("/api/v3/products", json=product_payload("SKU-A"), headers=auth)
    assert error_of(still)[:2] == (400, 90001)
    found = await client.get("/api/v3/products", headers=auth, params={"parent_sku": "SKU-A"})
    assert [p["id"] for p in found.json()["data"]] == [product["id"]]

    other = await admin(client, "POST", "/sandbox/merchants", json={"name": "Other"})
    other_tokens = await obtain_tokens(client, other["id"], oauth_app)
    other_auth = {"Authorization": f"Bearer {other_tokens['access_token']}"}
    body = product_payload("SKU-A")
    warehouse = other["warehouses"][0]["id"]
    body["default_shipping_prices"][0]["warehouse_id"] = warehouse
    for variation in body["variations"]:
        variation["inventories"][0]["warehouse_id"] = warehouse
    assert (await client.post("/api/v3/products", json=body, headers=other_auth)).status_code == 200


async def test_variation_sku_is_unique_per_merchant(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    await create(client, auth, product_payload("SKU-A"))
    body = product_payload("SKU-B")
    body["variations"][1]["sku"] = "SKU-A-0"
    response = await client.post("/api/v3/products", json=body, headers=auth)
    status, code, message = error_of(response)
    assert (status, code) == (400, 90001) and "variations[1].sku" in message


async def test_another_merchants_product_is_not_found(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    oauth_app: dict[str, Any],
) -> None:
    product = await create(client, auth, product_payload())
    other = await admin(client, "POST", "/sandbox/merchants", json={"name": "Other"})
    other_tokens = await obtain_tokens(client, other["id"], oauth_app)
    headers = {"Authorization": f"Bearer {other_tokens['access_token']}"}
    for response in (
        await client.get(f"/api/v3/products/{product['id']}", headers=headers),
        await client.put(f"/api/v3/products/{product['id']}", json={}, headers=headers),
        await client.delete(f"/api/v3/products/{product['id']}", headers=headers),
    ):
        assert error_of(response) == (400, 90001, "There is no such product for the merchant.")


async def test_list_answers_shallow_products(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    product = await create(client, auth, product_payload())
    listed = (await client.get("/api/v3/products", headers=auth)).json()["data"]
    assert [p["id"] for p in listed] == [product["id"]]
    assert "variations" not in listed[0] and listed[0]["state"] == "WISH_INACTIVE"
    assert listed[0]["parent_sku"] == "MUG-001"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": 0}, "limit must be between 1 and 1000"),
        ({"limit": 1001}, "limit must be between 1 and 1000"),
        ({"limit": "ten"}, "limit must be between 1 and 1000"),
        ({"sort_by": "name.asc"}, "sort_by must match"),
        ({"updated_at_min": "yesterday"}, "updated_at_min must be a date-time"),
        ({"state": "LIVE"}, "state must be one of"),
        ({"statuses": "GONE"}, "statuses must be one of"),
    ],
)
async def test_list_parameters_are_validated(
    client: httpx.AsyncClient, auth: dict[str, str], params: dict[str, Any], fragment: str
) -> None:
    response = await client.get("/api/v3/products", headers=auth, params=params)
    status, code, message = error_of(response)
    assert (status, code) == (400, 90001) and fragment in message


async def test_list_accepts_the_largest_limit(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v3/products", headers=auth, params={"limit": 1000})
    assert response.status_code == 200


async def make_tie_groups(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    advance: Any,
    sizes: tuple[int, ...],
) -> list[str]:
    ids = []
    for group, size in enumerate(sizes):
        for index in range(size):
            product = await create(client, auth, product_payload(f"G{group}-{index}", variations=1))
            ids.append(product["id"])
        advance(0.001)
    return ids


@pytest.mark.parametrize("descending", [True, False])
async def test_keyset_paging_over_equal_timestamps_loses_and_repeats_nothing(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    advance: Any,
    descending: bool,
) -> None:
    ids = await make_tie_groups(client, auth, product_payload, advance, (3, 3, 1, 3, 2))
    items, calls = await page_all(client, "/api/v3/products", auth, descending=descending, limit=4)
    assert calls > 1
    got = [item["id"] for item in items]
    assert len(got) == len(set(got)) == len(ids)
    expected = sorted(
        ids, key=lambda i: (parse_to_ms(next(p for p in items if p["id"] == i)["updated_at"]), i)
    )
    assert got == (expected[::-1] if descending else expected)


async def test_a_full_page_of_one_timestamp_needs_a_larger_limit(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    ids = await make_tie_groups(client, auth, product_payload, advance, (2, 6))
    with pytest.raises(PagingStuck):
        await page_all(client, "/api/v3/products", auth, limit=4)
    items, _ = await page_all(client, "/api/v3/products", auth, limit=7)
    assert sorted(item["id"] for item in items) == sorted(ids)


async def test_created_at_bounds_compare_whole_seconds(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    first = await create(client, auth, product_payload("A", variations=1))
    advance(0.7)
    second = await create(client, auth, product_payload("B", variations=1))
    advance(0.5)
    third = await create(client, auth, product_payload("C", variations=1))

    async def window(**params: str) -> list[str]:
        response = await client.get(
            "/api/v3/products", headers=auth, params={**params, "sort_by": "created_at.asc"}
        )
        return [p["id"] for p in response.json()["data"]]

    assert await window(created_at_max="2024-05-01T08:00:00.000Z") == [first["id"], second["id"]]
    assert await window(created_at_min="2024-05-01T08:00:01.900Z") == [third["id"]]
    assert await window(created_at_min="2024-05-01T16:00:01+08:00") == [third["id"]]


async def test_updated_at_bounds_are_inclusive_to_the_millisecond(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    product = await create(client, auth, product_payload())
    stamp = product["updated_at"]
    later = format_ms(parse_to_ms(stamp) + 1)

    async def count(**params: str) -> int:
        response = await client.get("/api/v3/products", headers=auth, params=params)
        return len(response.json()["data"])

    assert await count(updated_at_min=stamp, updated_at_max=stamp) == 1
    assert await count(updated_at_min=later) == 0
    assert await count(updated_at_max=format_ms(parse_to_ms(stamp) - 1)) == 0


async def test_warehouses_and_currency_settings(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any]
) -> None:
    warehouses = (await client.get("/api/v3/merchant/warehouses", headers=auth)).json()["data"]
    assert len(warehouses) == 1
    assert warehouses[0]["shipping_type"] == "STANDARD" and warehouses[0]["name"] == "STANDARD"
    assert warehouses[0]["id"] == merchant["warehouses"][0]["id"]
    settings = (await client.get("/api/v3/merchant/currency_settings", headers=auth)).json()
    assert settings["data"]["localized_currency"] == "USD"


async def test_create_requests_can_be_listed_per_product(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload, advance: Any
) -> None:
    first = await create(client, auth, product_payload("R-1"))
    await create(client, auth, product_payload("R-2"))
    listed = await client.get("/api/v3/products/requests", headers=auth)
    assert [r["status"] for r in listed.json()["data"]] == ["UNDER_REVIEW", "UNDER_REVIEW"]
    advance(60)
    mine = await client.get(
        "/api/v3/products/requests", headers=auth, params={"product_id": first["id"]}
    )
    (request,) = mine.json()["data"]
    assert request == {
        "id": first["request_id"],
        "product_id": first["id"],
        "status": "APPROVED",
        "created_at": format_ms(START_MS),
    }
    unknown = await client.get("/api/v3/products/requests/nope", headers=auth)
    assert error_of(unknown)[2] == (
        "No product create or update request was found with the provided ID"
    )
