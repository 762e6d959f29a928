"""``tradewind worker``: a standalone job worker for scale-out deployments."""

from __future__ import annotations

import logging

import click

from core.cli import CliState, cli, fail
from core.config import Settings
from core.registry import Registry

try:
    from core.registry import build_registry  # type: ignore[attr-defined, unused-ignore]
except ImportError:  # replaced by core.registry.build_registry at merge
    build_registry = None


def _registry(settings: Settings) -> Registry:
    """The registry of loaded plugins; replaced by core.registry.build_registry at merge."""
    if build_registry is not None:
        registry: Registry = build_registry(settings)
        return registry
    from core.interfaces.jobs import CronDefinition, JobDefinition
    from plugins import housekeeping

    jobs: dict[str, JobDefinition] = {}
    crons: dict[str, CronDefinition] = {}
    for definition in housekeeping.definitions():
        if isinstance(definition, JobDefinition):
            jobs[definition.name] = definition
        else:
            crons[definition.name] = definition
    return Registry(jobs=jobs, crons=crons)


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

    run_worker(settings, _registry(settings), concurrency=concurrency)
