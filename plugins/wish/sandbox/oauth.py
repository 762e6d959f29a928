"""Wish v3 OAuth: the authorize page, token exchange and refresh, and the bearer check.

Flow: ``GET /v3/oauth/authorize?client_id=..&state=..`` shows a page where you pick a sandbox
merchant and approve; the browser is redirected to the app's REGISTERED ``redirect_uri`` with
``code`` (and ``state``). A code is single-use and expires after ``code_ttl_s`` (5 minutes).
``POST /api/v3/oauth/access_token`` (JSON body, or ``GET`` with query parameters) exchanges
it for an AccessToken ``{access_token, refresh_token, expiry_time, merchant_id, scopes}``.
``GET /api/v3/oauth/refresh_token`` issues a new access token for the same refresh token
(which stays valid) and revokes every earlier access token of that app for that merchant.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from litestar import Response, get, post
from litestar.enums import MediaType

from plugins.wish.sandbox.clock import format_ms
from plugins.wish.sandbox.context import Sandbox, bearer_token, sandbox_of
from plugins.wish.sandbox.errors import (
    ACCOUNT_DISABLED,
    BAD_CREDENTIALS,
    CODE_EXPIRED,
    CODE_INCORRECT,
    CODE_REDEEMED,
    INVALID_PARAM,
    TOKEN_EXPIRED,
    TOKEN_REVOKED,
    UNAUTHORIZED,
    AnyRequest,
    WishError,
    ok,
)
from plugins.wish.sandbox.requests import json_object
from plugins.wish.sandbox.store import dumps, loads


@dataclass(frozen=True)
class Auth:
    """Who is calling: the merchant and app behind a valid access token."""

    merchant_id: str
    client_id: str
    scopes: tuple[str, ...]


def authenticate(request: AnyRequest, scope: str | None) -> Auth:
    """Check the request's bearer token (and ``scope``, when given) as Wish does.

    Raises:
        WishError: 1006 no or unknown token, 1008 revoked, 1007 expired, 1002 merchant
            disabled, 1006 scope missing.
    """
    sandbox = sandbox_of(request)
    token = bearer_token(request.headers.get("authorization"))
    row = None
    if token is not None:
        row = sandbox.store.row(
            "SELECT t.*, a.client_id AS app FROM access_tokens t "
            "LEFT JOIN apps a ON a.client_id = t.client_id WHERE t.token = ?",
            (token,),
        )
    if row is None or row["app"] is None:
        raise WishError(UNAUTHORIZED, "no_token")
    if row["revoked_at_ms"] is not None:
        raise WishError(TOKEN_REVOKED, "token_revoked")
    if row["expires_at_ms"] <= sandbox.now_ms():
        raise WishError(TOKEN_EXPIRED, "token_expired")
    _require_enabled(sandbox, row["merchant_id"])
    scopes = tuple(loads(row["scopes"]))
    if scope is not None and scope not in scopes:
        raise WishError(UNAUTHORIZED, "missing_scope", scope=scope)
    return Auth(merchant_id=row["merchant_id"], client_id=row["client_id"], scopes=scopes)


def _require_enabled(sandbox: Sandbox, merchant_id: str) -> None:
    merchant = sandbox.store.merchant(merchant_id)
    if merchant is None or merchant["disabled"]:
        raise WishError(ACCOUNT_DISABLED, "account_disabled")


def issue_code(sandbox: Sandbox, client_id: str, merchant_id: str) -> str:
    """Create an authorization code for ``client_id`` on behalf of ``merchant_id``."""
    code = secrets.token_hex(16)
    expires = sandbox.now_ms() + round(sandbox.settings.code_ttl_s * 1000)
    sandbox.store.execute(
        "INSERT INTO auth_codes (code, client_id, merchant_id, expires_at_ms) VALUES (?, ?, ?, ?)",
        (code, client_id, merchant_id, expires),
    )
    return code


def _new_access_token(
    sandbox: Sandbox, refresh_token: str, client_id: str, merchant_id: str, scopes: list[str]
) -> dict[str, Any]:
    token = secrets.token_hex(16)
    expires = sandbox.now_ms() + round(sandbox.settings.token_ttl_s * 1000)
    sandbox.store.execute(
        "INSERT INTO access_tokens (token, refresh_token, client_id, merchant_id, scopes, "
        "expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
        (token, refresh_token, client_id, merchant_id, dumps(scopes), expires),
    )
    return {
        "access_token": token,
        "refresh_token": refresh_token,
        "expiry_time": format_ms(expires),
        "merchant_id": merchant_id,
        "scopes": scopes,
    }


def _require(params: Mapping[str, str], names: tuple[str, ...]) -> None:
    for name in names:
        if not params.get(name):
            raise WishError(INVALID_PARAM, "missing_param", field=name)


def exchange_code(sandbox: Sandbox, params: Mapping[str, str]) -> dict[str, Any]:
    """Exchange an authorization code for tokens (the access_token endpoint's logic).

    Raises:
        WishError: 1001, 10001, 10008, 10002, 10004 or 1002 as Wish answers them.
    """
    _require(params, ("client_id", "client_secret", "code", "grant_type", "redirect_uri"))
    if params["grant_type"] != "authorization_code":
        raise WishError(INVALID_PARAM, "grant_type", expected="authorization_code")
    store = sandbox.store
    app = store.row("SELECT * FROM apps WHERE client_id = ?", (params["client_id"],))
    if (
        app is None
        or not secrets.compare_digest(app["client_secret"], params["client_secret"])
        or app["redirect_uri"] != params["redirect_uri"]
    ):
        raise WishError(BAD_CREDENTIALS, "bad_credentials")
    code = store.row("SELECT * FROM auth_codes WHERE code = ?", (params["code"],))
    if code is None or code["client_id"] != app["client_id"]:
        raise WishError(CODE_INCORRECT, "code_incorrect")
    if code["redeemed_at_ms"] is not None:
        raise WishError(CODE_REDEEMED, "code_redeemed")
    now = sandbox.now_ms()
    if code["expires_at_ms"] <= now:
        raise WishError(CODE_EXPIRED, "code_expired")
    _require_enabled(sandbox, code["merchant_id"])
    scopes: list[str] = loads(app["scopes"])
    refresh_token = secrets.token_hex(16)
    with store.transaction():
        store.execute(
            "UPDATE auth_codes SET redeemed_at_ms = ? WHERE code = ?", (now, code["code"])
        )
        store.execute(
            "INSERT INTO grants (refresh_token, client_id, merchant_id, scopes, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?)",
            (refresh_token, app["client_id"], code["merchant_id"], dumps(scopes), now),
        )
        return _new_access_token(
            sandbox, refresh_token, app["client_id"], code["merchant_id"], scopes
        )


def refresh(sandbox: Sandbox, params: Mapping[str, str]) -> dict[str, Any]:
    """Issue a new access token for a refresh token and revoke the earlier ones.

    Raises:
        WishError: 1001, 10001, 1006 or 1002 as Wish answers them.
    """
    _require(params, ("client_id", "client_secret", "refresh_token", "grant_type"))
    if params["grant_type"] != "refresh_token":
        raise WishError(INVALID_PARAM, "grant_type", expected="refresh_token")
    store = sandbox.store
    app = store.row("SELECT * FROM apps WHERE client_id = ?", (params["client_id"],))
    if app is None or not secrets.compare_digest(app["client_secret"], params["client_secret"]):
        raise WishError(BAD_CREDENTIALS, "bad_client_credentials")
    grant = store.row("SELECT * FROM grants WHERE refresh_token = ?", (params["refresh_token"],))
    if grant is None or grant["client_id"] != app["client_id"]:
        raise WishError(UNAUTHORIZED, "unauthorized")
    _require_enabled(sandbox, grant["merchant_id"])
    with store.transaction():
        store.execute(
            "UPDATE access_tokens SET revoked_at_ms = ? WHERE client_id = ? AND merchant_id = ? "
            "AND revoked_at_ms IS NULL",
            (sandbox.now_ms(), grant["client_id"], grant["merchant_id"]),
        )
        return _new_access_token(
            sandbox,
            grant["refresh_token"],
            grant["client_id"],
            grant["merchant_id"],
            loads(grant["scopes"]),
        )


def _params(values: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value is not None}


@post("/api/v3/oauth/access_token", status_code=200)
async def access_token_post(request: AnyRequest) -> Response[Any]:
    """Exchange a code for tokens (JSON body; form or query parameters also accepted)."""
    params = _params(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        params.update(_params(await json_object(request, INVALID_PARAM)))
    elif "form" in content_type:
        params.update(_params(dict(await request.form())))
    return ok(exchange_code(sandbox_of(request), params))


@get("/api/v3/oauth/access_token")
async def access_token_get(request: AnyRequest) -> Response[Any]:
    """Exchange a code for tokens (query parameters)."""
    return ok(exchange_code(sandbox_of(request), _params(request.query_params)))


@get("/api/v3/oauth/refresh_token")
async def refresh_token(request: AnyRequest) -> Response[Any]:
    """Get a new access token with a refresh token; earlier access tokens are revoked."""
    return ok(refresh(sandbox_of(request), _params(request.query_params)))


@get("/api/v3/oauth/test")
async def test_token(request: AnyRequest) -> Response[Any]:
    """Tell whether the bearer token is usable; answers the merchant id."""
    auth = authenticate(request, None)
    return ok({"merchant_id": auth.merchant_id})


def _page(title: str, body: str, status: int = 200) -> Response[Any]:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} - Wish sandbox</title></head><body>{body}</body></html>"
    )
    return Response(document, media_type=MediaType.HTML, status_code=status)


@get("/v3/oauth/authorize")
async def authorize_page(request: AnyRequest) -> Response[Any]:
    """Show the consent page: pick a sandbox merchant and approve or deny the app."""
    sandbox = sandbox_of(request)
    client_id = str(request.query_params.get("client_id") or "")
    app = sandbox.store.row("SELECT * FROM apps WHERE client_id = ?", (client_id,))
    if app is None:
        return _page("Unknown app", "<h1>Unknown client_id</h1>", status=400)
    merchants = sandbox.store.rows("SELECT id, name FROM merchants WHERE disabled = 0 ORDER BY id")
    name = html.escape(app["name"])
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in loads(app["scopes"]))
    if not merchants:
        return _page(
            "Authorize",
            "<h1>No sandbox merchant</h1><p>Create one with POST /sandbox/merchants first.</p>",
            status=400,
        )
    options = "".join(
        f'<option value="{html.escape(m["id"])}">{html.escape(m["name"])} ({m["id"]})</option>'
        for m in merchants
    )
    state = html.escape(str(request.query_params.get("state") or ""))
    body = (
        f"<h1>Authorize {name}</h1><p>{name} asks for access to your Wish store:</p>"
        f'<ul>{scopes}</ul><form method="post" action="/v3/oauth/authorize">'
        f'<input type="hidden" name="client_id" value="{html.escape(client_id)}">'
        f'<input type="hidden" name="state" value="{state}">'
        f'<label>Merchant <select name="merchant_id">{options}</select></label> '
        '<button type="submit" name="decision" value="approve">Approve</button> '
        '<button type="submit" name="decision" value="deny">Deny</button></form>'
    )
    return _page(f"Authorize {app['name']}", body)


@post("/v3/oauth/authorize", status_code=302)
async def authorize_decision(request: AnyRequest) -> Response[Any]:
    """Handle the consent form: redirect to the app's registered redirect_uri."""
    sandbox = sandbox_of(request)
    form = {key: str(value) for key, value in dict(await request.form()).items()}
    app = sandbox.store.row("SELECT * FROM apps WHERE client_id = ?", (form.get("client_id"),))
    merchant = sandbox.store.merchant(form.get("merchant_id", ""))
    if app is None or merchant is None:
        return _page("Authorize", "<h1>Unknown app or merchant</h1>", status=400)
    extra: dict[str, str] = {}
    if form.get("decision") == "approve":
        extra["code"] = issue_code(sandbox, app["client_id"], merchant["id"])
    else:
        extra["error"] = "access_denied"
    if form.get("state"):
        extra["state"] = form["state"]
    return Response(
        b"", status_code=302, headers={"Location": with_query(app["redirect_uri"], extra)}
    )


def with_query(url: str, extra: Mapping[str, str]) -> str:
    """Return ``url`` with ``extra`` added to its query string."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *extra.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


ROUTES = [
    access_token_post,
    access_token_get,
    refresh_token,
    test_token,
    authorize_page,
    authorize_decision,
]
