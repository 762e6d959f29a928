"""Benchmark: publish products with 3 variations each to the Wish sandbox at a rate limit R.

The sandbox runs in its own process (real uvicorn, 50 ms added latency, R requests per second
per merchant and app). The adapter is driven directly, as the catalog's publish job will drive
it: ``--workers`` tasks each take the next listing and call ``publish_listing``, the store's
rate budget paces them. Reported: requests sent, 429s, the achieved rate of accepted requests
against R, and the sandbox's own count of products (duplicates and missing ones).

``--faults`` adds the fault run: 5 % 5xx, 2 % timeouts and 2 % "applied but answer lost"
injected by the sandbox; with ``--share`` above 1 the budget spends more than R, so the store
keeps running into 429s that must be waited out.

Run from the repository root::

    uv run python bench/wish_publish.py --rate 50 --products 2000
    uv run python bench/wish_publish.py --rate 50 --products 2000 --faults
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from wish_common import FAULTS, authorized_store, sandbox_process, sandbox_rows

from core.errors import TradewindError
from core.interfaces.common import CallContext, Money
from core.interfaces.listings import ListingPayload, ShippingRate, VariantPayload


def listing(index: int) -> ListingPayload:
    sku = f"BENCH-{index:05d}"
    base = f"https://img.example/{sku}"
    colours = ("red", "green", "blue")
    return ListingPayload(
        parent_sku=sku,
        title=f"Ceramic mug no. {index}",
        description="A sturdy ceramic mug.\nDishwasher safe.",
        main_image_url=f"{base}/main.jpg",
        variants=tuple(
            VariantPayload(
                sku=f"{sku}-{colour}",
                price=Money(Decimal("9.99") + n, "USD"),
                quantity=100,
                options={"color": colour},
                image_url=f"{base}/{colour}.jpg",
                weight_grams=Decimal(350),
                origin_country="CN",
            )
            for n, colour in enumerate(colours)
        ),
        tags=("mug", "kitchen"),
        category_id="1234",
        shipping=(ShippingRate(Money(Decimal("2.50"), "USD")),),
    )


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    faults: dict[str, Any] = {"latency_ms": 50, "rate_limit": args.rate}
    if args.faults:
        faults.update(FAULTS)
    budget = {
        "rate_limit_per_second": args.rate,
        "rate_budget_share": args.share,
        "max_concurrency": args.workers,
        "request_timeout_seconds": 1.0 if args.faults else 10.0,
        "max_attempts": 8,
        "max_rate_limit_waits": 1000,
    }
    with sandbox_process(workdir, faults) as base_url:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=base_url, limits=limits) as http:
            store = await authorized_store(http, **budget)
            adapter, ctx = store.adapter, CallContext(http=http)
            requests_before = adapter.transport.stats.requests
            queue: asyncio.Queue[int] = asyncio.Queue()
            for index in range(args.products):
                queue.put_nowait(index)
            failures: list[str] = []

            async def worker() -> None:
                while not queue.empty():
                    index = queue.get_nowait()
                    try:
                        await adapter.publish_listing(ctx, store.credentials, listing(index))
                    except TradewindError as exc:
                        failures.append(f"{index}: {exc!r}")

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(args.workers)))
            elapsed = time.perf_counter() - started
    stats = adapter.transport.stats
    sent = stats.requests - requests_before
    accepted = sent - stats.rate_limited
    rows = sandbox_rows(
        workdir,
        "SELECT parent_sku, COUNT(*) FROM products WHERE merchant_id = ? GROUP BY 1",
        (store.merchant_id,),
    )
    skus = {sku for sku, _ in rows}
    expected = {f"BENCH-{i:05d}" for i in range(args.products)}
    return {
        "R": args.rate,
        "products": args.products,
        "seconds": round(elapsed, 1),
        "requests": sent,
        "rate_limited_429": stats.rate_limited,
        "server_errors": stats.server_errors,
        "timeouts": stats.timeouts,
        "connection_errors": stats.connection_errors,
        "outcome_unknown": stats.outcome_unknown,
        "achieved_per_s": round(accepted / elapsed, 1),
        "ratio": round(accepted / elapsed / args.rate, 3),
        "products_on_sandbox": sum(count for _, count in rows),
        "duplicate_parent_skus": sum(1 for _, count in rows if count > 1),
        "missing": len(expected - skus),
        "failures": failures[:5],
        "failed": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50, help="sandbox limit R (requests/s)")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--faults", action="store_true", help="the fault run")
    parser.add_argument(
        "--share", type=float, default=0.95, help="share of R the budget spends (>1: over R)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wish-bench-") as folder:
        result = asyncio.run(run(args, Path(folder)))
    for key, value in result.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
