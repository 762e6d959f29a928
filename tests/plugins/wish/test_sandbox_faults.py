"""Rate limits and injected faults of the Wish sandbox, in-process and over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from plugins.wish.sandbox import SandboxApp, SandboxClock, create_sandbox_app, running_server
from plugins.wish.sandbox.gateway import SimulatedConnectionDrop
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin, error_of, obtain_tokens

Payload = Callable[..., dict[str, Any]]


async def set_faults(client: httpx.AsyncClient, **knobs: Any) -> dict[str, Any]:
    data: dict[str, Any] = await admin(client, "PUT", "/sandbox/faults", json=knobs)
    return data


async def product_count(client: httpx.AsyncClient, auth: dict[str, str]) -> int:
    response = await client.get("/api/v3/products", headers=auth)
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


@pytest.mark.parametrize("sandbox_options", [{"faults": {"rate_limit": 3}}])
async def test_rate_limit_counts_down_then_answers_429(
    client: httpx.AsyncClient, auth: dict[str, str], advance: Any
) -> None:
    remaining = []
    for _ in range(3):
        response = await client.get("/api/v3/orders", headers=auth)
        assert response.status_code == 200
        assert "wish-rate-limit-reset" not in response.headers
        remaining.append(response.headers["wish-rate-limit-remaining"])
    assert remaining == ["2", "1", "0"]
    limited = await client.get("/api/v3/orders", headers=auth)
    assert limited.status_code == 429
    assert limited.json() == {
        "code": 429,
        "message": "Too many requests. Wait until the rate limit resets.",
        "data": {},
    }
    assert limited.headers["wish-rate-limit-remaining"] == "0"
    assert limited.headers["wish-rate-limit-reset"] == str(START_MS // 1000 + 1)
    assert limited.headers["wish-request-id"]
    advance(1)
    again = await client.get("/api/v3/orders", headers=auth)
    assert again.status_code == 200 and again.headers["wish-rate-limit-remaining"] == "2"


async def test_rate_limit_is_per_merchant_per_app(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    merchant: dict[str, Any],
    oauth_app: dict[str, Any],
) -> None:
    other_app = await admin(client, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
    other_merchant = await admin(client, "POST", "/sandbox/merchants", json={})
    same_merchant_other_app = await obtain_tokens(client, merchant["id"], other_app)
    other_merchant_same_app = await obtain_tokens(client, other_merchant["id"], oauth_app)
    await set_faults(client, rate_limit=2)
    for _ in range(2):
        assert (await client.get("/api/v3/products", headers=auth)).status_code == 200
    assert (await client.get("/api/v3/products", headers=auth)).status_code == 429
    for token in (same_merchant_other_app, other_merchant_same_app):
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        response = await client.get("/api/v3/products", headers=headers)
        assert response.status_code == 200
        assert response.headers["wish-rate-limit-remaining"] == "1"


async def test_rate_limit_header_is_on_errors_too_but_not_on_admin_calls(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    failed = await client.get("/api/v3/products/unknown", headers=auth)
    assert failed.status_code == 400 and "wish-rate-limit-remaining" in failed.headers
    anonymous = await client.get("/api/v3/oauth/test")
    assert "wish-rate-limit-remaining" in anonymous.headers
    admin_call = await client.get("/sandbox/health")
    assert "wish-rate-limit-remaining" not in admin_call.headers


async def test_rate_limit_can_be_changed_at_run_time(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, rate_limit=1)
    assert (await client.get("/api/v3/orders", headers=auth)).status_code == 200
    assert (await client.get("/api/v3/orders", headers=auth)).status_code == 429
    await set_faults(client, rate_limit=50)
    response = await client.get("/api/v3/orders", headers=auth)
    assert response.headers["wish-rate-limit-remaining"] == "49"


async def test_scripted_5xx_skips_the_handler(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    await set_faults(client, script=["error", "error"], error_statuses=[500])
    failed = await client.post("/api/v3/products", json=product_payload(), headers=auth)
    assert failed.status_code == 500
    assert failed.json() == {"code": 500, "message": "Internal server error.", "data": {}}
    await set_faults(client, script=["error"], error_statuses=[503])
    unavailable = await client.get("/api/v3/products", headers=auth)
    assert unavailable.status_code == 503
    assert unavailable.headers["content-type"].startswith("text/html")
    assert await product_count(client, auth) == 0


async def test_admin_calls_are_never_faulted(client: httpx.AsyncClient) -> None:
    await set_faults(client, error_share=1.0)
    assert (await client.get("/sandbox/health")).status_code == 200
    faults = await admin(client, "GET", "/sandbox/faults")
    assert faults["error_share"] == 1.0


async def statuses(path: Path, seed: int) -> list[int]:
    app = create_sandbox_app(
        path,
        seed=seed,
        faults={"error_share": 0.3, "drop_share": 0.0, "rate_limit": 1000},
        clock=SandboxClock(frozen_at_ms=START_MS),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sb"
    ) as http:
        codes = [(await http.get("/api/v3/oauth/test")).status_code for _ in range(40)]
    app.close()
    return codes


async def test_faults_are_deterministic_under_a_seed(tmp_path: Path) -> None:
    first = await statuses(tmp_path / "a.db", seed=5)
    assert first == await statuses(tmp_path / "b.db", seed=5)
    assert first != await statuses(tmp_path / "c.db", seed=6)
    assert 0 < sum(code >= 500 for code in first) < 40


async def test_lost_response_applies_the_write_in_process(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    await set_faults(client, script=["lost"], lost_response_mode="drop")
    with pytest.raises(SimulatedConnectionDrop):
        await client.post("/api/v3/products", json=product_payload(), headers=auth)
    listed = await client.get("/api/v3/products", headers=auth, params={"parent_sku": "MUG-001"})
    assert len(listed.json()["data"]) == 1


@pytest.mark.parametrize(
    ("knobs", "fragment"),
    [
        ({"error_share": 1.5}, "shares must be within 0..1"),
        ({"error_share": 0.6, "drop_share": 0.6}, "sum to at most 1"),
        ({"rate_limit": 0}, "rate_limit and rate_window_s must be at least 1"),
        ({"lost_response_mode": "explode"}, "lost_response_mode"),
        ({"script": ["boom"]}, "script items"),
        ({"error_statuses": [404]}, "5xx"),
        ({"colour": "red"}, "unknown fault knobs: colour"),
    ],
)
async def test_fault_knobs_are_validated(
    client: httpx.AsyncClient, knobs: dict[str, Any], fragment: str
) -> None:
    response = await client.put("/sandbox/faults", json=knobs)
    assert response.status_code == 400 and fragment in response.json()["message"]


async def test_fault_reset_restores_defaults(client: httpx.AsyncClient) -> None:
    await set_faults(client, latency_ms=5, error_share=0.2)
    restored = await set_faults(client, reset=True, drop_share=0.1)
    assert (restored["latency_ms"], restored["error_share"], restored["drop_share"]) == (
        0,
        0.0,
        0.1,
    )


async def test_settings_are_validated_and_applied(
    client: httpx.AsyncClient, auth: dict[str, str], product_payload: Payload
) -> None:
    bad = await client.put("/sandbox/settings", json={"reject_share": 2})
    assert bad.status_code == 400
    unknown = await client.put("/sandbox/settings", json={"speed": 1})
    assert unknown.status_code == 400
    await admin(client, "PUT", "/sandbox/settings", json={"review_delay_s": 0})
    created = await client.post("/api/v3/products", json=product_payload(), headers=auth)
    product_id = created.json()["data"]["id"]
    reviewed = await client.get(f"/api/v3/products/{product_id}", headers=auth)
    assert reviewed.json()["data"]["state"] == "ACTIVE"


async def test_clock_admin(client: httpx.AsyncClient) -> None:
    clock = await admin(client, "GET", "/sandbox/clock")
    assert clock == {"now": "2024-05-01T08:00:00.000+00:00", "frozen": True}
    moved = await admin(client, "POST", "/sandbox/clock/advance", json={"seconds": 90.5})
    assert moved["now"] == "2024-05-01T08:01:30.500+00:00"
    pinned = await admin(
        client, "PUT", "/sandbox/clock", json={"frozen": True, "now": "2025-01-01T00:00:00Z"}
    )
    assert pinned["now"] == "2025-01-01T00:00:00.000+00:00"
    running = await admin(client, "PUT", "/sandbox/clock", json={"frozen": False})
    assert running["frozen"] is False and running["now"] >= "2025-01-01T00:00:00.000+00:00"
    assert (await client.post("/sandbox/clock/advance", json={})).status_code == 400


# --- over real HTTP (uvicorn on a loopback port): what a client really sees ---


@pytest.fixture
async def served(app: SandboxApp) -> AsyncIterator[str]:
    async with running_server(app) as base_url:
        yield base_url


@pytest.fixture
async def http(served: str) -> AsyncIterator[httpx.AsyncClient]:
    timeout = httpx.Timeout(5.0, read=0.5)
    async with httpx.AsyncClient(base_url=served, timeout=timeout) as client:
        yield client


async def test_dropped_connection_over_http(
    http: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
) -> None:
    await set_faults(client, script=["drop"])
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/api/v3/products", json=product_payload(), headers=auth)
    assert await product_count(http, auth) == 0


async def test_timeout_over_http(
    http: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
) -> None:
    await set_faults(client, script=["timeout"])
    with pytest.raises(httpx.ReadTimeout):
        await http.post("/api/v3/products", json=product_payload(), headers=auth)
    assert await product_count(http, auth) == 0


@pytest.mark.parametrize(
    ("mode", "error"), [("drop", httpx.RemoteProtocolError), ("hang", httpx.ReadTimeout)]
)
async def test_write_applied_but_response_lost_over_http(
    http: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    product_payload: Payload,
    mode: str,
    error: type[Exception],
) -> None:
    await set_faults(client, script=["lost"], lost_response_mode=mode)
    with pytest.raises(error):
        await http.post("/api/v3/products", json=product_payload(), headers=auth)
    listed = await http.get("/api/v3/products", headers=auth, params={"parent_sku": "MUG-001"})
    assert len(listed.json()["data"]) == 1


async def test_latency_over_http(
    http: httpx.AsyncClient, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, latency_ms=3000)
    with pytest.raises(httpx.ReadTimeout):
        await http.get("/api/v3/orders", headers=auth)
    await set_faults(client, latency_ms=0)
    assert (await http.get("/api/v3/orders", headers=auth)).status_code == 200


async def test_429_and_5xx_over_http(
    http: httpx.AsyncClient, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, rate_limit=1, script=["ok", "ok", "error"], error_statuses=[502])
    assert (await http.get("/api/v3/orders", headers=auth)).status_code == 200
    limited = await http.get("/api/v3/orders", headers=auth)
    assert limited.status_code == 429 and limited.headers["wish-rate-limit-reset"].isdigit()
    bad_gateway = await http.get("/api/v3/orders", headers=auth)
    assert bad_gateway.status_code == 502 and "wish-request-id" in bad_gateway.headers
    assert error_of(limited)[1] == 429


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/sandbox/faults", {"rate_limit": 2.5}),
        ("/sandbox/faults", {"latency_ms": "10"}),
        ("/sandbox/faults", {"error_share": True}),
        ("/sandbox/settings", {"reject_marker": 7}),
        ("/sandbox/settings", {"auto_refund": "no"}),
        ("/sandbox/settings", {"review_delay_s": "soon"}),
    ],
)
async def test_knob_types_are_checked(
    client: httpx.AsyncClient, path: str, body: dict[str, Any]
) -> None:
    response = await client.put(path, json=body)
    assert response.status_code == 400 and "must be of type" in response.json()["message"]
