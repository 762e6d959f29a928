"""The adapter's authorization against the sandbox: consent page, exchange, refresh, test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from core.errors import AuthorizationExpired, PermanentError
from core.interfaces.common import CallContext
from core.interfaces.marketplace import AuthorizedStore, MarketplaceAdapter
from plugins.wish.client import WishMarketplace
from plugins.wish.settings import WishSettings
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.plugin_helpers import consent
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI

START = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=START_MS)


def test_adapter_implements_the_protocol(adapter: WishMarketplace) -> None:
    assert isinstance(adapter, MarketplaceAdapter)
    assert (adapter.id, adapter.display_name) == ("wish", "Wish")
    assert adapter.order_sync_overlap == timedelta(minutes=10)


def test_authorize_url_carries_client_id_and_state(adapter: WishMarketplace) -> None:
    url = httpx.URL(adapter.authorize_url(state="abc", redirect_uri=REDIRECT_URI))
    assert str(url).startswith("http://wish.sandbox/v3/oauth/authorize?")
    assert url.params["state"] == "abc"
    assert url.params["client_id"] == adapter.settings.client_id


def test_unconfigured_app_names_the_missing_setting() -> None:
    adapter = WishMarketplace(WishSettings())
    with pytest.raises(PermanentError, match=r"plugin\.wish\.client_id"):
        adapter.authorize_url(state="s", redirect_uri=REDIRECT_URI)
    half = WishMarketplace(WishSettings(client_id="app"))
    with pytest.raises(PermanentError, match=r"plugin\.wish\.client_secret"):
        half.authorize_url(state="s", redirect_uri=REDIRECT_URI)


async def test_consent_exchange_and_test(
    authorized: AuthorizedStore,
    adapter: WishMarketplace,
    ctx: CallContext,
    merchant: dict[str, Any],
) -> None:
    identity, credentials = authorized.identity, authorized.credentials
    assert identity.shop_id == merchant["id"]
    assert credentials.data["merchant_id"] == merchant["id"]
    assert credentials.data["warehouse_id"] == merchant["warehouses"][0]["id"]
    assert credentials.data["currency"] == "USD"
    assert credentials.data["client_id"] == adapter.settings.client_id
    assert "products:write" in credentials.data["scopes"]
    assert credentials.expires_at == START + timedelta(days=30)
    assert credentials.data["access_token"] not in repr(credentials)
    tested = await adapter.test_credentials(ctx, credentials)
    assert tested.shop_id == merchant["id"]


async def test_a_code_works_once(
    client: httpx.AsyncClient, adapter: WishMarketplace, ctx: CallContext, merchant: dict[str, Any]
) -> None:
    callback = await consent(client, adapter, merchant["id"], state="s")
    code = callback.params["code"]
    await adapter.exchange_code(ctx, code=code, redirect_uri=REDIRECT_URI, params={})
    with pytest.raises(PermanentError) as refused:
        await adapter.exchange_code(ctx, code=code, redirect_uri=REDIRECT_URI, params={})
    assert refused.value.code == "10002"
    assert not isinstance(refused.value, AuthorizationExpired)


async def test_an_expired_code_and_a_wrong_redirect_are_refused(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    merchant: dict[str, Any],
    advance: Callable[[float], None],
) -> None:
    callback = await consent(client, adapter, merchant["id"], state="s")
    with pytest.raises(PermanentError) as mismatch:
        await adapter.exchange_code(
            ctx, code=callback.params["code"], redirect_uri="https://evil.example/cb", params={}
        )
    assert mismatch.value.code == "10001"
    advance(301)
    with pytest.raises(PermanentError) as expired:
        await adapter.exchange_code(
            ctx, code=callback.params["code"], redirect_uri=REDIRECT_URI, params={}
        )
    assert expired.value.code == "10004"


async def test_refresh_revokes_the_old_token(
    adapter: WishMarketplace, ctx: CallContext, authorized: AuthorizedStore
) -> None:
    old = authorized.credentials
    new = await adapter.refresh_credentials(ctx, old)
    assert new.data["access_token"] != old.data["access_token"]
    assert new.data["refresh_token"] == old.data["refresh_token"]
    assert new.data["warehouse_id"] == old.data["warehouse_id"]
    assert (await adapter.test_credentials(ctx, new)).shop_id == old.data["merchant_id"]
    with pytest.raises(AuthorizationExpired) as revoked:
        await adapter.test_credentials(ctx, old)
    assert revoked.value.code == "1008"


async def test_expired_token_means_reauthorization(
    adapter: WishMarketplace,
    ctx: CallContext,
    authorized: AuthorizedStore,
    advance: Callable[[float], None],
) -> None:
    advance(30 * 86_400 + 1)
    with pytest.raises(AuthorizationExpired) as expired:
        await adapter.test_credentials(ctx, authorized.credentials)
    assert expired.value.code == "1007"
    refreshed = await adapter.refresh_credentials(ctx, authorized.credentials)
    assert (await adapter.test_credentials(ctx, refreshed)).shop_id


async def test_unknown_refresh_token_means_reauthorization(
    adapter: WishMarketplace, ctx: CallContext, authorized: AuthorizedStore
) -> None:
    from core.interfaces.marketplace import Credentials

    broken = Credentials({**authorized.credentials.data, "refresh_token": "nope"})
    with pytest.raises(AuthorizationExpired) as refused:
        await adapter.refresh_credentials(ctx, broken)
    assert refused.value.code == "1006"


async def test_disabled_merchant_is_a_permanent_error(
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    ctx: CallContext,
    authorized: AuthorizedStore,
    merchant: dict[str, Any],
) -> None:
    await client.put(f"/sandbox/merchants/{merchant['id']}", json={"disabled": True})
    with pytest.raises(PermanentError) as disabled:
        await adapter.test_credentials(ctx, authorized.credentials)
    assert disabled.value.code == "1002"
    assert not isinstance(disabled.value, AuthorizationExpired)


async def test_chinese_messages_when_the_seller_reads_chinese(
    adapter: WishMarketplace, client: httpx.AsyncClient, authorized: AuthorizedStore
) -> None:
    from core.interfaces.marketplace import Credentials

    broken = Credentials({**authorized.credentials.data, "access_token": "nope"})
    with pytest.raises(AuthorizationExpired, match="未找到访问令牌"):
        await adapter.test_credentials(CallContext(http=client, locale="zh_CN"), broken)
