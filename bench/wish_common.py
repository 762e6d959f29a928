"""Shared pieces of the Wish benchmarks: a sandbox in its own process, an authorized store.

The sandbox runs as ``python -m plugins.wish.sandbox`` (uvicorn) in a child process, so the
adapter talks to it over real HTTP exactly as to Wish; only the base URL differs.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials
from plugins.wish.client import WishMarketplace
from plugins.wish.settings import WishSettings

REDIRECT_URI = "https://erp.example/stores/callback/wish"
FAULTS = {
    "error_share": 0.05,
    "timeout_share": 0.02,
    "lost_response_share": 0.02,
    "lost_response_mode": "drop",
    "hang_s": 5,
}
"""The fault run's injected faults (429s come from the rate limit itself, see the docs)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def sandbox_process(
    workdir: Path, faults: dict[str, Any], *, seed: int = 1, review_delay: float = 3600
) -> Iterator[str]:
    """Run the sandbox in a child process; yield its base URL."""
    port = free_port()
    log = (workdir / "sandbox.log").open("w")
    command = [
        sys.executable,
        "-m",
        "plugins.wish.sandbox",
        "--port",
        str(port),
        "--db",
        str(workdir / "sandbox.db"),
        "--seed",
        str(seed),
        "--review-delay",
        str(review_delay),
        "--faults",
        json.dumps(faults),
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base_url}/sandbox/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the sandbox did not start; see sandbox.log")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


async def admin(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, path, **kwargs)
    response.raise_for_status()
    return response.json()["data"]


@dataclass
class BenchStore:
    """An authorized sandbox merchant."""

    adapter: WishMarketplace
    credentials: Credentials
    merchant_id: str
    client_id: str
    client_secret: str


async def authorized_store(http: httpx.AsyncClient, **settings: Any) -> BenchStore:
    """Create an app and a merchant, then authorize through Wish's consent page and OAuth."""
    app = await admin(http, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
    merchant = await admin(http, "POST", "/sandbox/merchants", json={"name": "Bench shop"})
    wish = WishSettings.from_mapping(
        {
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "base_url": str(http.base_url),
            **settings,
        }
    )
    adapter = WishMarketplace(wish)
    page = await http.get(adapter.authorize_url(state="bench", redirect_uri=REDIRECT_URI))
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    form = {**hidden, "merchant_id": merchant["id"], "decision": "approve"}
    answer = await http.post("/v3/oauth/authorize", data=form)
    code = httpx.URL(answer.headers["location"]).params["code"]
    store = await adapter.exchange_code(
        CallContext(http=http), code=code, redirect_uri=REDIRECT_URI, params={}
    )
    return BenchStore(
        adapter, store.credentials, merchant["id"], app["client_id"], app["client_secret"]
    )


def sandbox_rows(workdir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the sandbox's own database (after or during a run)."""
    with sqlite3.connect(workdir / "sandbox.db", timeout=30) as connection:
        return list(connection.execute(sql, params))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux ``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    """Current resident memory of this process (Linux ``VmRSS``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
