"""Stores through the pages and the JSON API, with real HTTP to the test OAuth server."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from core.models import Store
from core.registry import Registry
from tests.web.helpers import authorize_store, runtime_of, send_json, sign_up


@pytest.fixture
def registry(test_market) -> Registry:
    return Registry(marketplaces={"testmarket": test_market})


async def test_authorize_two_stores_and_see_them_listed(owner, oauth_state) -> None:
    oauth_state.add_shop("shop-a", "阳光玩具店")
    oauth_state.add_shop("shop-b", "Blue Sea Gadgets")
    empty = await owner.get("/stores")
    assert "还没有店铺" in empty.text

    choose = await owner.get("/stores/authorize")
    assert "Test Market" in choose.text

    page = await authorize_store(owner, "shop-a")
    assert "店铺 阳光玩具店 已授权" in page or "阳光玩具店" in page
    page = await authorize_store(owner, "shop-b")
    assert "阳光玩具店" in page and "Blue Sea Gadgets" in page
    assert page.count('class="badge badge-ok"') == 2

    stores = (await owner.get("/api/v1/stores")).json()
    assert [(s["name"], s["status"]) for s in stores] == [
        ("Blue Sea Gadgets", "active"),
        ("阳光玩具店", "active"),
    ]
    assert all("credentials_encrypted" not in s and "access_token" not in str(s) for s in stores)


async def test_a_second_account_is_refused_and_the_first_keeps_its_store(
    app, owner, new_client, oauth_state
) -> None:
    oauth_state.add_shop("shop-a", "Sunny Toys")
    await authorize_store(owner, "shop-a")
    async with runtime_of(app).sessions() as session:
        before = (await session.exec(select(Store))).one()

    rival = await sign_up(app, new_client(), account_name="Rival")
    page = await authorize_store(rival, "shop-a")
    assert "已被另一个 Tradewind 账号授权" in page
    assert "一个店铺只能属于一个 Tradewind 账号" in page
    assert (await rival.get("/api/v1/stores")).json() == []

    async with runtime_of(app).sessions() as session:
        after = (await session.exec(select(Store))).one()
    assert after.account_id == owner.account_id
    assert after.credentials_encrypted == before.credentials_encrypted


async def test_a_replayed_or_foreign_callback_is_refused(
    app, owner, new_client, oauth_state
) -> None:
    oauth_state.add_shop("shop-a", "Sunny Toys")
    start = await owner.post("/stores/authorize/testmarket")
    async with httpx.AsyncClient() as platform_browser:
        granted = await platform_browser.get(f"{start.headers['location']}&shop_id=shop-a")
    callback = httpx.URL(granted.headers["location"])
    target = f"{callback.path}?{callback.query.decode()}"

    # the same user signed in on another browser cannot complete this browser's authorization
    other_browser = await sign_up(app, new_client(), account_name="Other")
    foreign = await other_browser.get(target)
    assert foreign.status_code == 303
    assert "已过期" in (await other_browser.get("/stores")).text

    first = await owner.get(target)
    assert first.status_code == 303
    replay = await owner.get(target)
    assert replay.status_code == 303
    listing = (await owner.get("/stores")).text
    assert "已被使用" in listing or "已过期" in listing
    assert len((await owner.get("/api/v1/stores")).json()) == 1


async def test_deauthorize_keeps_the_store_listed_read_only(owner, oauth_state) -> None:
    oauth_state.add_shop("shop-a", "Sunny Toys")
    await authorize_store(owner, "shop-a")
    store_id = (await owner.get("/api/v1/stores")).json()[0]["id"]
    done = await owner.post(f"/stores/{store_id}/deauthorize")
    assert done.status_code == 303
    listing = (await owner.get("/stores")).text
    assert "已取消授权" in listing and "Sunny Toys" in listing
    detail = await owner.get(f"/stores/{store_id}")
    assert detail.status_code == 200 and "只读" in detail.text
    api = (await owner.get(f"/api/v1/stores/{store_id}")).json()
    assert api["status"] == "disabled"


async def test_the_platform_refusing_is_shown(owner) -> None:
    page = await owner.get("/stores/callback/testmarket?error=access_denied")
    assert page.status_code == 303
    assert "access_denied" in (await owner.get("/stores")).text


async def test_api_authorization_is_bound_to_the_user(app, owner, new_client, oauth_state) -> None:
    oauth_state.add_shop("shop-api", "API Shop")
    made = await send_json(owner.client, "POST", "/api/v1/tokens", {"name": "script"})
    token = made.json()["secret"]
    script = new_client(headers={"Authorization": f"Bearer {token}"})
    assert [p["id"] for p in (await script.get("/api/v1/platforms")).json()] == ["testmarket"]
    started = await script.post("/api/v1/stores/authorize/testmarket")
    assert started.status_code == 200
    async with httpx.AsyncClient() as platform_browser:
        granted = await platform_browser.get(f"{started.json()['authorize_url']}&shop_id=shop-api")
    callback = httpx.URL(granted.headers["location"])
    # the user's browser (signed in as the same user) completes it
    back = await owner.get(f"{callback.path}?{callback.query.decode()}")
    assert back.status_code == 303 and back.headers["location"] == "/stores"
    assert [s["name"] for s in (await script.get("/api/v1/stores")).json()] == ["API Shop"]


async def test_staff_see_only_their_stores_and_cannot_manage(
    app, owner, new_client, oauth_state
) -> None:
    from tests.web.test_people_and_tokens import invite_staff

    oauth_state.add_shop("shop-a", "Alpha")
    oauth_state.add_shop("shop-b", "Beta")
    await authorize_store(owner, "shop-a")
    await authorize_store(owner, "shop-b")
    stores = {s["name"]: s["id"] for s in (await owner.get("/api/v1/stores")).json()}
    staff = await invite_staff(app, owner, new_client, store_id=stores["Alpha"], orders="read")

    listing = (await staff.get("/stores")).text
    assert "Alpha" in listing and "Beta" not in listing
    assert "授权店铺" not in listing  # no authorize button
    assert (await staff.get(f"/stores/{stores['Beta']}")).status_code == 404
    assert (await staff.get(f"/api/v1/stores/{stores['Beta']}")).status_code == 404
    assert (await staff.post(f"/stores/{stores['Alpha']}/deauthorize")).status_code == 403
    assert (await staff.get("/stores/authorize")).status_code == 403
