"""Every product rule of the Wish sandbox, one malformed payload each, with Wish's error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.plugins.wish.sandbox_helpers import admin, error_of, obtain_tokens, usd

Payload = Callable[..., dict[str, Any]]
Mutation = Callable[[dict[str, Any]], None]


def _walk(body: dict[str, Any], path: str) -> tuple[Any, str | int]:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = body
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def put_(path: str, value: Any) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        node, key = _walk(body, path)
        node[key] = value

    return mutate


def drop(path: str) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        node, key = _walk(body, path)
        del node[key]

    return mutate


def apply(*mutations: Mutation) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(body)

    return mutate


def copy_variation(count: int) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        template = body["variations"][0]
        body["variations"] = [
            {**template, "sku": f"V-{i}", "image": body["extra_images"][0]["url"]}
            for i in range(count)
        ]

    return mutate


CASES: list[tuple[str, Mutation, str]] = [
    *[
        (f"missing {field}", drop(field), f"{field} is required.")
        for field in (
            "name",
            "description",
            "parent_sku",
            "category_id",
            "default_shipping_prices",
            "main_image",
            "variations",
        )
    ],
    ("null name", put_("name", None), "name is required."),
    ("empty name", put_("name", "  "), "name must not be empty."),
    ("name not text", put_("name", 42), "name must be a string."),
    ("long description", put_("description", "x" * 4001), "description must be at most 4000"),
    (
        "html description",
        put_("description", "Nice <b>mug</b>"),
        "description must not contain HTML",
    ),
    ("html line break", put_("description", "Line<br/>two"), "must not contain HTML"),
    ("11 tags", put_("tags", [f"t{i}" for i in range(11)]), "tags can have at most 10 items."),
    ("long tag", put_("tags", ["x" * 81]), "tags[0] must be at most 80 characters"),
    ("empty tag", put_("tags", ["ok", ""]), "tags[1] must not be empty."),
    ("tags not a list", put_("tags", "a,b"), "tags must be an array."),
    ("long parent_sku", put_("parent_sku", "P" * 81), "parent_sku must be at most 80"),
    ("category_id text", put_("category_id", "12"), "category_id must be an integer."),
    ("category_id zero", put_("category_id", 0), "category_id must be at least 1."),
    ("bad condition", put_("condition", "MINT"), "condition must be one of: NEW, USED"),
    ("max_quantity zero", put_("max_quantity", 0), "max_quantity must be at least 1."),
    ("bad unit", put_("unit", "BUSHEL"), "unit must be one of"),
    ("negative msrp", put_("msrp", usd(-1)), "msrp.amount must be at least 0."),
    (
        "too many chemicals",
        put_("california_prop65_chemical_names", [f"c{i}" for i in range(6)]),
        "california_prop65_chemical_names can have at most 5 items.",
    ),
    ("no variations", put_("variations", []), "variations must have at least 1 item(s)."),
    ("401 variations", copy_variation(401), "variations can have at most 400 items."),
    ("duplicate sku", put_("variations.1.sku", "MUG-001-0"), "variations[1].sku 'MUG-001-0'"),
    ("long sku", put_("variations.0.sku", "S" * 81), "variations[0].sku must be at most 80"),
    ("missing sku", drop("variations.0.sku"), "variations[0].sku is required."),
    ("missing price", drop("variations.0.price"), "variations[0].price is required."),
    (
        "price not object",
        put_("variations.0.price", 9.99),
        "variations[0].price must be an object.",
    ),
    ("negative price", put_("variations.0.price.amount", -0.01), "price.amount must be at least 0"),
    ("price as text", put_("variations.0.price.amount", "9.99"), "price.amount must be a number."),
    (
        "foreign currency",
        put_("variations.0.price.currency_code", "EUR"),
        "variations[0].price.currency_code must be USD",
    ),
    ("missing currency", drop("variations.0.price.currency_code"), "currency_code is required."),
    ("missing inventories", drop("variations.0.inventories"), "inventories is required."),
    (
        "negative inventory",
        put_("variations.0.inventories.0.inventory", -1),
        "variations[0].inventories[0].inventory must be between 0 and 500000.",
    ),
    (
        "inventory above max",
        put_("variations.0.inventories.0.inventory", 500_001),
        "inventory must be between 0 and 500000.",
    ),
    (
        "fractional inventory",
        put_("variations.0.inventories.0.inventory", 1.5),
        "inventory must be an integer.",
    ),
    (
        "unknown inventory warehouse",
        put_("variations.0.inventories.0.warehouse_id", "ffffffffffffffffffffffff"),
        "variations[0].inventories[0].warehouse_id: there is no such warehouse ID",
    ),
    ("bad gtin", put_("variations.0.gtin", "12ab5678"), "variations[0].gtin should be 8 to 14"),
    ("short gtin", put_("variations.0.gtin", "1234567"), "gtin should be 8 to 14 digits"),
    (
        "option without value",
        put_("variations.0.options", [{"name": "COLOR"}]),
        "variations[0].options[0].value is required.",
    ),
    ("main image without url", put_("main_image", {"is_clean_image": True}), "main_image.url"),
    ("main image not http", put_("main_image.url", "ftp://img.example/a.jpg"), "valid http(s) URL"),
    ("relative image url", put_("extra_images.0.url", "/images/a.jpg"), "extra_images[0].url"),
    (
        "101 extra images",
        put_("extra_images", [{"url": f"https://img.example/{i}.jpg"} for i in range(101)]),
        "extra_images can have at most 100 items.",
    ),
    (
        "two clean images",
        put_("extra_images.0.is_clean_image", True),
        "Only one clean image URL can be specified.",
    ),
    (
        "missing variation image",
        drop("variations.1.image"),
        "variations[1].image is required when the product has more than one variation.",
    ),
    (
        "variation image not in extra_images",
        put_("variations.0.image", "https://img.example/other.jpg"),
        "variations[0].image must also be one of the extra_images.",
    ),
    ("no default shipping", put_("default_shipping_prices", []), "at least 1 item(s)."),
    (
        "default shipping without price",
        drop("default_shipping_prices.0.default_shipping_price"),
        "default_shipping_prices[0].default_shipping_price is required.",
    ),
    (
        "negative default shipping",
        put_("default_shipping_prices.0.default_shipping_price.amount", -2),
        "default_shipping_price.amount must be at least 0.",
    ),
    (
        "missing origin country",
        drop("variations.0.logistics_details.origin_country"),
        "variations[0].logistics_details.origin_country is required.",
    ),
    (
        "bad origin country",
        put_("variations.0.logistics_details.origin_country", "China"),
        "origin_country must be a 2-letter ISO 3166 country code.",
    ),
    (
        "missing weight for a mainland China merchant",
        drop("variations.1.logistics_details.weight"),
        "variations[1].logistics_details.weight is required for mainland China-based merchants.",
    ),
    (
        "negative weight",
        put_("variations.0.logistics_details.weight", -5),
        "logistics_details.weight must be at least 0.",
    ),
    (
        "bad restricted flag",
        put_("variations.0.logistics_details.restricted_flags", ["HAS_GAS"]),
        "restricted_flags[0] must be one of: HAS_POWDER",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "fragment"),
    [pytest.param(m, f, id=name) for name, m, f in CASES],
)
async def test_create_rule(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    mutation: Mutation,
    fragment: str,
) -> None:
    body = product_payload()
    mutation(body)
    response = await client.post("/api/v3/products", json=body, headers=auth)
    status, code, message = error_of(response)
    assert (status, code) == (400, 90001)
    assert fragment in message
    listed = await client.get("/api/v3/products", headers=auth)
    assert listed.json()["data"] == []


def shipping_to(detail: dict[str, Any]) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        warehouse = body["default_shipping_prices"][0]["warehouse_id"]
        body["warehouse_to_shippings"] = [{"warehouse_id": warehouse, "shipping_details": [detail]}]

    return mutate


@pytest.mark.parametrize(
    ("detail", "fragment"),
    [
        ({"destination": "US"}, "shipping_details[0].overrides is required."),
        ({"destination": "USA", "overrides": []}, "destination must be a 2-letter ISO 3166"),
        (
            {"destination": "US", "overrides": [], "price": usd(3), "additional_price": usd(4)},
            "shipping_details[0].additional_price must be smaller than or equal to the shipping",
        ),
        (
            {
                "destination": "US",
                "overrides": [{"destination": "NY", "price": usd(1), "additional_price": usd(2)}],
            },
            "overrides[0].additional_price must be smaller than or equal",
        ),
        ({"destination": "US", "overrides": [{"price": usd(1)}]}, "overrides[0].destination is"),
    ],
)
async def test_warehouse_shipping_rules(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    detail: dict[str, Any],
    fragment: str,
) -> None:
    body = product_payload()
    shipping_to(detail)(body)
    status, code, message = error_of(await client.post("/api/v3/products", json=body, headers=auth))
    assert (status, code) == (400, 90001) and fragment in message


async def test_valid_edge_values_are_accepted(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    body = product_payload(description="d" * 4000, tags=["t" * 80] * 10)
    body["parent_sku"] = "P" * 80
    body["variations"][0]["sku"] = "S" * 80
    body["extra_images"] += [{"url": f"https://img.example/more/{i}.jpg"} for i in range(98)]
    body["variations"][0]["inventories"][0]["inventory"] = 500_000
    body["variations"][1]["inventories"][0]["inventory"] = 0
    body["variations"][0]["gtin"] = "12345678901234"
    body["variations"][1]["price"] = usd(0)
    shipping_to(
        {
            "destination": "US",
            "price": usd(3),
            "additional_price": usd(3),
            "overrides": [{"destination": "NY", "price": usd(4)}],
        }
    )(body)
    response = await client.post("/api/v3/products", json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert (
        response.json()["data"]["warehouse_to_shippings"][0]["shipping_details"][0]["destination"]
        == "US"
    )


async def test_a_single_variation_needs_no_image(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    body = product_payload(variations=1)
    del body["variations"][0]["image"]
    response = await client.post("/api/v3/products", json=body, headers=auth)
    assert response.status_code == 200, response.text


async def test_weight_is_optional_outside_mainland_china(
    client: httpx.AsyncClient, oauth_app: dict[str, Any], product_payload: Payload
) -> None:
    merchant = await admin(client, "POST", "/sandbox/merchants", json={"country_code": "US"})
    tokens = await obtain_tokens(client, merchant["id"], oauth_app)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = product_payload()
    warehouse = merchant["warehouses"][0]["id"]
    body["default_shipping_prices"][0]["warehouse_id"] = warehouse
    for variation in body["variations"]:
        variation["inventories"][0]["warehouse_id"] = warehouse
        del variation["logistics_details"]["weight"]
    response = await client.post("/api/v3/products", json=body, headers=headers)
    assert response.status_code == 200, response.text


async def test_standard_warehouse_default_shipping_is_required(
    client: httpx.AsyncClient, oauth_app: dict[str, Any], product_payload: Payload
) -> None:
    merchant = await admin(
        client, "POST", "/sandbox/merchants", json={"extra_warehouses": ["EU-EXPRESS"]}
    )
    standard, express = (w["id"] for w in merchant["warehouses"])
    tokens = await obtain_tokens(client, merchant["id"], oauth_app)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = product_payload()
    body["default_shipping_prices"][0]["warehouse_id"] = express
    for variation in body["variations"]:
        variation["inventories"][0]["warehouse_id"] = standard
    status, code, message = error_of(
        await client.post("/api/v3/products", json=body, headers=headers)
    )
    assert (status, code, message) == (
        400,
        90001,
        f"default_shipping_prices must include the standard warehouse {standard}.",
    )


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b""])
async def test_body_must_be_a_json_object(
    client: httpx.AsyncClient, auth: dict[str, str], raw: bytes
) -> None:
    response = await client.post(
        "/api/v3/products", content=raw, headers={**auth, "Content-Type": "application/json"}
    )
    assert error_of(response) == (400, 90001, "The request body must be a JSON object.")


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"description": "<p>hi</p>"}, "description must not contain HTML"),
        ({"status": "PAUSED"}, "status must be one of: ENABLED, DISABLED"),
        ({"variations": [{"price": usd(3)}]}, "variations[0].id is required."),
        ({"extra_images": None}, "variations[0].image must also be one of the extra_images."),
        (
            {
                "main_image": {"url": "https://img.example/m.jpg", "is_clean_image": True},
                "extra_images": [
                    {"url": "https://img.example/MUG-001/0.jpg", "is_clean_image": True},
                    {"url": "https://img.example/MUG-001/1.jpg"},
                ],
            },
            "Only one clean image URL can be specified.",
        ),
        ({"tags": ["x"] * 11}, "tags can have at most 10 items."),
        ({"parent_sku": ""}, "parent_sku must not be empty."),
    ],
)
async def test_update_rule(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    changes: dict[str, Any],
    fragment: str,
) -> None:
    created = await client.post("/api/v3/products", json=product_payload(), headers=auth)
    product = created.json()["data"]
    response = await client.put(f"/api/v3/products/{product['id']}", json=changes, headers=auth)
    status, code, message = error_of(response)
    assert (status, code) == (400, 90001) and fragment in message
    unchanged = await client.get(f"/api/v3/products/{product['id']}", headers=auth)
    assert unchanged.json()["data"] == product


async def test_update_cannot_take_another_products_parent_sku(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    await client.post("/api/v3/products", json=product_payload("FIRST"), headers=auth)
    second = (
        await client.post("/api/v3/products", json=product_payload("SECOND"), headers=auth)
    ).json()["data"]
    response = await client.put(
        f"/api/v3/products/{second['id']}", json={"parent_sku": "FIRST"}, headers=auth
    )
    assert error_of(response)[:2] == (400, 90001)
    assert "'FIRST'" in error_of(response)[2]


async def test_validation_messages_in_chinese(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    body = product_payload(description="<b>x</b>")
    response = await client.post(
        "/api/v3/products", json=body, headers={**auth, "Accept-Language": "zh"}
    )
    assert error_of(response) == (400, 90001, "description 不能包含 HTML 代码。")
