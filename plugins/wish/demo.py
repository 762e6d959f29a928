"""``tradewind demo``: Tradewind with a Wish sandbox and a demo account, in one command.

The command starts the Wish sandbox (its own SQLite file in the data folder), points the Wish
plugin at it for this process (settings overrides), and runs Tradewind like ``serve`` does
(embedded defaults, in-process worker). The first run creates a demo account through the real
flows, over HTTP like a browser and a script would: sign-up, the Wish store authorized through
the sandbox's consent page and Tradewind's callback, products created, claimed, published
(jobs), delisted, and orders generated on the sandbox and synced in. Later runs find the demo
account (its password is kept in the data folder) and create nothing again.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import socket
from pathlib import Path
from typing import Any

import click
import httpx

DEMO_EMAIL = "demo@tradewind.local"
DEMO_CLIENT_ID = "tradewind-demo-app"
DEMO_CLIENT_SECRET = "tradewind-demo-secret"  # a local sandbox app, not a real credential
FINISHED = {"succeeded", "partial", "failed", "cancelled"}


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def demo_password(data_dir: Path) -> str:
    """The demo account's password: made once, kept in the data folder (mode 0600)."""
    path = data_dir / "demo-password"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password)
    path.chmod(0o600)
    return password


async def _data(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, path, **kwargs)
    response.raise_for_status()
    return response.json()["data"]


async def sandbox_app_credentials(sandbox: httpx.AsyncClient, callback: str) -> dict[str, str]:
    """The demo's OAuth app on the sandbox (created on the first run, kept in its database)."""
    credentials = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
    if not any(
        app["client_id"] == DEMO_CLIENT_ID for app in await _data(sandbox, "GET", "/sandbox/apps")
    ):
        await _data(
            sandbox, "POST", "/sandbox/apps", json={"redirect_uri": callback, **credentials}
        )
    return credentials


class Browser:
    """A cookie-keeping client of Tradewind that sends the CSRF token like the pages do."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)

    async def csrf(self) -> str:
        """The CSRF token (set by the first page visited)."""
        if "tw_csrf" not in self.http.cookies:
            await self.http.get("/signin")
        return str(self.http.cookies["tw_csrf"])

    async def form(self, url: str, data: dict[str, str]) -> httpx.Response:
        """POST a page form."""
        return await self.http.post(url, data={**data, "_csrf_token": await self.csrf()})

    async def api(self, method: str, url: str, body: Any = None) -> Any:
        """Call the JSON API; raise on an error."""
        headers = {"X-CSRFToken": await self.csrf()}
        response = await self.http.request(method, url, json=body, headers=headers)
        if response.status_code >= 400:
            raise click.ClickException(f"{method} {url}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    async def job(self, method: str, url: str, body: Any = None) -> dict[str, Any]:
        """Start a job through the API and wait until it finishes."""
        job_id = (await self.api(method, url, body))["job_id"]
        for _ in range(1200):
            job: dict[str, Any] = await self.api("GET", f"/api/v1/jobs/{job_id}")
            if job["status"] in FINISHED:
                return job
            await asyncio.sleep(0.1)
        raise click.ClickException(f"job {job_id} did not finish")


def _product(index: int, sku: str, *, currency: str = "USD") -> dict[str, Any]:
    colours = ("red", "blue")
    return {
        "title": f"Ceramic mug no. {index}",
        "parent_sku": sku,
        "description": "A sturdy ceramic mug.\nDishwasher safe.",
        "tags": ["mug", "kitchen"],
        "main_image": {"url": f"https://img.example/{sku}/main.jpg"},
        "platform_category_id": "1234",
        "platform_data": {"origin_country": "CN"},
        "variants": [
            {
                "sku": f"{sku}-{colour}",
                "options": {"color": colour},
                "price": f"{9 + index % 7}.99",
                "shipping_price": "2.50",
                "currency": currency,
                "inventory": 40 + index,
                "weight_grams": 350,
                "image": {"url": f"https://img.example/{sku}/{colour}.jpg"},
            }
            for colour in colours
        ],
    }


async def _authorize(browser: Browser, sandbox: httpx.AsyncClient, merchant_id: str) -> int:
    """The real OAuth flow: Tradewind's authorize URL, the consent page, the callback."""
    started = await browser.api("POST", "/api/v1/stores/authorize/wish")
    page = await sandbox.get(started["authorize_url"])
    page.raise_for_status()
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    if action is None:
        raise click.ClickException("the sandbox consent page has no form")
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    form = {**hidden, "merchant_id": merchant_id, "decision": "approve"}
    approved = await sandbox.post(str(page.url.join(action.group(1))), data=form)
    back = httpx.URL(approved.headers["location"])
    await browser.http.get(f"{back.path}?{back.query.decode()}")
    stores = await browser.api("GET", "/api/v1/stores")
    if not stores:
        raise click.ClickException("the demo store was not authorized")
    store_id: int = stores[0]["id"]
    return store_id


async def seed(base_url: str, sandbox: httpx.AsyncClient, password: str) -> bool:
    """Create the demo account and its data unless it exists; return whether it was created."""
    browser = Browser(base_url)
    try:
        signed_in = await browser.form("/signin", {"email": DEMO_EMAIL, "password": password})
        if signed_in.status_code == 303 and "signin" not in signed_in.headers["location"]:
            return False
        made = await browser.form(
            "/signup",
            {
                "email": DEMO_EMAIL,
                "password": password,
                "account_name": "Demo shop",
                "display_name": "Demo",
            },
        )
        if made.status_code != 303:
            raise click.ClickException(f"sign-up refused: {made.text[:300]}")
        merchant = await _data(sandbox, "POST", "/sandbox/merchants", json={"name": "Demo shop"})
        store_id = await _authorize(browser, sandbox, merchant["id"])
        await _products(browser, store_id)
        await _data(
            sandbox,
            "POST",
            f"/sandbox/merchants/{merchant['id']}/orders/generate",
            json={"count": 12},
        )
        await browser.job("POST", f"/api/v1/stores/{store_id}/sync-orders")
        return True
    finally:
        await browser.http.aclose()


async def _products(browser: Browser, store_id: int) -> None:
    """30 products: collection box, drafts, published, one publish-failed, delisted."""
    box = [
        await browser.api("POST", "/api/v1/products", _product(i, f"DEMO-{i:03}"))
        for i in range(30)
    ]
    claim = {"product_ids": [p["id"] for p in box[12:]], "store_ids": [store_id]}
    drafts = [
        c["product_id"]
        for c in (await browser.api("POST", "/api/v1/products/claim", claim))["claimed"]
    ]
    bad = await browser.api(
        "POST",
        "/api/v1/products",
        {**_product(99, "DEMO-EUR", currency="EUR"), "store_id": store_id},
    )
    publish = drafts[:10]
    await browser.job("POST", "/api/v1/products/publish", {"product_ids": [*publish, bad["id"]]})
    await browser.job("POST", "/api/v1/products/delist", {"product_ids": publish[:3]})


async def run_demo(state: Any, port: int | None, sandbox_port: int | None) -> None:
    """Start the sandbox and Tradewind, seed once, serve until interrupted."""
    import uvicorn

    from core.cli.serve_cmd import build_app_for, prepare_database
    from core.registry import build_registry
    from plugins.wish.sandbox import create_sandbox_app

    base = state.settings()
    port = port or base.port
    sandbox_port = sandbox_port or free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox_db = base.data_dir / "sandboxes" / "wish-demo.db"
    sandbox_db.parent.mkdir(parents=True, exist_ok=True)
    sandbox_app = create_sandbox_app(
        sandbox_db, faults={"rate_limit": 1000}, review_delay_s=0, async_delay_s=0
    )
    sandbox_server = uvicorn.Server(
        uvicorn.Config(
            sandbox_app, host="127.0.0.1", port=sandbox_port, log_level="warning", lifespan="off"
        )
    )
    sandbox_task = asyncio.create_task(sandbox_server.serve())
    while not sandbox_server.started:
        if sandbox_task.done():
            sandbox_task.result()
        await asyncio.sleep(0.02)
    public = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as sandbox:
        oauth = await sandbox_app_credentials(sandbox, f"{public}/stores/callback/wish")
        wish = {**oauth, "base_url": sandbox_url, "rate_limit_per_second": 1000}
        settings = state.settings(
            port=port,
            public_base_url=public,
            plugin={**base.plugin, "wish": {**base.plugin.get("wish", {}), **wish}},
        )
        await asyncio.to_thread(prepare_database, settings)
        app = build_app_for(settings, build_registry(settings))
        server = uvicorn.Server(
            uvicorn.Config(app, host=settings.host, port=port, log_level="warning")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        password = demo_password(settings.data_dir)
        created = await seed(public, sandbox, password)
        click.echo("Demo data created." if created else "Demo account found; nothing added.")
        click.echo(f"Tradewind demo on {public}  (Wish sandbox on {sandbox_url})")
        click.echo(f"Sign in as {DEMO_EMAIL} with password {password}", nl=True)
        with contextlib.suppress(asyncio.CancelledError):
            await task
    sandbox_server.should_exit = True
    await sandbox_task
    sandbox_app.close()


def add_demo_command(cli: click.Group) -> None:
    """Add ``tradewind demo`` to ``cli``."""

    @cli.command("demo")
    @click.option("--port", type=click.IntRange(1, 65535), default=None, help="Tradewind's port.")
    @click.option(
        "--sandbox-port", type=click.IntRange(1, 65535), default=None, help="The sandbox's port."
    )
    @click.pass_obj
    def demo(state: Any, port: int | None, sandbox_port: int | None) -> None:
        """Run Tradewind with a Wish sandbox and a demo account (created once)."""
        asyncio.run(run_demo(state, port, sandbox_port))
