"""The cross-account probe: every route of the app, asked by account B about account A's objects.

The routes come from the application itself (``app.routes``), so a route added tomorrow, by
the core or by a plugin, is probed without anyone touching this file — unless it has a path
parameter the probe does not know. Then the probe fails and says what to add:

- an id of something that belongs to an account: add a factory to ``ACCOUNT_OBJECTS`` that
  makes one in account A and returns its id (B must get 404 for it, on every method);
- anything else (a platform id, a file name): add a fixed value to ``OTHER_PARAMS``.

What must hold, for account B signed in (cookie session, and bearer token for the API):
- a route with an id of A's object answers 404 on every method, never A's data, never 5xx;
- any other route answers below 500 and shows none of A's marker strings;
- afterwards, nothing of A's objects has changed.
And for nobody signed in: pages redirect to sign-in, the API answers 401 (public routes
excepted), never 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlmodel import select

from core.config import Settings
from core.models import (
    ApiToken,
    Image,
    ItemStatus,
    JobItem,
    JobRecord,
    JobStatus,
    Order,
    Product,
    Store,
    User,
    utcnow,
)
from core.registry import Registry
from tests.web.helpers import (
    SignedIn,
    authorize_store,
    csrf_token,
    runtime_of,
    send_json,
    sign_in,
    sign_up,
)
from tests.web.images_support import PHOTO, image_registry, upload_form

MARKERS = (
    "A-PRIVATE-STORE",
    "a-private-shop",
    "a-private-staff@example.com",
    "a-private-token",
    "A private job",
    "a private item error",
    "A private product",
    "A private category",
    "A private buyer",
    "a-private-image.jpg",
)
"""Strings only account A's objects contain; B must never see any of them."""

SKIPPED_METHODS = {"OPTIONS", "HEAD"}
MAY_BE_UNAVAILABLE = {"/healthz"}
"""Routes whose 503 is an answer (no job worker runs in these tests), not a failure."""


@dataclass
class AccountA:
    """Account A and what it owns, for the factories."""

    owner: SignedIn
    app: Litestar
    ids: dict[str, int] = field(default_factory=dict)


async def _store(a: AccountA) -> int:
    return a.ids["store_id"]


async def _staff(a: AccountA) -> int:
    return a.ids["user_id"]


async def _token(a: AccountA) -> int:
    return a.ids["token_id"]


async def _job(a: AccountA) -> int:
    return a.ids["job_id"]


async def _product(a: AccountA) -> int:
    return a.ids["product_id"]


async def _category(a: AccountA) -> int:
    return a.ids["category_id"]


async def _order(a: AccountA) -> int:
    return a.ids["order_id"]


async def _image(a: AccountA) -> int:
    return a.ids["image_id"]


ACCOUNT_OBJECTS: dict[str, Callable[[AccountA], Awaitable[int]]] = {
    "store_id": _store,
    "user_id": _staff,
    "token_id": _token,
    "job_id": _job,
    "product_id": _product,
    "category_id": _category,
    "order_id": _order,
    "image_id": _image,
}
"""Path parameters that name an account's object -> a factory giving one of account A's."""

OTHER_PARAMS: dict[str, str] = {
    "platform": "testmarket",
    # Public image URLs are capabilities (unguessable tokens), served to anyone who has one.
    "name": "unknown-image-token",
    "token": "1.9999999999.not-a-valid-link",  # a set-password link: a capability, not an id
    "file_path": "app.css",
    "path": "openapi.json",
}
"""Path parameters that are not an account's object -> the value to use."""

BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/categories/{category_id:int}"): {"name": "renamed"},
    ("POST", "/api/v1/categories/{category_id:int}/assign"): {"product_ids": [1]},
    ("POST", "/api/v1/categories/{category_id:int}/unassign"): {"product_ids": [1]},
    ("POST", "/api/v1/orders/{order_id:int}/fulfil"): {
        "carrier_code": "probe",
        "tracking_number": "PROBE12345",
    },
}
"""Request bodies for (method, route path) that need more than an empty one to reach the
lookup of the object (validation would answer 400 before the 404 we want to see)."""


@pytest.fixture
def registry(test_market, settings: Settings) -> Registry:
    return replace(image_registry(settings), marketplaces={"testmarket": test_market})


async def build_account_a(app: Litestar, new_client, oauth_state) -> AccountA:
    owner = await sign_up(app, new_client(), account_name="Account A")
    oauth_state.add_shop("a-private-shop", "A-PRIVATE-STORE")
    await authorize_store(owner, "a-private-shop")
    a = AccountA(owner, app)
    async with runtime_of(app).sessions() as session:
        a.ids["store_id"] = (await session.exec(select(Store.id))).one()
    invited = await send_json(
        owner.client,
        "POST",
        "/api/v1/people",
        {
            "email": "a-private-staff@example.com",
            "role": "staff",
            "access": {"orders": "write"},
            "store_ids": [a.ids["store_id"]],
        },
    )
    a.ids["user_id"] = invited.json()["person"]["id"]
    made = await send_json(owner.client, "POST", "/api/v1/tokens", {"name": "a-private-token"})
    a.ids["token_id"] = made.json()["token"]["id"]
    async with runtime_of(app).sessions() as session, session.begin():
        job = JobRecord(
            account_id=owner.account_id,
            user_id=owner.user_id,
            name="probe.job",
            title="A private job",
            status=JobStatus.RUNNING,
            total=2,
            failed=1,
            payload={"store_id": a.ids["store_id"]},
            started_at=utcnow(),
        )
        session.add(job)
        await session.flush()
        session.add(
            JobItem(job_id=job.id, key="1", status=ItemStatus.FAILED, error="a private item error")
        )
        a.ids["job_id"] = job.id
        order = Order(
            account_id=owner.account_id,
            store_id=a.ids["store_id"],
            platform_order_id="a-private-order",
            buyer_name="A private buyer",
        )
        session.add(order)
        await session.flush()
        assert order.id is not None
        a.ids["order_id"] = order.id
    made_product = await send_json(
        owner.client, "POST", "/api/v1/products", {"title": "A private product"}
    )
    a.ids["product_id"] = made_product.json()["id"]
    made_category = await send_json(
        owner.client, "POST", "/api/v1/categories", {"name": "A private category"}
    )
    a.ids["category_id"] = made_category.json()["id"]
    uploaded = await upload_form(owner.client, "/api/v1/images", [("a-private-image.jpg", PHOTO)])
    a.ids["image_id"] = uploaded.json()["items"][0]["image"]["id"]
    return a


async def snapshot(app: Litestar, a: AccountA) -> dict[str, Any]:
    """Everything of A's objects the probe could have changed."""
    async with runtime_of(app).sessions() as session:
        store = await session.get(Store, a.ids["store_id"])
        staff = await session.get(User, a.ids["user_id"])
        token = await session.get(ApiToken, a.ids["token_id"])
        job = await session.get(JobRecord, a.ids["job_id"])
        owner = await session.get(User, a.owner.user_id)
        product = await session.get(Product, a.ids["product_id"])
        order = await session.get(Order, a.ids["order_id"])
        image = await session.get(Image, a.ids["image_id"])
    return {
        "image": (image.account_id, image.name, image.byte_size, image.category_id),
        "product": (product.title, product.state, product.updated_at),
        "order": (order.state, order.updated_at),
        "store": (store.account_id, store.status, store.credentials_encrypted, store.name),
        "staff": (staff.account_id, staff.is_active, staff.role, staff.password_hash),
        "token": (token.revoked_at, token.name),
        "job": (job.cancel_requested, job.status),
        "owner": (owner.password_hash, owner.locale, owner.display_name),
    }


@dataclass(frozen=True)
class Probe:
    """One request the probe makes."""

    method: str
    route: str
    url: str
    names_object: bool
    public: bool


_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")


async def probes(app: Litestar, a: AccountA) -> list[Probe]:
    """Every method of every HTTP route, its path parameters filled (or a failure saying how)."""
    found: list[Probe] = []
    unknown: list[str] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        names = _PARAM.findall(route.path)
        values: dict[str, str] = {}
        for name in names:
            if name in ACCOUNT_OBJECTS:
                values[name] = str(await ACCOUNT_OBJECTS[name](a))
            elif name in OTHER_PARAMS:
                values[name] = OTHER_PARAMS[name]
            else:
                unknown.append(f"{route.path} ({name})")
        if any(name not in values for name in names):
            continue
        url = _PARAM.sub(lambda m, filled=values: filled[m.group(1)], route.path)
        for method, (handler, _kwargs) in route.route_handler_map.items():
            if method in SKIPPED_METHODS:
                continue
            found.append(
                Probe(
                    method=method,
                    route=route.path,
                    url=url,
                    names_object=any(name in ACCOUNT_OBJECTS for name in names),
                    public=bool(handler.opt.get("public")),
                )
            )
    if unknown:
        pytest.fail(
            "the tenancy probe cannot fill these path parameters; add each to ACCOUNT_OBJECTS "
            "(a factory making the object in account A) or OTHER_PARAMS: " + ", ".join(unknown)
        )
    return found


async def send(client: httpx.AsyncClient, probe: Probe, *, bearer: bool = False) -> httpx.Response:
    body = BODIES.get((probe.method, probe.route))
    if probe.method == "GET":
        return await client.get(probe.url)
    headers = {} if bearer else {"X-CSRFToken": await csrf_token(client)}
    if probe.method == "DELETE":
        return await client.delete(probe.url, headers=headers)
    if probe.url.startswith("/api/"):
        return await client.request(probe.method, probe.url, json=body or {}, headers=headers)
    form = {**(body or {}), "_csrf_token": await csrf_token(client)}
    return await client.request(probe.method, probe.url, data=form)


def check(probe: Probe, response: httpx.Response, who: str) -> list[str]:
    problems = []
    where = f"{who} {probe.method} {probe.url}"
    if response.status_code >= 500 and not (
        probe.route in MAY_BE_UNAVAILABLE and response.status_code == 503
    ):
        problems.append(f"{where}: {response.status_code}")
    if probe.names_object and response.status_code != 404:
        problems.append(f"{where}: {response.status_code}, expected 404 for account A's object")
    leaked = [m for m in MARKERS if m in response.text or m in response.headers.get("location", "")]
    if leaked:
        problems.append(f"{where}: shows account A's {leaked}")
    return problems


async def test_account_b_cannot_reach_account_a_through_any_route(
    app: Litestar, new_client, oauth_state
) -> None:
    a = await build_account_a(app, new_client, oauth_state)
    before = await snapshot(app, a)
    b = await sign_up(app, new_client(), account_name="Account B")
    made = await send_json(b.client, "POST", "/api/v1/tokens", {"name": "b-script"})
    b_script = new_client(headers={"Authorization": f"Bearer {made.json()['secret']}"})

    problems: list[str] = []
    checked = 0
    for probe in await probes(app, a):
        if (await b.get("/api/v1/me")).status_code != 200:  # a probe signed B out: sign in again
            b = await sign_in(app, new_client(), b.email, b.password)
        problems += check(probe, await send(b.client, probe), "B (session)")
        if probe.url.startswith("/api/"):
            problems += check(probe, await send(b_script, probe, bearer=True), "B (token)")
        checked += 1

    assert not problems, "\n".join(problems)
    assert checked > 40  # every route was probed, not a handful
    assert await snapshot(app, a) == before


async def test_nobody_signed_in_is_sent_to_sign_in_or_gets_401(
    app: Litestar, new_client, oauth_state
) -> None:
    a = await build_account_a(app, new_client, oauth_state)
    before = await snapshot(app, a)
    problems: list[str] = []
    for probe in await probes(app, a):
        client = new_client()
        response = await send(client, probe)
        if probe.public:
            continue
        if probe.url.startswith("/api/"):
            if response.status_code != 401:
                problems.append(f"anonymous {probe.method} {probe.url}: {response.status_code}")
        elif not (
            response.status_code == 303 and response.headers["location"].startswith("/signin")
        ):
            problems.append(f"anonymous {probe.method} {probe.url}: {response.status_code}")
        problems += [p for p in check(probe, response, "anonymous") if "expected 404" not in p]
    assert not problems, "\n".join(problems)
    assert await snapshot(app, a) == before


async def test_the_probe_knows_when_it_cannot_fill_a_route(app: Litestar, new_client, oauth_state):
    """A route with an unknown id parameter must fail the probe, not be skipped."""
    from litestar import get
    from litestar.params import FromPath

    @get("/widgets/{widget_id:int}", sync_to_thread=False)
    def widget(widget_id: FromPath[int]) -> dict[str, int]:
        return {"id": widget_id}

    a = await build_account_a(app, new_client, oauth_state)
    app.register(widget)
    with pytest.raises(pytest.fail.Exception, match=r"/widgets/\{widget_id:int\} \(widget_id\)"):
        await probes(app, a)
