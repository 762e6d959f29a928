"""The Wish sandbox across restarts, and its command-line runner."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from plugins.wish.sandbox import SandboxClock, create_sandbox_app
from tests.plugins.wish.conftest import START_MS
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin, obtain_tokens

Payload = Callable[..., dict[str, Any]]
REPO_ROOT = Path(__file__).resolve().parents[3]


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sb")


async def test_a_restarted_sandbox_keeps_its_state(
    tmp_path: Path, product_payload: Payload
) -> None:
    db = tmp_path / "persist.db"
    first = create_sandbox_app(db, clock=SandboxClock(frozen_at_ms=START_MS))
    async with client_for(first) as http:
        merchant = await admin(http, "POST", "/sandbox/merchants", json={"name": "Keeper"})
        oauth_app = await admin(http, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
        tokens = await obtain_tokens(http, merchant["id"], oauth_app)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        body = product_payload()
        warehouse = merchant["warehouses"][0]["id"]
        body["default_shipping_prices"][0]["warehouse_id"] = warehouse
        for variation in body["variations"]:
            variation["inventories"][0]["warehouse_id"] = warehouse
        product = (await http.post("/api/v3/products", json=body, headers=headers)).json()["data"]
        order_ids = (
            await admin(
                http,
                "POST",
                f"/sandbox/merchants/{merchant['id']}/orders/generate",
                json={"count": 5},
            )
        )["order_ids"]
    first.close()

    second = create_sandbox_app(db, clock=SandboxClock(frozen_at_ms=START_MS + 120_000))
    async with client_for(second) as http:
        assert (await http.get("/api/v3/oauth/test", headers=headers)).status_code == 200
        again = (await http.get(f"/api/v3/products/{product['id']}", headers=headers)).json()
        assert again["data"]["parent_sku"] == product["parent_sku"]
        assert again["data"]["state"] == "ACTIVE"
        orders = (await http.get("/api/v3/orders", headers=headers)).json()["data"]
        assert sorted(o["id"] for o in orders) == sorted(order_ids)
        refreshed = await http.get(
            "/api/v3/oauth/refresh_token",
            params={
                "client_id": oauth_app["client_id"],
                "client_secret": oauth_app["client_secret"],
                "refresh_token": tokens["refresh_token"],
                "grant_type": "refresh_token",
            },
        )
        assert refreshed.status_code == 200
        new_ids = (
            await admin(
                http,
                "POST",
                f"/sandbox/merchants/{merchant['id']}/orders/generate",
                json={"count": 5},
            )
        )["order_ids"]
        assert not set(new_ids) & set(order_ids)
    second.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_command_line_runner_serves_the_sandbox(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "cli.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "plugins.wish.sandbox", "--port", str(port), "--db", str(db)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(300):
                try:
                    health = await http.get("/sandbox/health")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("the sandbox did not start")
            assert health.json()["data"] == {"status": "ok"}
            merchant = await admin(http, "POST", "/sandbox/merchants", json={})
            assert merchant["warehouses"][0]["shipping_type"] == "STANDARD"
            assert health.headers["wish-request-id"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert db.exists()
