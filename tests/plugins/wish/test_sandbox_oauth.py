"""OAuth of the Wish sandbox: authorize page, code exchange, refresh, token checks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from plugins.wish.sandbox.clock import format_ms
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin, error_of, obtain_tokens

DAY_S = 86_400


def exchange_body(oauth_app: dict[str, Any], auth_code: str, **overrides: str) -> dict[str, str]:
    body = {
        "client_id": oauth_app["client_id"],
        "client_secret": oauth_app["client_secret"],
        "code": auth_code,
        "grant_type": "authorization_code",
        "redirect_uri": oauth_app["redirect_uri"],
    }
    body.update(overrides)
    return body


async def new_code(client: httpx.AsyncClient, merchant_id: str, client_id: str) -> str:
    grant = await admin(
        client, "POST", f"/sandbox/merchants/{merchant_id}/authorize", json={"client_id": client_id}
    )
    code: str = grant["code"]
    return code


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_authorize_page_approve_exchange_and_test(
    client: httpx.AsyncClient, merchant: dict[str, Any], oauth_app: dict[str, Any]
) -> None:
    page = await client.get(
        "/v3/oauth/authorize", params={"client_id": oauth_app["client_id"], "state": "s-42"}
    )
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert merchant["id"] in page.text and "Tradewind" in page.text

    decision = await client.post(
        "/v3/oauth/authorize",
        data={
            "client_id": oauth_app["client_id"],
            "state": "s-42",
            "merchant_id": merchant["id"],
            "decision": "approve",
        },
    )
    assert decision.status_code == 302
    location = httpx.URL(decision.headers["location"])
    assert str(location).startswith(REDIRECT_URI)
    assert location.params["state"] == "s-42"

    exchange = await client.post(
        "/api/v3/oauth/access_token", json=exchange_body(oauth_app, location.params["code"])
    )
    body = exchange.json()
    assert exchange.status_code == 200 and body["code"] == 0 and body["message"] == ""
    token = body["data"]
    assert set(token) == {"access_token", "refresh_token", "expiry_time", "merchant_id", "scopes"}
    assert token["merchant_id"] == merchant["id"]
    assert token["expiry_time"] == format_ms(START_MS + 30 * DAY_S * 1000)
    assert "products:write" in token["scopes"] and "orders:read" in token["scopes"]

    test = await client.get("/api/v3/oauth/test", headers=bearer(token["access_token"]))
    assert test.status_code == 200
    assert test.json()["data"] == {"merchant_id": merchant["id"]}


async def test_deny_redirects_with_access_denied(
    client: httpx.AsyncClient, merchant: dict[str, Any], oauth_app: dict[str, Any]
) -> None:
    decision = await client.post(
        "/v3/oauth/authorize",
        data={
            "client_id": oauth_app["client_id"],
            "merchant_id": merchant["id"],
            "decision": "deny",
        },
    )
    location = httpx.URL(decision.headers["location"])
    assert location.params["error"] == "access_denied"
    assert "code" not in location.params


async def test_authorize_page_for_unknown_app_is_refused(client: httpx.AsyncClient) -> None:
    page = await client.get("/v3/oauth/authorize", params={"client_id": "nope"})
    assert page.status_code == 400


@pytest.mark.parametrize("style", ["query", "form"])
async def test_other_spellings_of_the_exchange(
    client: httpx.AsyncClient, merchant: dict[str, Any], oauth_app: dict[str, Any], style: str
) -> None:
    code = await new_code(client, merchant["id"], oauth_app["client_id"])
    body = exchange_body(oauth_app, code)
    if style == "query":
        response = await client.get("/api/v3/oauth/access_token", params=body)
    else:
        response = await client.post("/api/v3/oauth/access_token", data=body)
    assert response.status_code == 200
    assert response.json()["data"]["merchant_id"] == merchant["id"]


async def test_code_is_single_use(
    client: httpx.AsyncClient, merchant: dict[str, Any], oauth_app: dict[str, Any]
) -> None:
    code = await new_code(client, merchant["id"], oauth_app["client_id"])
    first = await client.post("/api/v3/oauth/access_token", json=exchange_body(oauth_app, code))
    assert first.status_code == 200
    again = await client.post("/api/v3/oauth/access_token", json=exchange_body(oauth_app, code))
    assert error_of(again) == (400, 10002, "The authorization code has already been redeemed")


@pytest.mark.parametrize(("wait_s", "expired"), [(299, False), (300, True), (3600, True)])
async def test_code_expires_after_five_minutes(
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    oauth_app: dict[str, Any],
    advance: Any,
    wait_s: int,
    expired: bool,
) -> None:
    code = await new_code(client, merchant["id"], oauth_app["client_id"])
    advance(wait_s)
    response = await client.post("/api/v3/oauth/access_token", json=exchange_body(oauth_app, code))
    if expired:
        assert error_of(response) == (400, 10004, "The authorization code has expired")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(
    "override",
    [
        {"client_secret": "wrong-secret"},
        {"redirect_uri": "https://evil.example/callback"},
        {"client_id": "000000000000000000000000"},
    ],
)
async def test_credentials_must_match_the_registered_app(
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    oauth_app: dict[str, Any],
    override: dict[str, str],
) -> None:
    code = await new_code(client, merchant["id"], oauth_app["client_id"])
    response = await client.post(
        "/api/v3/oauth/access_token", json=exchange_body(oauth_app, code, **override)
    )
    status, error_code, message = error_of(response)
    assert (status, error_code) == (400, 10001)
    assert message.startswith("Incorrect credentials")


async def test_incorrect_code_and_another_apps_code(
    client: httpx.AsyncClient, merchant: dict[str, Any], oauth_app: dict[str, Any]
) -> None:
    wrong = await client.post("/api/v3/oauth/access_token", json=exchange_body(oauth_app, "zzz"))
    assert error_of(wrong)[:2] == (400, 10008)
    other = await admin(client, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
    foreign_code = await new_code(client, merchant["id"], other["client_id"])
    response = await client.post(
        "/api/v3/oauth/access_token", json=exchange_body(oauth_app, foreign_code)
    )
    assert error_of(response) == (400, 10008, "Incorrect authorization code provided")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"grant_type": "password"}, "grant_type must be set to 'authorization_code'"),
        ({"code": ""}, "Missing required parameter: code"),
    ],
)
async def test_invalid_params_answer_1001(
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    oauth_app: dict[str, Any],
    override: dict[str, str],
    message: str,
) -> None:
    code = await new_code(client, merchant["id"], oauth_app["client_id"])
    response = await client.post(
        "/api/v3/oauth/access_token", json=exchange_body(oauth_app, code, **override)
    )
    assert error_of(response) == (400, 1001, message)


async def test_refresh_issues_a_new_token_and_revokes_the_old_ones(
    client: httpx.AsyncClient, oauth_app: dict[str, Any], tokens: dict[str, Any], advance: Any
) -> None:
    advance(10 * DAY_S)
    params = {
        "client_id": oauth_app["client_id"],
        "client_secret": oauth_app["client_secret"],
        "refresh_token": tokens["refresh_token"],
        "grant_type": "refresh_token",
    }
    response = await client.get("/api/v3/oauth/refresh_token", params=params)
    assert response.status_code == 200
    fresh = response.json()["data"]
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["refresh_token"] == tokens["refresh_token"]
    assert fresh["expiry_time"] == format_ms(START_MS + 40 * DAY_S * 1000)

    old = await client.get("/api/v3/oauth/test", headers=bearer(tokens["access_token"]))
    assert error_of(old) == (400, 1008, "This access token has been revoked")
    old_products = await client.get("/api/v3/products", headers=bearer(tokens["access_token"]))
    assert error_of(old_products)[1] == 1008
    new = await client.get("/api/v3/oauth/test", headers=bearer(fresh["access_token"]))
    assert new.status_code == 200

    again = await client.get("/api/v3/oauth/refresh_token", params=params)
    assert again.status_code == 200
    revoked = await client.get("/api/v3/oauth/test", headers=bearer(fresh["access_token"]))
    assert error_of(revoked)[1] == 1008


@pytest.mark.parametrize(
    ("override", "expected_code"),
    [
        ({"client_secret": "wrong"}, 10001),
        ({"refresh_token": "unknown"}, 1006),
        ({"grant_type": "authorization_code"}, 1001),
        ({"refresh_token": ""}, 1001),
    ],
)
async def test_refresh_errors(
    client: httpx.AsyncClient,
    oauth_app: dict[str, Any],
    tokens: dict[str, Any],
    override: dict[str, str],
    expected_code: int,
) -> None:
    params = {
        "client_id": oauth_app["client_id"],
        "client_secret": oauth_app["client_secret"],
        "refresh_token": tokens["refresh_token"],
        "grant_type": "refresh_token",
        **override,
    }
    response = await client.get("/api/v3/oauth/refresh_token", params=params)
    assert error_of(response)[:2] == (400, expected_code)
    still_valid = await client.get("/api/v3/oauth/test", headers=bearer(tokens["access_token"]))
    assert still_valid.status_code == 200


@pytest.mark.parametrize(("age_s", "expired"), [(30 * DAY_S - 1, False), (30 * DAY_S, True)])
async def test_access_token_expires_after_thirty_days(
    client: httpx.AsyncClient, tokens: dict[str, Any], advance: Any, age_s: int, expired: bool
) -> None:
    advance(age_s)
    response = await client.get("/api/v3/oauth/test", headers=bearer(tokens["access_token"]))
    if expired:
        assert error_of(response) == (400, 1007, "This access token has expired")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, bearer("not-a-token"), {"Authorization": "Basic abc"}])
async def test_missing_or_unknown_token_answers_1006(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/api/v3/orders", headers=headers)
    assert error_of(response) == (400, 1006, "No access token found or the app does not exist")


async def test_disabled_merchant_answers_1002(
    client: httpx.AsyncClient,
    merchant: dict[str, Any],
    oauth_app: dict[str, Any],
    tokens: dict[str, Any],
) -> None:
    code = await new_code(client, merchant["id"], oauth_app["client_id"])
    await admin(client, "PUT", f"/sandbox/merchants/{merchant['id']}", json={"disabled": True})
    for response in (
        await client.get("/api/v3/oauth/test", headers=bearer(tokens["access_token"])),
        await client.get("/api/v3/products", headers=bearer(tokens["access_token"])),
        await client.post("/api/v3/oauth/access_token", json=exchange_body(oauth_app, code)),
    ):
        assert error_of(response) == (400, 1002, "Cannot access API due to account is disabled")


async def test_token_without_the_scope_is_refused(
    client: httpx.AsyncClient, merchant: dict[str, Any]
) -> None:
    reader = await admin(
        client,
        "POST",
        "/sandbox/apps",
        json={"redirect_uri": REDIRECT_URI, "scopes": ["products:read"]},
    )
    token = await obtain_tokens(client, merchant["id"], reader)
    assert token["scopes"] == ["products:read"]
    allowed = await client.get("/api/v3/products", headers=bearer(token["access_token"]))
    assert allowed.status_code == 200
    refused = await client.get("/api/v3/orders", headers=bearer(token["access_token"]))
    status, code, message = error_of(refused)
    assert (status, code) == (400, 1006) and "orders:read" in message


async def test_messages_are_localised_for_chinese(
    client: httpx.AsyncClient, oauth_app: dict[str, Any], tokens: dict[str, Any]
) -> None:
    zh = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    response = await client.get("/api/v3/oauth/test", headers={**zh, **bearer("nope")})
    assert error_of(response) == (400, 1006, "未找到访问令牌或应用不存在")
    assert response.headers["content-language"] == "zh"
    english = await client.get(
        "/api/v3/oauth/test", headers={"Accept-Language": "en-US", **bearer("nope")}
    )
    assert english.headers["content-language"] == "en"
    exchange = await client.post(
        "/api/v3/oauth/access_token", json=exchange_body(oauth_app, "bad"), headers=zh
    )
    assert error_of(exchange) == (400, 10008, "授权码不正确")


async def test_every_response_has_its_own_request_id(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    seen = set()
    for path in ("/api/v3/oauth/test", "/api/v3/products", "/nowhere", "/sandbox/health"):
        response = await client.get(path, headers=auth)
        request_id = response.headers["wish-request-id"]
        assert len(request_id) == 32
        seen.add(request_id)
    assert len(seen) == 4
