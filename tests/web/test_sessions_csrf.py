"""Sessions, CSRF and the sign-in guard, through the real app."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from core.config import Settings
from core.registry import Registry
from tests.web.helpers import PASSWORD, make_client, post_form, running, sign_in, sign_up
from web.app import create_app


def set_cookie_headers(response: httpx.Response, name: str) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]


async def test_pages_redirect_to_sign_in_and_api_answers_401(new_client) -> None:
    client = new_client()
    page = await client.get("/settings/profile?tab=1")
    assert page.status_code == 303
    assert page.headers["location"] == "/signin?next=%2Fsettings%2Fprofile%3Ftab%3D1"

    api = await client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.headers["www-authenticate"] == "Bearer"
    assert api.json()["status_code"] == 401

    htmx = await client.get("/", headers={"HX-Request": "true"})
    assert htmx.headers["hx-redirect"] == "/signin?next=%2F"


async def test_sign_up_sets_a_hardened_session_cookie(app: Litestar, new_client) -> None:
    client = new_client()
    await client.get("/signup")
    response = await post_form(
        client,
        "/signup",
        {"email": "Owner@Example.com ", "password": PASSWORD, "account_name": "Shop"},
    )
    assert response.status_code == 303
    (cookie,) = set_cookie_headers(response, "tw_session")
    lowered = cookie.lower()
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "secure" not in lowered  # plain http deployment

    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "owner@example.com"
    assert me.json()["role"] == "owner"
    assert me.json()["is_manager"] is True


async def test_cookies_are_secure_behind_https(
    settings: Settings, engine, registry: Registry
) -> None:
    https_settings = settings.model_copy(update={"public_base_url": "https://erp.example.com"})
    async with running(create_app(https_settings, registry=registry)) as app:
        client = make_client(app, base_url="https://erp.example.com")  # secure cookies need https
        page = await client.get("/signin")
        (csrf,) = set_cookie_headers(page, "tw_csrf")
        assert "secure" in csrf.lower()
        response = await post_form(
            client, "/signup", {"email": "s@example.com", "password": PASSWORD, "account_name": "S"}
        )
        (session,) = set_cookie_headers(response, "tw_session")
        assert "secure" in session.lower()
        await client.aclose()


async def test_a_form_without_the_csrf_token_is_refused(new_client) -> None:
    client = new_client()
    await client.get("/signup")
    data = {"email": "x@example.com", "password": PASSWORD, "account_name": "X"}
    refused = await client.post("/signup", data=data)
    assert refused.status_code == 403
    assert "刷新页面" in refused.text  # the default language explains what to do

    wrong = await client.post("/signup", data={**data, "_csrf_token": "0" * 128})
    assert wrong.status_code == 403

    accepted = await post_form(client, "/signup", data)
    assert accepted.status_code == 303


async def test_cookie_authenticated_json_writes_need_the_csrf_header(owner) -> None:
    refused = await owner.client.post("/locale", json={"locale": "en"})
    assert refused.status_code == 403


async def test_a_tampered_session_cookie_is_anonymous(app: Litestar, owner) -> None:
    value = owner.client.cookies["tw_session"]
    forged = make_client(app)
    tail = "BBBBBB" if value.endswith("AAAAAA") else "AAAAAA"
    forged.cookies.set("tw_session", value[:-6] + tail)
    response = await forged.get("/")
    assert response.status_code == 303
    await forged.aclose()


async def test_sign_out_ends_the_session(owner) -> None:
    response = await owner.post("/signout")
    assert response.status_code == 303
    assert (await owner.get("/")).status_code == 303


async def test_changing_the_password_signs_out_other_devices(
    app: Litestar, owner, new_client
) -> None:
    laptop = await sign_in(app, new_client(), owner.email, owner.password)
    response = await owner.post(
        "/settings/password", {"current_password": PASSWORD, "password": "another long secret"}
    )
    assert response.status_code == 303
    assert (await owner.get("/settings/profile")).status_code == 200  # this browser stays
    assert (await laptop.get("/settings/profile")).status_code == 303  # the other one is out


async def test_wrong_current_password_names_the_field(owner) -> None:
    response = await owner.post(
        "/settings/password", {"current_password": "nope nope", "password": "another long secret"}
    )
    assert response.status_code == 400
    assert 'id="e-current_password"' in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
async def test_sign_in_never_redirects_off_site(app: Litestar, new_client, target: str) -> None:
    owner = await sign_up(app, new_client())
    client = new_client()
    response = await post_form(
        client, "/signin", {"email": owner.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_sign_in_returns_to_the_page_asked_for(app: Litestar, new_client) -> None:
    owner = await sign_up(app, new_client())
    client = new_client()
    response = await post_form(
        client,
        "/signin",
        {"email": owner.email, "password": PASSWORD, "next": "/settings/profile"},
    )
    assert response.headers["location"] == "/settings/profile"


async def test_public_routes_need_no_session(new_client) -> None:
    client = new_client()
    assert (await client.get("/healthz")).status_code in (200, 503)
    assert (await client.get("/static/app.css")).status_code == 200
    assert (await client.get("/schema/openapi.json")).status_code == 200
    assert (await client.get("/signin")).status_code == 200


async def test_bearer_tokens_authenticate_api_calls_and_never_fall_back_to_cookies(
    app: Litestar, owner, new_client
) -> None:
    from core.accounts.tokens import create_api_token, revoke_api_token
    from core.actor import Actor
    from tests.web.helpers import runtime_of

    actor = Actor(account_id=owner.account_id, user_id=owner.user_id)
    view, secret = await create_api_token(runtime_of(app).sessions, actor, name="script")
    assert secret.startswith("tw_") and view.prefix == secret[:10]

    script = new_client()
    me = await script.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["email"] == owner.email

    # a bad token on a browser that also has a valid session cookie is still refused
    bad = await owner.client.get("/api/v1/me", headers={"Authorization": "Bearer tw_nope"})
    assert bad.status_code == 401
    assert "令牌无效" in bad.json()["detail"]

    # token calls need no CSRF token (no cookie is involved)
    switched = await script.post(
        "/locale", data={"locale": "en"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert switched.status_code == 303

    await revoke_api_token(runtime_of(app).sessions, actor, view.id)
    gone = await script.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status_code == 401


async def test_the_profile_has_a_json_twin(owner, new_client) -> None:
    from tests.web.helpers import send_json

    changed = await send_json(
        owner.client, "PATCH", "/api/v1/me", {"display_name": "Li", "locale": "en"}
    )
    assert changed.status_code == 200
    assert (changed.json()["display_name"], changed.json()["locale"]) == ("Li", "en")
    assert "Welcome, Li" in (await owner.get("/")).text  # the session follows the change

    bad = await send_json(
        owner.client, "PATCH", "/api/v1/me", {"locale": "xx", "display_name": "Z"}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "locale"
    assert (await owner.get("/api/v1/me")).json()["display_name"] == "Li"  # nothing changed

    moved = await send_json(
        owner.client,
        "POST",
        "/api/v1/me/password",
        {"current_password": PASSWORD, "password": "new long password"},
    )
    assert moved.status_code == 200
    assert (await owner.get("/api/v1/me")).status_code == 200  # this session stays valid
