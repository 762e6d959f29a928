"""Benchmark: sync orders from the Wish sandbox into Tradewind's database at a rate limit R.

The sandbox runs in its own process (real uvicorn, 50 ms added latency, R requests per second
per merchant and app) and first generates ``--orders`` orders (in batches of ``--batch``, like
Wish's "Generate Orders" button, each batch sharing one ``updated_at``). Then
``plugins.wish.sync.sync_orders`` pulls them into a migrated SQLite database (or
``--database-url``), exactly as the ``wish.sync_orders`` job does. Reported: requests, the
achieved request rate against R, orders per second, peak RSS of this process (the sync side)
with samples along the run, and the count check: every order of the sandbox exactly once.

``--faults`` adds the fault run: 5 % 5xx and 2 % timeouts injected by the sandbox, and a
budget set ``--share`` above R so the store keeps running into 429s.

Run from the repository root::

    uv run python bench/wish_sync.py --rate 50 --orders 20000
    uv run python bench/wish_sync.py --rate 50 --orders 20000 --faults --share 1.4
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import func
from sqlmodel import select
from wish_common import (
    FAULTS,
    admin,
    authorized_store,
    peak_rss_mb,
    rss_mb,
    sandbox_process,
    sandbox_rows,
)

from core.crypto import CredentialCipher
from core.db import create_engine, session_factory
from core.migrate import upgrade
from core.models import Account, Order, OrderLine, Store
from plugins.wish.store_access import write_credentials
from plugins.wish.sync import SyncDeps, sync_orders


async def generate(http: httpx.AsyncClient, merchant_id: str, total: int, batch: int) -> None:
    """Generate ``total`` orders, ``batch`` per call (each call's orders share updated_at)."""
    path = f"/sandbox/merchants/{merchant_id}/orders/generate"
    counts = [min(batch, total - start) for start in range(0, total, batch)]

    async def caller(share: list[int]) -> None:
        for count in share:
            await admin(http, "POST", path, json={"count": count, "released_within_s": 3600})

    await asyncio.gather(*(caller(counts[i::4]) for i in range(4)))


async def sample_memory(samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    started = time.perf_counter()
    while not stop.is_set():
        samples.append((time.perf_counter() - started, rss_mb()))
        await asyncio.sleep(0.5)


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    faults: dict[str, Any] = {"latency_ms": 50, "rate_limit": args.rate}
    if args.faults:
        faults.update({k: v for k, v in FAULTS.items() if k != "lost_response_share"})
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'tradewind.db'}"
    await upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    cipher = CredentialCipher([Fernet.generate_key().decode()])
    with sandbox_process(workdir, faults) as base_url:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=base_url, limits=limits) as http:
            store = await authorized_store(
                http,
                rate_limit_per_second=args.rate,
                rate_budget_share=args.share,
                order_page_size=args.page,
                sync_lanes=args.lanes,
                request_timeout_seconds=1.0 if args.faults else 10.0,
                max_attempts=8,
                max_rate_limit_waits=1000,
            )
            await generate(http, store.merchant_id, args.orders, args.batch)
            async with sessions() as session, session.begin():
                account = Account(name="bench")
                session.add(account)
                await session.flush()
                assert account.id is not None
                row = Store(
                    account_id=account.id,
                    platform="wish",
                    platform_shop_id=store.merchant_id,
                    name="Bench shop",
                )
                write_credentials(row, cipher, store.credentials)
                session.add(row)
                await session.flush()
                assert row.id is not None
                store_id = row.id
            deps = SyncDeps(sessions, http, store.adapter, cipher)
            stats = store.adapter.transport.stats
            before = stats.requests
            rss_before = rss_mb()
            samples: list[tuple[float, float]] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_memory(samples, stop))
            started = time.perf_counter()
            report = await sync_orders(deps, store_id)
            elapsed = time.perf_counter() - started
            stop.set()
            await sampler
    async with sessions() as session:
        synced = set(await session.exec(select(Order.platform_order_id)))
        rows = (await session.exec(select(func.count()).select_from(Order))).one()
        lines = (await session.exec(select(func.count()).select_from(OrderLine))).one()
    await engine.dispose()
    on_sandbox = {
        order_id
        for (order_id,) in sandbox_rows(
            workdir, "SELECT id FROM orders WHERE merchant_id = ?", (store.merchant_id,)
        )
    }
    sent = stats.requests - before
    accepted = sent - stats.rate_limited
    step = max(1, len(samples) // 8)
    return {
        "R": args.rate,
        "orders_on_sandbox": len(on_sandbox),
        "seconds": round(elapsed, 1),
        "requests": sent,
        "rate_limited_429": stats.rate_limited,
        "server_errors": stats.server_errors,
        "timeouts": stats.timeouts,
        "achieved_per_s": round(accepted / elapsed, 1),
        "ratio": round(accepted / elapsed / args.rate, 3),
        "orders_per_s": round(report.pulled / elapsed),
        "order_rows": rows,
        "line_rows": lines,
        "missing": len(on_sandbox - synced),
        "extra": len(synced - on_sandbox),
        "report": {k: v for k, v in report.as_dict().items() if k in ("pulled", "created")},
        "rss_before_mb": round(rss_before),
        "peak_rss_mb": round(peak_rss_mb()),
        "rss_samples_mb": [(round(t), round(m)) for t, m in samples[::step]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50, help="sandbox limit R (requests/s)")
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=2, help="orders per generate call")
    parser.add_argument("--page", type=int, default=50, help="orders per list call")
    parser.add_argument("--lanes", type=int, default=8, help="parallel ranges of the sync")
    parser.add_argument("--faults", action="store_true", help="the fault run")
    parser.add_argument(
        "--share", type=float, default=0.95, help="share of R the budget spends (>1: over R)"
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wish-bench-") as folder:
        result = asyncio.run(run(args, Path(folder)))
    for key, value in result.items():
        print(f"{key:20} {value}")


if __name__ == "__main__":
    main()
