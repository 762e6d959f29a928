"""Running the sandbox over real HTTP with uvicorn: :func:`serve` and :func:`running_server`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn

from plugins.wish.sandbox.app import SandboxApp, create_sandbox_app
from plugins.wish.sandbox.gateway import SimulatedConnectionDrop


class _HideSimulatedDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for every connection the sandbox drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedConnectionDrop)


def quiet_simulated_drops() -> None:
    """Install the log filter that hides tracebacks of deliberately dropped connections."""
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideSimulatedDrops) for f in error_log.filters):
        error_log.addFilter(_HideSimulatedDrops())


def serve(port: int, db_path: str | Path, host: str = "127.0.0.1", **options: Any) -> None:
    """Run a sandbox with uvicorn until interrupted (``tradewind sandbox wish`` uses this).

    Args:
        port: TCP port to listen on.
        db_path: the sandbox's SQLite file.
        host: interface to bind (loopback by default).
        **options: passed to :func:`~plugins.wish.sandbox.app.create_sandbox_app`
            (``seed``, ``faults``, ``review_delay_s``, ...).
    """
    app = create_sandbox_app(db_path, **options)
    quiet_simulated_drops()
    uvicorn.run(app, host=host, port=port, log_level="info")


@contextlib.asynccontextmanager
async def running_server(app: SandboxApp, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free port of ``host`` inside the running event loop.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:54321``.
    """
    quiet_simulated_drops()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
