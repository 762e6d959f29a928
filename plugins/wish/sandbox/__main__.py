"""``python -m plugins.wish.sandbox --port N --db PATH``: run the Wish sandbox."""

from __future__ import annotations

import argparse
import json

from plugins.wish.sandbox.server import serve


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m plugins.wish.sandbox",
        description="Run the Wish sandbox, a local twin of the Wish Merchant API v3.",
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    parser.add_argument("--db", default="wish-sandbox.db", help="SQLite file of the sandbox")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--seed", type=int, default=0, help="seed of faults and generated data")
    parser.add_argument("--review-delay", type=float, default=60.0, help="review seconds")
    parser.add_argument("--async-delay", type=float, default=5.0, help="tracking/refund seconds")
    parser.add_argument(
        "--faults", default="{}", help='fault knobs as JSON, e.g. {"latency_ms": 50}'
    )
    args = parser.parse_args(argv)
    serve(
        args.port,
        args.db,
        args.host,
        seed=args.seed,
        faults=json.loads(args.faults),
        review_delay_s=args.review_delay,
        async_delay_s=args.async_delay,
    )


if __name__ == "__main__":
    main()
