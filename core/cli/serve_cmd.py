"""``tradewind serve``: the web UI and JSON API (+ embedded Redis and worker by default)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import click

from core import migrate
from core.cli import CliState, cli, fail
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

    return create_app(settings, registry=registry, worker_starter=in_process_worker)


@cli.command("serve")
@click.option("--host", default=None, help="Address to listen on (setting: host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (setting: port).")
@click.pass_obj
def serve(state: CliState, host: str | None, port: int | None) -> None:
    """Serve the web UI and the JSON API."""
    overrides = {key: value for key, value in (("host", host), ("port", port)) if value}
    settings = state.settings(**overrides)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    registry = build_registry(settings)
    # A deployment without its image storage backend is a wrong setting: say so now, not
    # on the first image request.
    storage_for(settings, registry)
    prepare_database(settings)
    app = build_app_for(settings, registry)
    import uvicorn

    click.echo(f"Tradewind on {settings.effective_public_base_url}", err=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
