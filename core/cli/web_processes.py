"""Several web processes on one port, each accepting on its own socket (``serve --workers N``).

uvicorn's own multi-process mode binds one socket in the parent and lets every child accept
from it. Whichever child wakes first accepts every connection waiting, so a burst of new
keep-alive connections (a reverse proxy's pool, a load tool, a seller's colleagues all
opening the app at nine) can land on one process and stay there while the others idle: in
the product-list benchmark one process served 453 requests and the other 54.

On Linux each child here binds its own socket with ``SO_REUSEPORT`` and the kernel spreads new
connections over the sockets by a hash of their addresses. The parent binds nothing itself
but first checks, without ``SO_REUSEPORT``, that nothing else listens on the port (otherwise
a second Tradewind started by the same user would silently share it), starts the children,
starts another when one dies, and on SIGINT or SIGTERM stops them all gracefully.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess
from types import FrameType

log = logging.getLogger(__name__)

# The app factory every child serves.
APP_FACTORY = "core.cli.serve_cmd:app_from_environment"
# A child that stops within this many seconds of its start failed to start.
START_GRACE_SECONDS = 10.0
# After this many failed starts in a row the parent gives up instead of looping.
MAX_FAILED_STARTS = 3
# How long stopping waits for requests in flight before it kills a child.
STOP_TIMEOUT_SECONDS = 30.0
LISTEN_BACKLOG = 2048


class PortInUse(Exception):
    """The address cannot be bound: something else listens there."""


def balanced_sockets_supported() -> bool:
    """Whether the kernel spreads connections over ``SO_REUSEPORT`` sockets (Linux does)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    family, _type, _proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return family, (str(address[0]), int(address[1]))


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A bound, listening TCP socket on ``host:port``.

    Raises:
        PortInUse: the address is taken (or not this machine's).
    """
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def check_port_free(host: str, port: int) -> None:
    """Bind and release ``host:port`` without ``SO_REUSEPORT``.

    Raises:
        PortInUse: another program, or another Tradewind, listens there.
    """
    listening_socket(host, port, reuse_port=False).close()


def serve_child(host: str, port: int, log_level: str) -> None:
    """One web process: its own ``SO_REUSEPORT`` socket and a uvicorn server on it."""
    import uvicorn

    sock = listening_socket(host, port, reuse_port=True)
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=True,
    )
    uvicorn.Server(config).run(sockets=[sock])


@dataclass
class _Child:
    process: SpawnProcess
    started: float = field(default_factory=time.monotonic)


class WebProcesses:
    """The parent of ``count`` web processes; :meth:`run` returns when they have stopped."""

    def __init__(self, count: int, host: str, port: int, log_level: str) -> None:
        self.count = count
        self.host = host
        self.port = port
        self.log_level = log_level
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._children: list[_Child] = []

    def _start(self, number: int) -> _Child:
        process = self._context.Process(
            target=serve_child,
            args=(self.host, self.port, self.log_level),
            name=f"tradewind-web-{number}",
        )
        process.start()
        return _Child(process)

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self._stop.set()

    def run(self) -> int:
        """Start the children, keep them running until a signal; return the exit code.

        Raises:
            PortInUse: the port is taken.
        """
        check_port_free(self.host, self.port)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        self._children = [self._start(n) for n in range(self.count)]
        exit_code = 0
        failed_starts = 0
        while not self._stop.wait(0.5):
            for number, child in enumerate(self._children):
                if child.process.is_alive():
                    continue
                quick = time.monotonic() - child.started < START_GRACE_SECONDS
                failed_starts = failed_starts + 1 if quick else 0
                if failed_starts >= MAX_FAILED_STARTS:
                    log.error(
                        "web processes keep stopping right after they start (exit code %s); "
                        "giving up, see the messages above",
                        child.process.exitcode,
                    )
                    exit_code = 1
                    self._stop.set()
                    break
                log.warning(
                    "web process %s (pid %s) stopped with exit code %s; starting another",
                    number,
                    child.process.pid,
                    child.process.exitcode,
                )
                self._children[number] = self._start(number)
        self._stop_children()
        return exit_code

    def _stop_children(self) -> None:
        """SIGTERM every child (uvicorn finishes requests in flight), then kill late ones."""
        for child in self._children:
            if child.process.is_alive() and child.process.pid is not None:
                os.kill(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self._children:
            child.process.join(max(0.0, deadline - time.monotonic()))
        for child in self._children:
            if child.process.is_alive():
                log.warning(
                    "web process pid %s did not stop in time; killing it", child.process.pid
                )
                child.process.kill()
                child.process.join()
