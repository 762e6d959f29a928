"""Helpers for the Wish plugin's tests: listings, the consent page, a fast sleep."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Any

import httpx

from core.interfaces.common import Money
from core.interfaces.listings import ListingPayload, ShippingRate, VariantPayload
from core.interfaces.marketplace import AuthorizedStore
from plugins.wish.client import WishMarketplace
from plugins.wish.settings import WishSettings
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI


async def fast_sleep(seconds: float) -> None:
    """Backoff without waiting (the sandbox's clock is frozen in most tests anyway)."""
    await asyncio.sleep(0)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def make_listing(
    parent_sku: str = "MUG-001", variants: int = 3, **overrides: Any
) -> ListingPayload:
    """A valid listing with ``variants`` colour variants, each with its own picture."""
    base = f"https://img.example/{parent_sku}"
    fields: dict[str, Any] = {
        "parent_sku": parent_sku,
        "title": f"Ceramic mug {parent_sku}",
        "description": "A sturdy ceramic mug.\nDishwasher safe.",
        "main_image_url": f"{base}/main.jpg",
        "variants": tuple(
            VariantPayload(
                sku=f"{parent_sku}-{index}",
                price=usd(f"{9 + index}.99"),
                quantity=100 + index,
                options={"color": f"color-{index}"},
                image_url=f"{base}/{index}.jpg",
                weight_grams=Decimal("350"),
                origin_country="CN",
            )
            for index in range(variants)
        ),
        "tags": ("mug", "kitchen"),
        "category_id": "1234",
        "shipping": (ShippingRate(usd("2.50")),),
    }
    fields.update(overrides)
    return ListingPayload(**fields)


def settings_for(oauth_app: dict[str, Any], base_url: str, **overrides: Any) -> WishSettings:
    """Plugin settings for the sandbox app ``oauth_app`` at ``base_url``."""
    values: dict[str, Any] = {
        "client_id": oauth_app["client_id"],
        "client_secret": oauth_app["client_secret"],
        "base_url": base_url,
        "rate_limit_per_second": 1000,
        "request_timeout_seconds": 5,
    }
    values.update(overrides)
    return WishSettings.from_mapping(values)


async def consent(
    http: httpx.AsyncClient, adapter: WishMarketplace, merchant_id: str, state: str
) -> httpx.URL:
    """Follow the adapter's authorize URL, approve on Wish's page; return the redirect URL."""
    page = await http.get(adapter.authorize_url(state=state, redirect_uri=REDIRECT_URI))
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    assert merchant_id in page.text
    form = {**hidden, "merchant_id": merchant_id, "decision": "approve"}
    answer = await http.post(str(page.url.join(action.group(1))), data=form)
    assert answer.status_code == 302, answer.text
    return httpx.URL(answer.headers["location"])


async def authorize(
    http: httpx.AsyncClient, adapter: WishMarketplace, merchant_id: str
) -> AuthorizedStore:
    """The whole OAuth flow: consent page, callback, code exchange."""
    from core.interfaces.common import CallContext

    callback = await consent(http, adapter, merchant_id, state="state-1")
    assert callback.params["state"] == "state-1"
    return await adapter.exchange_code(
        CallContext(http=http),
        code=callback.params["code"],
        redirect_uri=REDIRECT_URI,
        params=dict(callback.params),
    )
