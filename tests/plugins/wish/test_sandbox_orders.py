"""Orders of the Wish sandbox: generation, listing and paging, tracking, refunds, carriers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from plugins.wish.sandbox import SandboxClock, create_sandbox_app
from plugins.wish.sandbox.clock import format_ms, parse_to_ms
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.sandbox_helpers import (
    PagingStuck,
    admin,
    error_of,
    obtain_tokens,
    page_all,
)

DAY_MS = 86_400_000
Payload = Callable[..., dict[str, Any]]
SHIP = {"tracking_number": "LX123456789CN", "origin_country": "CN", "shipping_provider": "YanWen"}


async def generate(
    client: httpx.AsyncClient, merchant_id: str, count: int, **extra: Any
) -> list[str]:
    data = await admin(
        client,
        "POST",
        f"/sandbox/merchants/{merchant_id}/orders/generate",
        json={"count": count, **extra},
    )
    ids: list[str] = data["order_ids"]
    return ids


async def order(client: httpx.AsyncClient, auth: dict[str, str], order_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v3/orders/{order_id}", headers=auth)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_generated_orders_look_like_wish_orders(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any]
) -> None:
    ids = await generate(client, merchant["id"], 30)
    assert len(ids) == len(set(ids)) == 30
    listed = (await client.get("/api/v3/orders", headers=auth, params={"limit": 100})).json()
    orders = listed["data"]
    assert sorted(o["id"] for o in orders) == sorted(ids)
    first = orders[0]
    assert first["state"] == "APPROVED"
    assert first["released_at"] == first["updated_at"] == format_ms(START_MS)
    assert first["processing_source"] is None and first["processing_status"] is None
    assert first["fulfillment_records"] == [
        {"event_type": "ORDER_RELEASED", "event_time": format_ms(START_MS)}
    ]
    requirements = first["fulfillment_requirements"]
    assert requirements["expected_ship_time"] == format_ms(START_MS + 5 * DAY_MS)
    details = first["order_payment"]["general_payment_details"]
    assert details["product_quantity"] >= 1 and details["product_price"]["currency_code"] == "USD"
    assert details["payment_total"]["amount"] > 0
    address = first["full_address"]["shipping_detail"]
    assert {"name", "street_address1", "city", "state", "zipcode", "country_code"} <= set(address)
    assert address["phone_number"]["number"]
    assert first["warehouse_information"]["warehouse_id"] == merchant["warehouses"][0]["id"]
    assert len({o["full_address"]["shipping_detail"]["country_code"] for o in orders}) >= 4
    assert all(o["product_information"]["sku"].startswith("SANDBOX-SKU-") for o in orders)


async def test_orders_come_from_active_products(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    product_payload: Payload,
    advance: Any,
) -> None:
    created = await client.post("/api/v3/products", json=product_payload(), headers=auth)
    product = created.json()["data"]
    before_review = await generate(client, merchant["id"], 3)
    for order_id in before_review:
        info = (await order(client, auth, order_id))["product_information"]
        assert info["id"] != product["id"] and info["sku"].startswith("SANDBOX-SKU-")
    advance(60)
    ids = await generate(client, merchant["id"], 10)
    variations = {v["id"]: v for v in product["variations"]}
    for order_id in ids:
        info = (await order(client, auth, order_id))["product_information"]
        assert info["id"] == product["id"] and info["name"] == product["name"]
        variation = variations[info["variation_id"]]
        assert info["sku"] == variation["sku"] and info["variation_image_url"] == variation["image"]
        assert info["color"] == variation["options"][0]["value"]


async def test_generation_is_reproducible_for_a_seed(tmp_path: Path) -> None:
    async def run(name: str) -> list[tuple[str, int, str]]:
        app = create_sandbox_app(
            tmp_path / f"{name}.db", seed=99, clock=SandboxClock(frozen_at_ms=START_MS)
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sb"
        ) as http:
            merchant = await admin(http, "POST", "/sandbox/merchants", json={})
            await generate(http, merchant["id"], 12)
            rows = app.sandbox.store.rows("SELECT doc FROM orders ORDER BY id")
        app.close()
        result = []
        for row in rows:
            doc = json.loads(row["doc"])
            result.append(
                (
                    doc["full_address"]["shipping_detail"]["name"],
                    doc["order_payment"]["general_payment_details"]["product_quantity"],
                    doc["product_information"]["sku"],
                )
            )
        return result

    assert await run("one") == await run("two")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": 0}, "limit must be between 1 and 500"),
        ({"limit": 501}, "limit must be between 1 and 500"),
        ({"states": "SENT"}, "states must be one of"),
        ({"states": "APPROVED,SHIPPED,REFUNDED,DECLINED,REQUIRE_REVIEW,APPROVED"}, "at most 5"),
        ({"order_type": "FAST"}, "order_type must be one of"),
        ({"sort_by": "created_at.desc"}, "sort_by must match"),
        ({"released_at_max": "2024-13-01"}, "released_at_max must be a date-time"),
    ],
)
async def test_list_parameters_are_validated(
    client: httpx.AsyncClient, auth: dict[str, str], params: dict[str, Any], fragment: str
) -> None:
    status, code, message = error_of(
        await client.get("/api/v3/orders", headers=auth, params=params)
    )
    assert (status, code) == (400, 90001) and fragment in message


async def ship(
    client: httpx.AsyncClient, auth: dict[str, str], order_id: str, **body: Any
) -> httpx.Response:
    return await client.put(
        f"/api/v3/orders/{order_id}/tracking", json={**SHIP, **body}, headers=auth
    )


@pytest.mark.parametrize(
    "states_param",
    [
        [("states", "SHIPPED")],
        [("states[]", "SHIPPED"), ("states[]", "REFUNDED")],
        [("states", "SHIPPED,REFUNDED")],
        [("states", "SHIPPED"), ("states", "DECLINED")],
    ],
)
async def test_states_filter_in_every_spelling(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    advance: Any,
    states_param: list[tuple[str, str]],
) -> None:
    ids = await generate(client, merchant["id"], 3)
    await ship(client, auth, ids[1])
    advance(5)
    response = await client.get("/api/v3/orders", headers=auth, params=states_param)
    assert [o["id"] for o in response.json()["data"]] == [ids[1]]
    approved = await client.get("/api/v3/orders", headers=auth, params={"states": "APPROVED"})
    assert sorted(o["id"] for o in approved.json()["data"]) == sorted([ids[0], ids[2]])


@pytest.mark.parametrize("descending", [True, False])
async def test_keyset_paging_over_batches_with_identical_updated_at(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    advance: Any,
    descending: bool,
) -> None:
    ids: list[str] = []
    for size in (40, 40, 1, 39):
        ids += await generate(client, merchant["id"], size)
        advance(0.001)
    items, calls = await page_all(client, "/api/v3/orders", auth, descending=descending, limit=50)
    got = [item["id"] for item in items]
    assert calls >= 3
    assert len(got) == len(set(got)) == 120 and set(got) == set(ids)
    keys = [(parse_to_ms(item["updated_at"]), item["id"]) for item in items]
    assert keys == sorted(keys, reverse=descending)


async def test_a_tie_group_larger_than_a_page_can_be_split_by_released_at(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any]
) -> None:
    ids = await generate(client, merchant["id"], 120, released_within_s=3600)
    with pytest.raises(PagingStuck):
        await page_all(client, "/api/v3/orders", auth, limit=50)
    stamp = format_ms(START_MS)
    items, calls = await page_all(
        client,
        "/api/v3/orders",
        auth,
        attribute="released_at",
        limit=50,
        params={"updated_at_min": stamp, "updated_at_max": stamp},
    )
    assert calls >= 3 and sorted(item["id"] for item in items) == sorted(ids)
    everything, calls = await page_all(client, "/api/v3/orders", auth, limit=500)
    assert calls == 1 and len(everything) == 120


async def test_tracking_is_applied_asynchronously(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any], advance: Any
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    advance(10)
    response = await ship(client, auth, order_id, shipping_provider="yanwen", ship_note="box 4")
    assert response.status_code == 200, response.text
    pending = response.json()["data"]
    assert (pending["state"], pending["processing_source"], pending["processing_status"]) == (
        "APPROVED",
        "UPDATE_TRACKING",
        "IN_PROGRESS",
    )
    assert pending["updated_at"] == format_ms(START_MS + 10_000)
    assert pending["tracking_information"] == []
    advance(4.999)
    assert (await order(client, auth, order_id))["processing_status"] == "IN_PROGRESS"
    advance(30)
    shipped = await order(client, auth, order_id)
    assert (shipped["state"], shipped["processing_status"]) == ("SHIPPED", "SUCCEEDED")
    assert shipped["updated_at"] == format_ms(START_MS + 15_000)
    assert shipped["tracking_information"] == [
        {
            "tracking_number": "LX123456789CN",
            "shipping_provider": {"name": "YanWen"},
            "origin_country": "CN",
            "ship_note": "box 4",
        }
    ]
    assert shipped["fulfillment_records"][-1] == {
        "event_type": "MARK_SHIPPED",
        "event_time": format_ms(START_MS + 15_000),
    }
    since = await client.get(
        "/api/v3/orders", headers=auth, params={"updated_at_min": shipped["updated_at"]}
    )
    assert [o["id"] for o in since.json()["data"]] == [order_id]


async def test_tracking_updates_keep_the_two_newest(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any], advance: Any
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    for number in ("AAA111", "BBB222", "CCC333"):
        assert (await ship(client, auth, order_id, tracking_number=number)).status_code == 200
        advance(5)
    shipped = await order(client, auth, order_id)
    assert [t["tracking_number"] for t in shipped["tracking_information"]] == ["CCC333", "BBB222"]
    marks = [r for r in shipped["fulfillment_records"] if r["event_type"] == "MARK_SHIPPED"]
    assert len(marks) == 1


async def test_repeating_the_same_tracking_while_in_progress_is_harmless(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any], advance: Any
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    first = await ship(client, auth, order_id)
    advance(1)
    again = await ship(client, auth, order_id)
    assert again.status_code == 200
    assert again.json()["data"]["updated_at"] == first.json()["data"]["updated_at"]
    other = await ship(client, auth, order_id, tracking_number="ZZZ999")
    status, code, message = error_of(other)
    assert (status, code) == (400, 90001) and "UPDATE_TRACKING" in message


async def test_tracking_marked_to_fail_ends_failed(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any], advance: Any
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    await ship(client, auth, order_id, tracking_number="LXFAIL0001")
    advance(5)
    failed = await order(client, auth, order_id)
    assert (failed["state"], failed["processing_status"]) == ("APPROVED", "FAILED")
    assert failed["tracking_information"] == []
    assert failed["updated_at"] == format_ms(START_MS + 5000)


@pytest.mark.parametrize("sandbox_options", [{"async_fail_share": 1.0, "async_delay_s": 0}])
async def test_async_fail_share_fails_updates(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any]
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    await ship(client, auth, order_id)
    assert (await order(client, auth, order_id))["processing_status"] == "FAILED"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"tracking_number": "LX 1234"}, "only contain alphanumeric characters"),
        ({"tracking_number": "LX-1234"}, "only contain alphanumeric characters"),
        ({"tracking_number": ""}, "tracking_number must not be empty."),
        ({"tracking_number": None}, "tracking_number is required."),
        ({"origin_country": None}, "origin_country is required."),
        ({"origin_country": "CHN"}, "origin_country must be a 2-letter ISO 3166"),
        ({"shipping_provider": None}, "shipping_provider is required."),
        ({"shipping_provider": "Pony Express"}, "'Pony Express' is not an accepted"),
        ({"ship_note": "n" * 501}, "ship_note must be at most 500"),
    ],
)
async def test_tracking_validation(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    body: dict[str, Any],
    fragment: str,
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    payload = {**SHIP, **body}
    response = await client.put(f"/api/v3/orders/{order_id}/tracking", json=payload, headers=auth)
    status, code, message = error_of(response)
    assert (status, code) == (400, 90001) and fragment in message
    assert (await order(client, auth, order_id))["processing_status"] is None


async def test_refund_with_reasons(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any], advance: Any
) -> None:
    approved, shipped = await generate(client, merchant["id"], 2)
    await ship(client, auth, shipped)
    advance(5)
    reasons = (await client.get(f"/api/v3/orders/{approved}/refund_reasons", headers=auth)).json()
    assert "UNABLE_TO_SHIP" in reasons["data"] and "ITEM_IS_DAMAGED" not in reasons["data"]
    shipped_reasons = (
        await client.get(f"/api/v3/orders/{shipped}/refund_reasons", headers=auth)
    ).json()["data"]
    assert "ITEM_IS_DAMAGED" in shipped_reasons and "UNABLE_TO_SHIP" not in shipped_reasons

    wrong = await client.put(
        f"/api/v3/orders/{approved}/refund", json={"refund_reason": "ITEM_IS_DAMAGED"}, headers=auth
    )
    status, code, message = error_of(wrong)
    assert (status, code) == (400, 90001) and "not valid for this order" in message
    unknown = await client.put(
        f"/api/v3/orders/{approved}/refund", json={"refund_reason": "BORED"}, headers=auth
    )
    assert "refund_reason must be one of" in error_of(unknown)[2]
    missing = await client.put(f"/api/v3/orders/{approved}/refund", json={}, headers=auth)
    assert error_of(missing)[2] == "refund_reason is required."

    started = await client.put(
        f"/api/v3/orders/{approved}/refund",
        json={"refund_reason": "MERCHANT_OUT_OF_STOCK", "refund_reason_note": "sold out"},
        headers=auth,
    )
    data = started.json()["data"]
    assert (data["processing_source"], data["processing_status"]) == ("REFUND", "IN_PROGRESS")
    advance(5)
    refunded = await order(client, auth, approved)
    assert (refunded["state"], refunded["processing_status"]) == ("REFUNDED", "SUCCEEDED")
    (refund,) = refunded["refunds"]
    total = refunded["order_payment"]["general_payment_details"]["payment_total"]
    assert refund["refund_reason"] == "MERCHANT_OUT_OF_STOCK"
    assert refund["refund_reason_note"] == "sold out"
    assert refund["refund_source"] == "MERCHANT" and refund["refund_amount"] == total
    assert refund["refund_time"] == refunded["updated_at"] == format_ms(START_MS + 10_000)
    after = await client.get(f"/api/v3/orders/{approved}/refund_reasons", headers=auth)
    assert after.json()["data"] == []
    no_ship = await ship(client, auth, approved)
    assert "REFUNDED cannot be shipped" in error_of(no_ship)[2]


async def test_every_change_moves_updated_at_forward(
    client: httpx.AsyncClient, auth: dict[str, str], merchant: dict[str, Any], advance: Any
) -> None:
    (order_id,) = await generate(client, merchant["id"], 1)
    stamps = [(await order(client, auth, order_id))["updated_at"]]
    advance(0.25)
    stamps.append((await ship(client, auth, order_id)).json()["data"]["updated_at"])
    advance(5)
    stamps.append((await order(client, auth, order_id))["updated_at"])
    advance(0.001)
    refund = await client.put(
        f"/api/v3/orders/{order_id}/refund",
        json={"refund_reason": "ITEM_RETURNED_TO_SENDER"},
        headers=auth,
    )
    stamps.append(refund.json()["data"]["updated_at"])
    advance(5)
    stamps.append((await order(client, auth, order_id))["updated_at"])
    millis = [parse_to_ms(stamp) for stamp in stamps]
    assert millis == sorted(set(millis))
    assert all(stamp.endswith("+00:00") and len(stamp) == 29 for stamp in stamps)


@pytest.mark.parametrize(("auto_refund", "state"), [(True, "REFUNDED"), (False, "APPROVED")])
async def test_unshipped_orders_are_refunded_at_the_ship_by_time(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    advance: Any,
    auto_refund: bool,
    state: str,
) -> None:
    await admin(client, "PUT", "/sandbox/settings", json={"auto_refund": auto_refund})
    (order_id,) = await generate(client, merchant["id"], 1)
    advance(6 * 86_400)
    late = await order(client, auth, order_id)
    assert late["state"] == state
    if auto_refund:
        assert late["refunds"][0]["refund_source"] == "WISH"
        assert late["updated_at"] == late["fulfillment_requirements"]["expected_ship_time"]


async def test_shipping_carriers(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    general = await client.get(
        "/api/v3/orders/shipping_carriers", headers=auth, params={"order_type": "GENERAL"}
    )
    names = [carrier["name"] for carrier in general.json()["data"]]
    for expected in ("ChinaAirPost", "EPacket", "YanWen", "YunExpress", "4PX", "USPS", "DHL"):
        assert expected in names
    confirmed = await client.get(
        "/api/v3/orders/shipping_carriers",
        headers=auth,
        params={"order_type": "CONFIRMED_DELIVERY", "dest_country_code": "US"},
    )
    subset = [carrier["name"] for carrier in confirmed.json()["data"]]
    assert subset and set(subset) < set(names)
    no_country = await client.get(
        "/api/v3/orders/shipping_carriers",
        headers=auth,
        params={"order_type": "CONFIRMED_DELIVERY"},
    )
    assert error_of(no_country)[2] == "dest_country_code is required."
    no_type = await client.get("/api/v3/orders/shipping_carriers", headers=auth)
    assert error_of(no_type)[:2] == (400, 90001)


async def test_another_merchants_order_is_not_found(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    oauth_app: dict[str, Any],
) -> None:
    other = await admin(client, "POST", "/sandbox/merchants", json={})
    (foreign,) = await generate(client, other["id"], 1)
    for response in (
        await client.get(f"/api/v3/orders/{foreign}", headers=auth),
        await ship(client, auth, foreign),
        await client.get(f"/api/v3/orders/{foreign}/refund_reasons", headers=auth),
    ):
        assert error_of(response) == (400, 90001, "There is no such order for the merchant.")
    other_tokens = await obtain_tokens(client, other["id"], oauth_app)
    headers = {"Authorization": f"Bearer {other_tokens['access_token']}"}
    assert (await client.get(f"/api/v3/orders/{foreign}", headers=headers)).status_code == 200
    mine = await client.get("/api/v3/orders", headers=auth)
    assert mine.json()["data"] == []


@pytest.mark.parametrize("body", [{"count": 0}, {"count": 501}, {"count": "3"}])
async def test_generate_count_is_checked(
    client: httpx.AsyncClient, merchant: dict[str, Any], body: dict[str, Any]
) -> None:
    response = await client.post(f"/sandbox/merchants/{merchant['id']}/orders/generate", json=body)
    assert response.status_code == 400
