"""Real HTTP servers for tests: any ASGI app under uvicorn, on a free loopback port, in a thread.

The app runs in its own event loop (its own thread), exactly as in production behind a socket;
tests talk to it over real TCP.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_socket() -> socket.socket:
    """A socket bound to 127.0.0.1 on a free port (hand it to :func:`serve`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def url_of(sock: socket.socket) -> str:
    """The base URL a server on ``sock`` answers at."""
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def serve(app: Any, *, lifespan: str = "on", sock: socket.socket | None = None) -> Iterator[str]:
    """Serve ``app`` on ``sock`` (default: a free loopback port); yield its base URL.

    Pass a socket from :func:`free_socket` when the app must know its own URL before it
    starts (e.g. its ``public_base_url``).
    """
    sock = sock or free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan=lifespan, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the test below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if failure or not thread.is_alive():
            raise RuntimeError(f"server on port {port} did not start: {failure!r}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"server on port {port} did not start within 30 s")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
