"""Fixtures for the stores services: real database, real HTTP to the test OAuth server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from core.accounts.signin import sign_up
from core.actor import Actor
from core.crypto import CredentialCipher
from core.stores.authorization import AuthorizationDeps, complete_authorization, start_authorization
from core.stores.refresh import RefreshDeps
from tests.support.fixtures import *  # noqa: F403
from tests.support.oauth_marketplace import OAuthMarketplace, OAuthServerState

PUBLIC_URL = "https://erp.example.com"
BINDING = "session-hash-of-this-browser"


@dataclass
class Seller:
    actor: Actor
    account_id: int


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def cipher(settings) -> CredentialCipher:
    return CredentialCipher.from_settings(settings)


@pytest.fixture
def auth_deps(sessions, test_market: OAuthMarketplace, http, cipher) -> AuthorizationDeps:
    return AuthorizationDeps(
        sessions=sessions,
        marketplaces={"testmarket": test_market},
        http=http,
        cipher=cipher,
        public_base_url=PUBLIC_URL,
    )


@pytest.fixture
def refresh_deps(sessions, test_market: OAuthMarketplace, http, cipher) -> RefreshDeps:
    return RefreshDeps(
        sessions=sessions, marketplaces={"testmarket": test_market}, http=http, cipher=cipher
    )


async def new_seller(sessions, tag: str = "s") -> Seller:
    owner = await sign_up(
        sessions,
        email=f"{tag}-{uuid.uuid4().hex[:8]}@example.com",
        password="correct horse battery",
        account_name=tag,
    )
    return Seller(Actor(owner.account_id, owner.id), owner.account_id)


@pytest.fixture
async def seller(sessions) -> Seller:
    return await new_seller(sessions, "a")


@pytest.fixture
async def other_seller(sessions) -> Seller:
    return await new_seller(sessions, "b")


async def grant_code(http: httpx.AsyncClient, authorize_url: str, shop_id: str) -> dict[str, str]:
    """Play the seller on the platform's page: choose a shop; return the callback's query."""
    response = await http.get(f"{authorize_url}&{urlencode({'shop_id': shop_id})}")
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(f"{PUBLIC_URL}/stores/callback/testmarket?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def authorize(
    deps: AuthorizationDeps, seller: Seller, http, shop_id: str, binding: str = BINDING, **kwargs
):
    url = await start_authorization(deps, seller.actor, "testmarket", binding=binding, **kwargs)
    query = await grant_code(http, url, shop_id)
    return await complete_authorization(
        deps,
        seller.actor,
        "testmarket",
        state=query["state"],
        code=query["code"],
        params=query,
        bindings=[binding],
    )


__all__ = ["OAuthServerState"]
