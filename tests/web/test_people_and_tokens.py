"""People and tokens through the pages and the JSON API, as the owner and as staff."""

from __future__ import annotations

import re

from litestar import Litestar

from core.models import Store
from tests.web.helpers import BASE_URL, post_form, runtime_of, send_json, sign_in

LINK = re.compile(r'value="(http://[^"]+/set-password/[^"]+)"')


async def add_store(app: Litestar, account_id: int, name: str) -> int:
    async with runtime_of(app).sessions() as session, session.begin():
        store = Store(
            account_id=account_id, platform="testmarket", platform_shop_id=name, name=name
        )
        session.add(store)
        await session.flush()
        return store.id


async def invite_staff(app, owner, new_client, *, store_id: int | None = None, **access):
    form = {"email": "wang@example.com", "display_name": "Wang", "role": "staff"}
    form.update({f"access_{area}": level for area, level in access.items()})
    body = {**form, "store_ids": [str(store_id)] if store_id else []}
    answer = await owner.post("/settings/people", body)
    assert answer.status_code == 200, answer.text
    link = LINK.search(answer.text).group(1)
    path = link.removeprefix("http://127.0.0.1:8000")
    staff_client = new_client()
    form_page = await staff_client.get(path)
    assert form_page.status_code == 200 and "wang@example.com" in form_page.text
    done = await post_form(staff_client, path, {"password": "staff password 1"})
    assert done.status_code == 303
    again = await post_form(new_client(), path, {"password": "another password"})
    assert again.status_code == 404  # the link worked once
    return await sign_in(app, new_client(), "wang@example.com", "staff password 1")


async def test_staff_see_only_what_they_were_given(app, owner, new_client) -> None:
    store_a = await add_store(app, owner.account_id, "Alpha shop")
    await add_store(app, owner.account_id, "Beta shop")
    staff = await invite_staff(
        app, owner, new_client, store_id=store_a, orders="write", products="read"
    )
    me = (await staff.get("/api/v1/me")).json()
    assert me["role"] == "staff" and me["is_manager"] is False
    assert me["access"] == {"orders": "write", "products": "read"}
    assert me["store_ids"] == [store_a]

    home = (await staff.get("/")).text
    assert ">订单<" in home or "订单" in home
    assert "采购" not in home  # no purchasing area
    assert "子账号管理" not in home  # no people page in the menu

    page = await staff.get("/settings/people")
    assert page.status_code == 403
    assert "只有主账号或管理员" in page.text
    api = await staff.get("/api/v1/people")
    assert api.status_code == 403 and "detail" in api.json()

    people = (await owner.get("/api/v1/people")).json()
    assert [p["email"] for p in people] == [owner.email, "wang@example.com"]
    assert people[1]["store_ids"] == [store_a]


async def test_the_owner_edits_and_deactivates_a_person(app, owner, new_client) -> None:
    store_a = await add_store(app, owner.account_id, "Alpha shop")
    staff = await invite_staff(app, owner, new_client, orders="read")
    edit = await owner.get(f"/settings/people/{staff.user_id}")
    assert edit.status_code == 200 and "Alpha shop" in edit.text

    saved = await owner.post(
        f"/settings/people/{staff.user_id}",
        {"role": "staff", "access_images": "write", "store_ids": [str(store_a)]},
    )
    assert saved.status_code == 303
    me = (await staff.get("/api/v1/me")).json()
    assert me["access"] == {"images": "write"} and me["store_ids"] == [store_a]

    off = await owner.post(f"/settings/people/{staff.user_id}/deactivate")
    assert off.status_code == 303
    assert (await staff.get("/")).status_code == 303  # signed out at once
    listing = (await owner.get("/settings/people")).text
    assert "已停用" in listing


async def test_people_api_invites_and_updates(app, owner) -> None:
    created = await send_json(
        owner.client,
        "POST",
        "/api/v1/people",
        {"email": "api@example.com", "role": "staff", "access": {"orders": "read"}},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["set_password_url"].startswith("http://127.0.0.1:8000/set-password/")
    person_id = body["person"]["id"]
    updated = await send_json(owner.client, "PUT", f"/api/v1/people/{person_id}", {"role": "admin"})
    assert updated.status_code == 200 and updated.json()["role"] == "admin"
    bad = await send_json(
        owner.client, "PUT", f"/api/v1/people/{person_id}", {"access": {"moon": "read"}}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "access"


async def test_tokens_page_shows_the_secret_once_and_revokes(owner, new_client) -> None:
    created = await owner.post("/settings/tokens", {"name": "collector", "expires_in_days": "30"})
    assert created.status_code == 200
    secret = re.search(r'value="(tw_[^"]+)"', created.text).group(1)
    listing = (await owner.get("/settings/tokens")).text
    assert secret not in listing and secret[:10] in listing

    script = new_client(headers={"Authorization": f"Bearer {secret}"})
    assert (await script.get("/api/v1/me")).status_code == 200
    token_id = (await script.get("/api/v1/tokens")).json()[0]["id"]

    revoked = await owner.post(f"/settings/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    assert (await script.get("/api/v1/me")).status_code == 401


async def test_token_api_needs_csrf_with_cookies_but_not_with_a_token(owner, new_client) -> None:
    without = await owner.client.post("/api/v1/tokens", json={"name": "x"})
    assert without.status_code == 403
    made = await send_json(owner.client, "POST", "/api/v1/tokens", {"name": "script"})
    assert made.status_code == 201
    secret = made.json()["secret"]
    script = new_client(headers={"Authorization": f"Bearer {secret}"})
    second = await script.post("/api/v1/tokens", json={"name": "made by a script"})
    assert second.status_code == 201
    gone = await script.delete(f"/api/v1/tokens/{second.json()['token']['id']}")
    assert gone.status_code == 200 and gone.json()["active"] is False
    missing = await script.post("/api/v1/tokens", json={})
    assert missing.status_code == 400
    assert missing.json()["field"] == "name" and "name" in missing.json()["detail"]


async def test_sign_in_is_throttled_and_says_when_to_retry(app, owner, new_client) -> None:
    client = new_client()
    for _ in range(5):
        wrong = await post_form(client, "/signin", {"email": owner.email, "password": "nope"})
        assert wrong.status_code == 400
        assert "邮箱或密码错误" in wrong.text
    locked = await post_form(client, "/signin", {"email": owner.email, "password": owner.password})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "登录失败次数过多" in locked.text and "秒钟后再试" in locked.text


def test_links_use_the_public_base_url() -> None:
    assert BASE_URL != "http://127.0.0.1:8000"  # the link host comes from settings, not the request
