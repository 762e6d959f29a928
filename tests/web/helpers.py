"""Helpers for web tests: clients on the real app, CSRF-aware form posts, sign-up and sign-in.

Use the fixtures of ``tests/web/conftest.py`` (``app``, ``new_client``, ``signed_in_client``);
these functions are what they are built from.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from litestar import Litestar
from sqlmodel import select

from core.models import User
from core.runtime import Runtime

BASE_URL = "http://testserver.local"
PASSWORD = "correct horse battery"
CSRF_COOKIE = "tw_csrf"


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[Litestar]:
    """Run the app's lifespan in a task of its own (entered and exited in that one task)."""
    started, stop = asyncio.Event(), asyncio.Event()
    failure: list[BaseException] = []

    async def hold() -> None:
        try:
            async with app.lifespan():
                started.set()
                await stop.wait()
        except BaseException as exc:
            failure.append(exc)
            started.set()
            raise

    task = asyncio.create_task(hold())
    await started.wait()
    if failure:
        await asyncio.gather(task, return_exceptions=True)
        raise failure[0]
    try:
        yield app
    finally:
        stop.set()
        await task


def make_client(app: Litestar, **kwargs: Any) -> httpx.AsyncClient:
    """A cookie-keeping client talking to ``app`` in-process (the app's lifespan must run)."""
    kwargs.setdefault("base_url", BASE_URL)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), follow_redirects=False, **kwargs
    )


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The CSRF token of this client (a GET of the sign-in page sets the cookie)."""
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        await client.get("/signin")
        token = client.cookies.get(CSRF_COOKIE)
    assert token, "the app did not set a CSRF cookie"
    return token


async def post_form(
    client: httpx.AsyncClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> httpx.Response:
    """POST an HTML form with the CSRF token, like a browser would."""
    body = dict(data or {})
    body["_csrf_token"] = await csrf_token(client)
    return await client.post(url, data=body, **kwargs)


async def send_json(
    client: httpx.AsyncClient, method: str, url: str, json: Any = None
) -> httpx.Response:
    """Send a cookie-authenticated JSON request with the CSRF header (like htmx or fetch)."""
    headers = {"X-CSRFToken": await csrf_token(client)}
    return await client.request(method, url, json=json, headers=headers)


def runtime_of(app: Litestar) -> Runtime:
    """The runtime the app's lifespan opened."""
    runtime: Runtime = app.state.runtime
    return runtime


@dataclass
class SignedIn:
    """A client signed in as some user.

    Attributes:
        client: the cookie-keeping client.
        email: the user's email.
        password: the user's password.
        user_id: the user id.
        account_id: the account id.
    """

    client: httpx.AsyncClient
    email: str
    password: str
    user_id: int
    account_id: int

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET with this user's session."""
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, data: dict[str, Any] | None = None) -> httpx.Response:
        """POST a form with this user's session and CSRF token."""
        return await post_form(self.client, url, data)


async def user_ids(app: Litestar, email: str) -> tuple[int, int]:
    """(user id, account id) of the user with ``email``."""
    async with runtime_of(app).sessions() as session:
        user = (await session.exec(select(User).where(User.email == email))).one()
        assert user.id is not None
        return user.id, user.account_id


def unique_email(tag: str = "user") -> str:
    """An email no other test uses."""
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


async def sign_up(
    app: Litestar,
    client: httpx.AsyncClient,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    account_name: str = "Test Shop",
    locale: str | None = None,
) -> SignedIn:
    """Create an account through the sign-up page; the client ends up signed in."""
    email = email or unique_email("owner")
    if locale is not None:
        await post_form(client, "/locale", {"locale": locale, "next": "/signup"})
    response = await post_form(
        client,
        "/signup",
        {"email": email, "password": password, "account_name": account_name, "display_name": ""},
    )
    assert response.status_code == 303, response.text
    user_id, account_id = await user_ids(app, email)
    return SignedIn(client, email, password, user_id, account_id)


async def sign_in(app: Litestar, client: httpx.AsyncClient, email: str, password: str) -> SignedIn:
    """Sign in through the sign-in page."""
    response = await post_form(client, "/signin", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    user_id, account_id = await user_ids(app, email)
    return SignedIn(client, email, password, user_id, account_id)


def find_link(html: str, pattern: str) -> str:
    """The first ``href`` or ``value`` in ``html`` matching the regex ``pattern``."""
    match = re.search(pattern, html)
    assert match, f"no match for {pattern!r}"
    return match.group(0)


async def authorize_store(signed_in: SignedIn, shop_id: str, platform: str = "testmarket") -> str:
    """Authorize a store through the pages and the test OAuth server; return the final page.

    Plays the whole browser round trip: Tradewind's authorize button, the platform's page
    (over real HTTP), and the callback.
    """
    start = await signed_in.post(f"/stores/authorize/{platform}")
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as platform_browser:
        granted = await platform_browser.get(f"{start.headers['location']}&shop_id={shop_id}")
    assert granted.status_code == 302, granted.text
    callback = httpx.URL(granted.headers["location"])
    back = await signed_in.get(f"{callback.path}?{callback.query.decode()}")
    assert back.status_code == 303, back.text
    page = await signed_in.get(back.headers["location"])
    return page.text
