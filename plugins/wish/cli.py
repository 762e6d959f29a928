"""``tradewind sandbox wish``: run the Wish sandbox from the Tradewind command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def sandbox_group(cli: click.Group) -> click.Group:
    """The ``sandbox`` group of ``cli``, created when no plugin added it yet."""
    existing = cli.commands.get("sandbox")
    if isinstance(existing, click.Group):
        return existing

    @cli.group("sandbox")
    def sandbox() -> None:
        """Run local sandboxes of the platforms (tests, demos, benchmarks)."""

    return sandbox


def add_commands(cli: click.Group) -> None:
    """Add ``sandbox wish`` to ``cli``."""

    @sandbox_group(cli).command("wish")
    @click.option("--port", type=int, default=8765, show_default=True, help="TCP port.")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
    @click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="SQLite file of the sandbox (default: <data_dir>/sandboxes/wish.db).",
    )
    @click.option("--seed", type=int, default=0, show_default=True, help="Seed of faults.")
    @click.option("--latency-ms", type=int, default=0, show_default=True, help="Added latency.")
    @click.option(
        "--rate-limit", type=int, default=100, show_default=True, help="Requests per second."
    )
    @click.option(
        "--review-delay", type=float, default=60.0, show_default=True, help="Review seconds."
    )
    @click.option(
        "--async-delay",
        type=float,
        default=5.0,
        show_default=True,
        help="Seconds tracking and refund updates stay IN_PROGRESS.",
    )
    @click.pass_obj
    def wish(state: Any, /, db_path: Path | None, **options: Any) -> None:
        """Run the Wish sandbox (Merchant API v3 twin) until interrupted."""
        from plugins.wish.sandbox import serve

        if db_path is None:
            db_path = state.settings().data_dir / "sandboxes" / "wish.db"
        db_path.parent.mkdir(parents=True, exist_ok=True)
        click.echo(
            f"Wish sandbox on http://{options['host']}:{options['port']} (state in {db_path})"
        )
        serve(
            options["port"],
            db_path,
            options["host"],
            seed=options["seed"],
            faults={"latency_ms": options["latency_ms"], "rate_limit": options["rate_limit"]},
            review_delay_s=options["review_delay"],
            async_delay_s=options["async_delay"],
        )
