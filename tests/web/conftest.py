"""Web fixtures: the real app (real database, real Redis) and signed-in clients.

- ``app``: ``create_app`` with the test settings and ``registry`` (override ``registry`` in a
  test module to add plugins), its lifespan running.
- ``new_client()``: a fresh anonymous client (own cookies).
- ``signed_in_client(account_name=..., locale=...)``: a fresh client signed in as the owner of
  a new account (made through the sign-up page); returns :class:`tests.web.helpers.SignedIn`.
- ``owner``: one such signed-in owner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.registry import Registry
from tests.support.fixtures import *  # noqa: F403  (oauth_state, oauth_server, test_market)
from tests.web.helpers import SignedIn, make_client, running, sign_up
from web.app import create_app


@pytest.fixture
def registry() -> Registry:
    """The plugin registry of the app (empty; override to add plugins)."""
    return Registry()


@pytest.fixture
async def app(
    settings: Settings, engine: AsyncEngine, registry: Registry
) -> AsyncIterator[Litestar]:
    """The application with its lifespan running, on the test database and Redis."""
    async with running(create_app(settings, registry=registry)) as application:
        yield application


@pytest.fixture
async def new_client(app: Litestar) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Make fresh anonymous clients; all are closed after the test."""
    clients: list[httpx.AsyncClient] = []

    def make(**kwargs: Any) -> httpx.AsyncClient:
        client = make_client(app, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def signed_in_client(
    app: Litestar, new_client: Callable[..., httpx.AsyncClient]
) -> Callable[..., Awaitable[SignedIn]]:
    """Make a client signed in as the owner of a new account."""

    async def make(account_name: str = "Test Shop", locale: str | None = None) -> SignedIn:
        return await sign_up(app, new_client(), account_name=account_name, locale=locale)

    return make


@pytest.fixture
async def owner(signed_in_client: Callable[..., Awaitable[SignedIn]]) -> SignedIn:
    """A signed-in owner of a fresh account."""
    return await signed_in_client()
