"""``tradewind serve``: the web UI and JSON API (+ embedded Redis and worker by default)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from core import migrate
from core.cli import CliState, cli, fail
from core.cli.web_processes import (
    APP_FACTORY,
    PortInUse,
    WebProcesses,
    balanced_sockets_supported,
)
from core.config import Settings
from core.db import is_sqlite
from core.images.backends import storage_for
from core.registry import Registry, build_registry
from core.runtime import Runtime

if TYPE_CHECKING:
    from litestar import Litestar


@asynccontextmanager
async def in_process_worker(runtime: Runtime) -> AsyncIterator[None]:
    """Run a job worker inside the web process, on the runtime's Redis and database."""
    from core.jobs import InProcessWorker

    worker = InProcessWorker(
        runtime.settings,
        runtime.registry,
        redis_url=runtime.redis_url,
        sessions=runtime.sessions,
        http=runtime.http,
    )
    await worker.start()
    try:
        yield
    finally:
        await worker.stop()


def prepare_database(settings: Settings) -> None:
    """Bring the embedded SQLite schema up to date; refuse an out-of-date shared database.

    The embedded default is one process on one laptop, so migrating on start is what its
    user expects. A shared PostgreSQL is migrated deliberately, once per release, with
    ``tradewind db upgrade``, never as a side effect of starting one of many web processes.
    """
    url = settings.effective_database_url
    try:
        if is_sqlite(url) and settings.database_url is None:
            asyncio.run(migrate.upgrade(settings))
        else:
            asyncio.run(migrate.ensure_schema_current(settings))
    except migrate.MigrationError as exc:
        fail(str(exc))


def build_app_for(settings: Settings, registry: Registry) -> Litestar:
    """The web application with the in-process worker wired in."""
    from web.app import create_app

    return create_app(
        settings,
        registry=registry,
        worker_starter=in_process_worker,
        freeze_startup_objects=True,
    )


@cli.command("serve")
@click.option("--host", default=None, help="Address to listen on (setting: host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (setting: port).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Web processes (setting: web_workers).",
)
@click.pass_obj
def serve(state: CliState, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web UI and the JSON API."""
    overrides = {
        key: value
        for key, value in (("host", host), ("port", port), ("web_workers", workers))
        if value
    }
    settings = state.settings(**overrides)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    registry = build_registry(settings)
    # A deployment without its image storage backend is a wrong setting: say so now, not
    # on the first image request.
    storage_for(settings, registry)
    prepare_database(settings)
    import uvicorn

    click.echo(f"Tradewind on {settings.effective_public_base_url}", err=True)
    if settings.web_workers == 1:
        uvicorn.run(
            build_app_for(settings, registry),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            proxy_headers=True,
        )
        return
    _serve_many(state, settings)


def _serve_many(state: CliState, settings: Settings) -> None:
    """Several uvicorn processes on one port, sharing one Redis (embedded: started here).

    On Linux each process accepts on its own socket (:mod:`core.cli.web_processes`).
    """
    import uvicorn

    from core.embedded_redis import SERVE_MARK, EmbeddedRedis, EmbeddedRedisError

    embedded: EmbeddedRedis | None = None
    # The processes build their settings again from the environment and the config file.
    if state.config_path is not None:
        os.environ["TRADEWIND_CONFIG"] = str(state.config_path.resolve())
    os.environ["TRADEWIND_WEB_WORKERS"] = str(settings.web_workers)
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir / "redis")
        try:
            os.environ["TRADEWIND_REDIS_URL"] = embedded.start()
        except EmbeddedRedisError as exc:
            fail(str(exc))
        os.environ[SERVE_MARK] = "1"
        if settings.in_process_worker is None:  # as with one process on the embedded Redis
            os.environ["TRADEWIND_IN_PROCESS_WORKER"] = "true"
    try:
        if balanced_sockets_supported():
            processes = WebProcesses(
                settings.web_workers, settings.host, settings.port, settings.log_level.lower()
            )
            try:
                exit_code = processes.run()
            except PortInUse as exc:
                fail(str(exc))
            if exit_code:
                sys.exit(exit_code)
        else:  # one shared socket: connections are not spread as evenly
            uvicorn.run(
                APP_FACTORY,
                factory=True,
                workers=settings.web_workers,
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level.lower(),
                proxy_headers=True,
            )
    finally:
        if embedded is not None:
            embedded.stop()


def app_from_environment() -> Litestar:
    """The app of one web process of ``serve --workers N`` (a uvicorn factory)."""
    from core.config import load_settings

    config = os.environ.get("TRADEWIND_CONFIG")
    settings = load_settings(Path(config) if config else None)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return build_app_for(settings, build_registry(settings))
