"""The sandbox's own admin API under ``/sandbox`` (no auth; never part of Wish's contract).

See the package docstring for the list of endpoints and their bodies. Errors use the Wish
envelope with code 1001 (HTTP 400), or 404 for an unknown merchant.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Response, get, post, put
from litestar.params import FromPath

from plugins.wish.sandbox.clock import parse_to_ms
from plugins.wish.sandbox.context import Sandbox, sandbox_of
from plugins.wish.sandbox.data import COUNTRY_CODES, DEFAULT_SCOPES
from plugins.wish.sandbox.errors import INVALID_PARAM, AnyRequest, WishError, ok
from plugins.wish.sandbox.faults import Faults
from plugins.wish.sandbox.generate import MAX_BATCH, generate_orders
from plugins.wish.sandbox.oauth import issue_code, with_query
from plugins.wish.sandbox.requests import json_object
from plugins.wish.sandbox.store import dumps, loads

_WAREHOUSE_ADDRESSES = {
    "CN": ("Sandbox Seller", "No. 8 Keji Road", "Shenzhen", "Guangdong", "518057"),
    "US": ("Sandbox Seller", "500 Market Street", "San Francisco", "CA", "94105"),
}


def _bad(detail: str, status: int = 400) -> WishError:
    return WishError(INVALID_PARAM, "admin_invalid", status=status, detail=detail)


def _merchant_view(sandbox: Sandbox, merchant_id: FromPath[str]) -> dict[str, Any]:
    row = sandbox.store.merchant(merchant_id)
    if row is None:
        raise _bad(f"no merchant {merchant_id}", 404)
    return {
        "id": row["id"],
        "name": row["name"],
        "country_code": row["country_code"],
        "currency": row["currency"],
        "mainland_china": row["country_code"] == "CN",
        "disabled": bool(row["disabled"]),
        "warehouses": sandbox.store.warehouses(merchant_id),
    }


def create_merchant(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """Create a merchant with its STANDARD warehouse; return the admin view of it."""
    country = str(body.get("country_code", "CN"))
    currency = str(body.get("currency", "USD"))
    if country not in COUNTRY_CODES or len(currency) != 3 or not currency.isupper():
        raise _bad("country_code must be ISO 3166 alpha-2 and currency ISO 4217")
    merchant_id = str(body.get("id") or sandbox.new_id())
    if sandbox.store.merchant(merchant_id) is not None:
        raise _bad(f"merchant {merchant_id} exists")
    name = str(body.get("name") or f"Sandbox Store {merchant_id[-6:]}")
    ship_to, street, city, state, zipcode = _WAREHOUSE_ADDRESSES.get(
        country, _WAREHOUSE_ADDRESSES["US"]
    )
    warehouse: dict[str, Any] = {
        "id": sandbox.new_id(),
        "name": "STANDARD",
        "shipping_type": "STANDARD",
        "address": {
            "ship_to_name": ship_to,
            "street_address1": street,
            "city": city,
            "state": state,
            "zipcode": zipcode,
            "country_code": country,
        },
        "destination_countries": ["US", "GB", "DE", "FR", "CA", "AU", "BR", "MX", "ES", "IT"],
    }
    extra_names = body.get("extra_warehouses") or []
    if not isinstance(extra_names, list) or not all(isinstance(n, str) for n in extra_names):
        raise _bad("extra_warehouses must be a list of warehouse names")
    warehouses = [warehouse]
    for extra_name in extra_names:
        extra = {**warehouse, "id": sandbox.new_id(), "name": extra_name}
        warehouses.append({**extra, "shipping_type": "WISH_EXPRESS"})
    with sandbox.store.transaction():
        sandbox.store.execute(
            "INSERT INTO merchants (id, name, country_code, currency, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?)",
            (merchant_id, name, country, currency, sandbox.now_ms()),
        )
        for item in warehouses:
            sandbox.store.execute(
                "INSERT INTO warehouses (id, merchant_id, name, shipping_type, doc) "
                "VALUES (?, ?, ?, ?, ?)",
                (item["id"], merchant_id, item["name"], item["shipping_type"], dumps(item)),
            )
    return _merchant_view(sandbox, merchant_id)


def register_app(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """Register an OAuth app; return it with its client secret."""
    redirect_uri = body.get("redirect_uri")
    if not isinstance(redirect_uri, str) or not redirect_uri.startswith(("http://", "https://")):
        raise _bad("redirect_uri (an http(s) URL) is required")
    client_id = str(body.get("client_id") or sandbox.new_id())
    client_secret = str(body.get("client_secret") or secrets.token_hex(16))
    scopes = list(body.get("scopes") or DEFAULT_SCOPES)
    name = str(body.get("name") or "Sandbox app")
    if sandbox.store.row("SELECT 1 FROM apps WHERE client_id = ?", (client_id,)):
        raise _bad(f"app {client_id} exists")
    sandbox.store.execute(
        "INSERT INTO apps (client_id, client_secret, redirect_uri, name, scopes, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (client_id, client_secret, redirect_uri, name, dumps(scopes), sandbox.now_ms()),
    )
    return {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": redirect_uri,
        "name": name,
        "scopes": scopes,
    }


@post("/sandbox/merchants", status_code=200)
async def post_merchant(request: AnyRequest) -> Response[Any]:
    """Create a sandbox merchant."""
    return ok(create_merchant(sandbox_of(request), await json_object(request, INVALID_PARAM)))


@get("/sandbox/merchants")
async def get_merchants(request: AnyRequest) -> Response[Any]:
    """List sandbox merchants."""
    sandbox = sandbox_of(request)
    rows = sandbox.store.rows("SELECT id FROM merchants ORDER BY id")
    return ok([_merchant_view(sandbox, row["id"]) for row in rows])


@put("/sandbox/merchants/{merchant_id:str}")
async def put_merchant(request: AnyRequest, merchant_id: FromPath[str]) -> Response[Any]:
    """Change a merchant: ``disabled`` (the API then answers 1002), name, country, currency."""
    sandbox = sandbox_of(request)
    _merchant_view(sandbox, merchant_id)
    body = await json_object(request, INVALID_PARAM)
    columns = {
        "disabled": "disabled",
        "name": "name",
        "country_code": "country_code",
        "currency": "currency",
    }
    for key, column in columns.items():
        if key in body:
            value = int(bool(body[key])) if key == "disabled" else str(body[key])
            sandbox.store.execute(
                f"UPDATE merchants SET {column} = ? WHERE id = ?", (value, merchant_id)
            )
    return ok(_merchant_view(sandbox, merchant_id))


@post("/sandbox/apps", status_code=200)
async def post_app(request: AnyRequest) -> Response[Any]:
    """Register an OAuth app (client_id, client_secret, redirect_uri, name, scopes)."""
    return ok(register_app(sandbox_of(request), await json_object(request, INVALID_PARAM)))


@get("/sandbox/apps")
async def get_apps(request: AnyRequest) -> Response[Any]:
    """List registered apps (secrets included: this is a sandbox)."""
    rows = sandbox_of(request).store.rows("SELECT * FROM apps ORDER BY created_at_ms")
    return ok([{**dict(row), "scopes": loads(row["scopes"])} for row in rows])


@post("/sandbox/merchants/{merchant_id:str}/authorize", status_code=200)
async def post_authorize(request: AnyRequest, merchant_id: FromPath[str]) -> Response[Any]:
    """Approve an app for a merchant without the HTML page; answers the code and redirect."""
    sandbox = sandbox_of(request)
    _merchant_view(sandbox, merchant_id)
    body = await json_object(request, INVALID_PARAM)
    app = sandbox.store.row("SELECT * FROM apps WHERE client_id = ?", (body.get("client_id"),))
    if app is None:
        raise _bad("client_id of a registered app is required")
    code = issue_code(sandbox, app["client_id"], merchant_id)
    extra = {"code": code, **({"state": str(body["state"])} if body.get("state") else {})}
    return ok({"code": code, "redirect_url": with_query(app["redirect_uri"], extra)})


@post("/sandbox/merchants/{merchant_id:str}/orders/generate", status_code=200)
async def post_generate(request: AnyRequest, merchant_id: FromPath[str]) -> Response[Any]:
    """Generate ``count`` orders (1..500); ``released_within_s`` spreads ``released_at``."""
    sandbox = sandbox_of(request)
    _merchant_view(sandbox, merchant_id)
    body = await json_object(request, INVALID_PARAM)
    count = body.get("count", 1)
    within = body.get("released_within_s", 0)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BATCH:
        raise _bad(f"count must be an integer within 1..{MAX_BATCH}")
    if isinstance(within, bool) or not isinstance(within, int | float) or within < 0:
        raise _bad("released_within_s must be a non-negative number")
    ids = generate_orders(sandbox, merchant_id, count, float(within))
    return ok({"order_ids": ids})


@get("/sandbox/faults")
async def get_faults(request: AnyRequest) -> Response[Any]:
    """Show the fault knobs (and the forced outcomes not used yet)."""
    sandbox = sandbox_of(request)
    return ok({**sandbox.faults.to_dict(), "script": sandbox.injector.remaining_script()})


@put("/sandbox/faults")
async def put_faults(request: AnyRequest) -> Response[Any]:
    """Change fault knobs (only the keys given); ``{"reset": true}`` restores the defaults."""
    sandbox = sandbox_of(request)
    body = await json_object(request, INVALID_PARAM)
    base = Faults() if body.pop("reset", False) else sandbox.faults
    try:
        faults = base.updated(body)
    except (TypeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    sandbox.set_faults(faults)
    return ok(faults.to_dict())


@get("/sandbox/settings")
async def get_settings(request: AnyRequest) -> Response[Any]:
    """Show the lifecycle settings (review delay, async delay, token lifetime, ...)."""
    return ok(sandbox_of(request).settings.to_dict())


@put("/sandbox/settings")
async def put_settings(request: AnyRequest) -> Response[Any]:
    """Change lifecycle settings (only the keys given)."""
    sandbox = sandbox_of(request)
    body = await json_object(request, INVALID_PARAM)
    try:
        sandbox.settings = sandbox.settings.updated(body)
    except (TypeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    return ok(sandbox.settings.to_dict())


@get("/sandbox/clock")
async def get_clock(request: AnyRequest) -> Response[Any]:
    """Show the sandbox clock."""
    return ok(sandbox_of(request).clock.describe())


@put("/sandbox/clock")
async def put_clock(request: AnyRequest) -> Response[Any]:
    """Freeze (``{"frozen": true, "now": optional date-time}``) or run the clock again."""
    clock = sandbox_of(request).clock
    body = await json_object(request, INVALID_PARAM)
    now = body.get("now")
    try:
        at_ms = parse_to_ms(str(now)) if now is not None else None
    except ValueError:
        raise _bad("now must be a date-time") from None
    if body.get("frozen", True):
        clock.freeze(at_ms)
    else:
        clock.unfreeze()
    return ok(clock.describe())


@post("/sandbox/clock/advance", status_code=200)
async def post_advance(request: AnyRequest) -> Response[Any]:
    """Move the clock forward by ``seconds``."""
    clock = sandbox_of(request).clock
    body = await json_object(request, INVALID_PARAM)
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise _bad("seconds (a number) is required")
    clock.advance(float(seconds))
    return ok(clock.describe())


@get("/sandbox/health")
async def health() -> Response[Any]:
    """Answer that the sandbox is up."""
    return ok({"status": "ok"})


ROUTES = [
    post_merchant,
    get_merchants,
    put_merchant,
    post_app,
    get_apps,
    post_authorize,
    post_generate,
    get_faults,
    put_faults,
    get_settings,
    put_settings,
    get_clock,
    put_clock,
    post_advance,
    health,
]
