"""``tradewind worker``: a standalone job worker for scale-out deployments."""

from __future__ import annotations

import logging

import click

from core.cli import CliState, cli, fail
from core.registry import build_registry


@cli.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1000),
    default=None,
    help="Jobs run at the same time (default: the worker_concurrency setting).",
)
@click.pass_obj
def worker(state: CliState, concurrency: int | None) -> None:
    """Run a job worker against the configured Redis until stopped (SIGINT/SIGTERM)."""
    settings = state.settings()
    if not settings.redis_url:
        fail(
            "standalone workers need TRADEWIND_REDIS_URL (a Redis shared with `tradewind "
            "serve`); the embedded Redis belongs to `tradewind serve`"
        )
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from core.jobs import run_worker

    run_worker(settings, build_registry(settings), concurrency=concurrency)
