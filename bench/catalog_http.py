"""Benchmark: the product list page and the JSON list over HTTP at 100,000 products.

Seeds one account with N products spread over the state tabs and two stores (the seed of
``bench/catalog_list.py``), gives its user a password, starts ``tradewind serve --workers W``
on the seeded SQLite file (embedded Redis), signs in, and loads each URL with ``wrk`` (the
load tool, a separate C process on loopback: Debian's ``wrk`` package) holding 32
connections, one per client. ``/healthz`` of the same server is the baseline.

Two kinds of load per URL:

- *saturated*: each client sends its next request as soon as the last one answered, so the
  server is never idle and latency is mostly queueing (p50 ≈ clients / throughput);
- *paced*: each client waits about ``--think-ms`` after every answer (staff reading a page
  before the next click; random between half and 1.5 times that), so latency is what one
  page costs while the other 31 keep working.

    uv run python bench/catalog_http.py --products 100000 --clients 32 --workers 2

Prints a Markdown table: p50 / p99 in ms, requests/s, and non-2xx answers per URL and load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
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
ROOT = Path(__file__).resolve().parents[1]

# Each wrk connection waits about TW_THINK_MS after every answer before its next request:
# a random pause between half and one and a half times that, so that the clients, which all
# start at once, do not keep clicking in step.
PACING = """
local think = tonumber(os.getenv("TW_THINK_MS") or "0")
-- Each wrk thread runs its own copy of this script; unseeded, they would all draw the same
-- pauses, and every client of one thread would click in step with one of the other's.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + (thread_number or 0))
end
function delay()
  if think == 0 then return 0 end
  return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
end
"""


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

    user = "user" if url.startswith("sqlite") else '"user"'
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(f"UPDATE {user} SET password_hash = :h, is_active = :t WHERE id = :i"),
            {"h": hash_password(PASSWORD), "t": True, "i": user_id},
        )
        email = (
            await conn.execute(text(f"SELECT email FROM {user} WHERE id = :i"), {"i": user_id})
        ).scalar_one()
    await engine.dispose()
    return str(email)


def start_server(url: str, data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``tradewind serve --workers N`` on the seeded database, in a child process."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")},
        "TRADEWIND_DATABASE_URL": url,
        "TRADEWIND_DATA_DIR": str(data_dir),
        "TRADEWIND_DEFAULT_LOCALE": "zh_CN",
        "TRADEWIND_LOG_LEVEL": "WARNING",
        "TRADEWIND_PORT": str(port),
    }
    command = [sys.executable, "-m", "core.cli", "serve", "--workers", str(workers)]
    log = (data_dir / "server.log").open("w")
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)


def wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server never became healthy:\n{log.read_text(errors='replace')}")


def session_cookie(base: str, email: str) -> tuple[str, httpx.Client]:
    """Sign in; return the Cookie header and the signed-in client."""
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/signin")
    answer = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "_csrf_token": client.cookies["tw_csrf"]},
    )
    assert answer.status_code == 303, answer.text[:300]
    header = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return header, client


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(
    url: str, cookie: str, clients: int, seconds: int, think_ms: int, script: Path
) -> dict[str, float]:
    """One wrk run; p50 / p99 in ms, requests/s, non-2xx count."""
    command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--latency"]
    command += ["--timeout", "30s", "-s", str(script), "-H", f"Cookie: {cookie}", url]
    output = subprocess.run(
        command,
        env={**os.environ, "TW_THINK_MS": str(think_ms)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),  # type: ignore[union-attr]
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
    }
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    found["bad"] = float(bad.group(1)) if bad else 0.0
    return found


async def main_async(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark needs wrk (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url, _ = await fresh_database("sqlite", folder)
        started = time.perf_counter()
        _account_id, user_id = await seed(url, args.products, folder)
        print(f"seeded {args.products} products in {time.perf_counter() - started:.0f} s")
        email = await give_password(url, user_id)
        script = folder / "pacing.lua"
        script.write_text(PACING)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, folder, port, args.workers)
        try:
            wait_healthy(base, server, folder / "server.log")
            cookie, client = session_cookie(base, email)
            first = client.get("/products?state=published")
            cursor = re.search(r'href="(/products\?[^"]*cursor=[^"]+)"', first.text)
            paths = [
                "/healthz",
                "/products",
                "/products?state=published",
                "/products?state=draft&sort=title&dir=asc",
                cursor.group(1).replace("&amp;", "&") if cursor else "/products?limit=100",
                "/products?q=number+4242&search_in=title",
                "/api/v1/products?limit=50",
                "/api/v1/products?limit=50&state=published",
            ]
            for path in paths:
                assert client.get(path).status_code == 200, path
            print(f"\nload average before: {os.getloadavg()[0]:.1f}; {args.workers} web processes")
            print("| URL | load | p50 ms | p99 ms | requests/s | non-2xx |")
            print("| --- | --- | --- | --- | --- | --- |")
            for path in paths:
                for think in args.think_ms:
                    run_wrk(base + path, cookie, args.clients, 2, think, script)  # warm-up
                    got = run_wrk(base + path, cookie, args.clients, args.seconds, think, script)
                    load = f"paced ({think} ms)" if think else "saturated"
                    print(
                        f"| `{path}` | {load} | {got['p50']:.1f} | {got['p99']:.1f} | "
                        f"{got['rps']:.0f} | {int(got['bad'])} |",
                        flush=True,
                    )
            print(f"\nload average after: {os.getloadavg()[0]:.1f}")
            client.close()
        finally:
            server.terminate()
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10, help="per URL and load")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--think-ms",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[0, 1000],
        help="pauses to measure, comma-separated; 0 = saturated",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
