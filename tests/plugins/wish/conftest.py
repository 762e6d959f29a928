"""Fixtures for the Wish sandbox tests: a sandbox on a frozen clock, a merchant, an app, tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.interfaces.common import CallContext
from core.interfaces.marketplace import AuthorizedStore, Credentials
from plugins.wish.client import WishMarketplace
from plugins.wish.sandbox import SandboxApp, SandboxClock, create_sandbox_app
from plugins.wish.sandbox.clock import parse_to_ms
from plugins.wish.settings import WishSettings
from tests.plugins.wish.plugin_helpers import authorize, fast_sleep, settings_for
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin, obtain_tokens, usd

START_MS = parse_to_ms("2024-05-01T08:00:00.000Z")


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(frozen_at_ms=START_MS)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "wish-sandbox.db"


@pytest.fixture
def sandbox_options() -> dict[str, Any]:
    """Per-test overrides of create_sandbox_app's keyword arguments."""
    return {}


@pytest.fixture
def app(
    db_path: Path, clock: SandboxClock, sandbox_options: dict[str, Any]
) -> Iterator[SandboxApp]:
    options: dict[str, Any] = {"seed": 7, "faults": {"rate_limit": 1000}, "clock": clock}
    options.update(sandbox_options)
    sandbox_app = create_sandbox_app(db_path, **options)
    yield sandbox_app
    sandbox_app.close()


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wish.sandbox") as http:
        yield http


@pytest.fixture
async def merchant(client: httpx.AsyncClient) -> dict[str, Any]:
    return await admin(client, "POST", "/sandbox/merchants", json={"name": "Shenzhen Shop"})


@pytest.fixture
async def oauth_app(client: httpx.AsyncClient) -> dict[str, Any]:
    return await admin(
        client, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI, "name": "Tradewind"}
    )


@pytest.fixture
async def tokens(
    client: httpx.AsyncClient, merchant: dict[str, Any], oauth_app: dict[str, Any]
) -> dict[str, Any]:
    return await obtain_tokens(client, merchant["id"], oauth_app)


@pytest.fixture
def auth(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
def warehouse_id(merchant: dict[str, Any]) -> str:
    standard: str = merchant["warehouses"][0]["id"]
    return standard


@pytest.fixture
def product_payload(warehouse_id: str) -> Callable[..., dict[str, Any]]:
    """Build a valid CreateProduct body; keyword arguments override top-level fields."""

    def build(parent_sku: str = "MUG-001", variations: int = 2, **overrides: Any) -> dict[str, Any]:
        images = [f"https://img.example/{parent_sku}/{i}.jpg" for i in range(variations)]
        body: dict[str, Any] = {
            "name": f"Ceramic mug {parent_sku}",
            "description": "A sturdy ceramic mug.\nDishwasher safe.",
            "parent_sku": parent_sku,
            "category_id": 1234,
            "tags": ["mug", "kitchen"],
            "condition": "NEW",
            "default_shipping_prices": [
                {"warehouse_id": warehouse_id, "default_shipping_price": usd(2.5)}
            ],
            "main_image": {
                "url": f"https://img.example/{parent_sku}/main.jpg",
                "is_clean_image": True,
            },
            "extra_images": [{"url": url} for url in images],
            "variations": [
                {
                    "sku": f"{parent_sku}-{i}",
                    "price": usd(9.99 + i),
                    "inventories": [{"warehouse_id": warehouse_id, "inventory": 100}],
                    "image": images[i],
                    "options": [{"name": "COLOR", "value": f"color-{i}"}],
                    "logistics_details": {"origin_country": "CN", "weight": 350},
                }
                for i in range(variations)
            ],
        }
        body.update(overrides)
        return body

    return build


@pytest.fixture
def advance(clock: SandboxClock) -> Callable[[float], None]:
    return clock.advance


# -- the plugin's fixtures: an adapter on the in-process sandbox, authorized via OAuth ------


@pytest.fixture
def wish_settings(oauth_app: dict[str, Any]) -> WishSettings:
    return settings_for(oauth_app, "http://wish.sandbox")


@pytest.fixture
def adapter(wish_settings: WishSettings) -> WishMarketplace:
    return WishMarketplace(wish_settings, sleep=fast_sleep)


@pytest.fixture
def ctx(client: httpx.AsyncClient) -> CallContext:
    return CallContext(http=client)


@pytest.fixture
async def authorized(
    client: httpx.AsyncClient, adapter: WishMarketplace, merchant: dict[str, Any]
) -> AuthorizedStore:
    return await authorize(client, adapter, merchant["id"])


@pytest.fixture
def credentials(authorized: AuthorizedStore) -> Credentials:
    return authorized.credentials
