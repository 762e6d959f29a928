"""Fixtures for tests that authorize stores against the test marketplace's OAuth server.

Import them into a conftest: ``from tests.support.fixtures import *  # noqa: F403``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.oauth_marketplace import OAuthMarketplace, OAuthServerState, build_oauth_server
from tests.support.servers import serve

__all__ = ["oauth_server", "oauth_state", "test_market"]


@pytest.fixture
def oauth_state() -> OAuthServerState:
    """The test OAuth server's state: register shops, read counters, hold refreshes."""
    return OAuthServerState()


@pytest.fixture
def oauth_server(oauth_state: OAuthServerState) -> Iterator[str]:
    """The test OAuth server under uvicorn on a free port; its base URL."""
    with serve(build_oauth_server(oauth_state), lifespan="off") as url:
        yield url


@pytest.fixture
def test_market(oauth_server: str) -> OAuthMarketplace:
    """The ``testmarket`` adapter, talking to :func:`oauth_server`."""
    return OAuthMarketplace(oauth_server)
