"""Benchmark: the product list page over HTTP at 100,000 products, against ``/healthz``.

Seeds one account with N products spread over the state tabs and two stores (the same seed
as ``bench/catalog_list.py``), gives its user a password, starts Tradewind under uvicorn in a
child process (embedded Redis, the seeded SQLite file), signs in 32 clients and drives them
with an asyncio httpx pool on loopback, each client sending its next request as soon as the
previous one answered:

    uv run python bench/catalog_http.py --products 100000 --clients 32 --requests 2000

Prints p50 / p99 / throughput per URL. ``--workers`` runs several uvicorn processes.
The JSON list (``/api/v1/products``) is measured when the app serves it (it answers 404 in a
branch without the API).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.catalog_import import fresh_database
from bench.catalog_list import seed

PASSWORD = "bench password 123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def give_password(url: str, user_id: int) -> str:
    """Set the seeded user's password; return its email."""
    from sqlalchemy import text

    from core.accounts.passwords import hash_password
    from core.db import create_engine

    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE user SET password_hash = :h, is_active = :t WHERE id = :i")
            if url.startswith("sqlite")
            else text('UPDATE "user" SET password_hash = :h, is_active = :t WHERE id = :i'),
            {"h": hash_password(PASSWORD), "t": True, "i": user_id},
        )
        email = (
            await conn.execute(
                text("SELECT email FROM user WHERE id = :i")
                if url.startswith("sqlite")
                else text('SELECT email FROM "user" WHERE id = :i'),
                {"i": user_id},
            )
        ).scalar_one()
    await engine.dispose()
    return str(email)


def start_server(url: str, data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``tradewind serve``-like: uvicorn on the app factory, in a child process."""
    env = {
        **os.environ,
        "TRADEWIND_DATABASE_URL": url,
        "TRADEWIND_DATA_DIR": str(data_dir),
        "TRADEWIND_DEFAULT_LOCALE": "zh_CN",
    }
    command = [
        sys.executable, "-m", "uvicorn", "bench.catalog_http:app_factory", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    log = (data_dir / "server.log").open("w")
    return subprocess.Popen(
        command, env=env, cwd=Path(__file__).resolve().parents[1], stdout=log, stderr=log
    )


def app_factory() -> object:
    """The app as ``tradewind serve`` builds it (for uvicorn ``--factory``)."""
    from core.cli.serve_cmd import build_app_for
    from core.config import load_settings
    from core.registry import build_registry

    settings = load_settings()
    return build_app_for(settings, build_registry(settings))


async def sign_in(base: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    await client.get("/signin")
    token = client.cookies.get("tw_csrf")
    answer = await client.post(
        "/signin", data={"email": email, "password": PASSWORD, "_csrf_token": token}
    )
    assert answer.status_code == 303, answer.text[:300]
    return client


async def drive(clients: list[httpx.AsyncClient], path: str, total: int) -> dict[str, float]:
    """``total`` GETs of ``path`` spread over the clients; latencies in ms."""
    latencies: list[float] = []
    remaining = total
    statuses: set[int] = set()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            answer = await client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.add(answer.status_code)

    started = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    took = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "rps": len(ordered) / took,
        "status": float(max(statuses)),
    }


async def main_async(products: int, clients: int, requests: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url, _ = await fresh_database("sqlite", folder)
        started = time.perf_counter()
        _account_id, user_id = await seed(url, products, folder)
        print(f"seeded {products} products in {time.perf_counter() - started:.0f} s", flush=True)
        email = await give_password(url, user_id)
        port = free_port()
        server = start_server(url, folder, port, workers)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            pool = [await sign_in(base, email) for _ in range(clients)]
            first = await pool[0].get("/products?state=published")
            cursor = re.search(r'href="(/products\?[^"]*cursor=[^"]+)"', first.text)
            paths = [
                "/healthz",
                "/products",
                "/products?state=published",
                "/products?state=draft&sort=title&dir=asc",
                "/products?q=number+4242&search_in=title",
                cursor.group(1).replace("&amp;", "&") if cursor else "/products?limit=100",
                "/api/v1/products?limit=50",
            ]
            for path in paths:
                await drive(pool, path, max(clients, requests // 10))  # warm up
                result = await drive(pool, path, requests)
                print(
                    f"| {path} | {result['p50']:.1f} | {result['p99']:.1f} | "
                    f"{result['rps']:.0f} | {int(result['status'])} |",
                    flush=True,
                )
            for client in pool:
                await client.aclose()
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    print("| URL | p50 ms | p99 ms | requests/s | status |")
    print("| --- | --- | --- | --- | --- |")
    asyncio.run(main_async(args.products, args.clients, args.requests, args.workers))


if __name__ == "__main__":
    main()
