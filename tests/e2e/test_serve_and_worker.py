"""The issue's "done when", as real processes: ``tradewind serve`` on the embedded defaults,
and ``serve`` + a separate ``tradewind worker`` on PostgreSQL + Redis, each running a job that a
plugin (from ``plugins_dir``) registered, with its progress visible in the job record.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db import create_engine

PLUGIN = """
import asyncio
from pathlib import Path

from core import hookimpl
from core.interfaces.jobs import JobDefinition


async def count(ctx, payload):
    await ctx.set_total(payload["n"])
    for index in range(payload["n"]):
        if index == payload["n"] // 2:
            # Halfway, wait for the test to have seen the progress so far.
            gate = Path(payload["gate"])
            while not gate.exists():
                await asyncio.sleep(0.05)
        if index == payload.get("fail_at"):
            await ctx.item_failed(str(index), "refused on purpose")
        else:
            await ctx.item_done(str(index))
    return {"counted": payload["n"]}


@hookimpl
def register_jobs(register):
    register(JobDefinition(name="e2e.count", func=count, title="Count"))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tradewind(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        env=env,
        cwd=env.get("TW_TEST_CWD"),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _spawn(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", *args],
        env=env,
        cwd=env.get("TW_TEST_CWD"),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> dict[str, object]:
    deadline = time.monotonic() + 60
    last: dict[str, object] = {}
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            answer = httpx.get(f"{url}/healthz", timeout=2)
            last = answer.json()
            if answer.status_code == 200:
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"never healthy: {last}\n{log.read_text(errors='replace')}")


def _run_job_to_completion(
    env: dict[str, str], n: int, fail_at: int, gate: Path
) -> dict[str, object]:
    enqueued = _tradewind(
        "jobs",
        "enqueue",
        "e2e.count",
        "--payload",
        json.dumps({"n": n, "fail_at": fail_at, "gate": str(gate)}),
        env=env,
    )
    assert enqueued.returncode == 0, enqueued.stderr
    job_id = enqueued.stdout.strip()
    seen_progress: set[int] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        shown = _tradewind("jobs", "show", job_id, "--json", env=env)
        assert shown.returncode == 0, shown.stderr
        record = json.loads(shown.stdout)
        finished = int(record["done"]) + int(record["failed"])
        if not gate.exists() and record["status"] == "running" and record["total"] == n:
            assert finished <= n // 2, "the job went past the gate"
            if finished == n // 2:
                # Progress is visible mid-job; let the job go on.
                seen_progress.add(finished)
                gate.touch()
        if record["status"] not in ("queued", "running"):
            record["seen_progress"] = sorted(seen_progress)
            record["gate_opened"] = gate.exists()
            return record  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "e2e.py").write_text(PLUGIN)
    return folder


def _base_env(tmp_path: Path, plugin_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")}
    env.update(
        TRADEWIND_DATA_DIR=str(tmp_path / "data"),
        TRADEWIND_PLUGINS_DIR=str(plugin_dir),
        TRADEWIND_PORT=str(port),
        TRADEWIND_QUEUE_NAME=f"tw-e2e:{uuid.uuid4().hex}",
    )
    return env


@pytest.mark.slow
def test_serve_on_embedded_defaults_runs_a_plugin_job(tmp_path: Path, plugin_dir: Path) -> None:
    port = _free_port()
    env = _base_env(tmp_path, plugin_dir, port)
    # Exactly the README's command: the default, relative data folder ./data.
    del env["TRADEWIND_DATA_DIR"]
    env["TW_TEST_CWD"] = str(tmp_path)
    log = tmp_path / "serve.log"
    server = _spawn("serve", env=env, log=log)
    try:
        health = _wait_healthy(f"http://127.0.0.1:{port}", server, log)
        assert health["database"] == {"ok": True, "backend": "sqlite"}
        assert health["redis"] == {"ok": True, "embedded": True}
        record = _run_job_to_completion(env, n=20, fail_at=7, gate=tmp_path / "go")
    finally:
        _stop(server)
    assert record["status"] == "partial"
    assert (record["total"], record["done"], record["failed"]) == (20, 19, 1)
    assert record["failed_items"] == [{"key": "7", "error": "refused on purpose"}]
    assert record["result"] == {"counted": 20}
    # Progress was visible while the job ran, not only at the end.
    assert record["seen_progress"] == [10]
    assert (tmp_path / "data" / "tradewind.db").exists()


@pytest.mark.slow
def test_serve_with_two_web_processes_shares_one_embedded_redis(
    tmp_path: Path, plugin_dir: Path
) -> None:
    port = _free_port()
    env = _base_env(tmp_path, plugin_dir, port)
    log = tmp_path / "serve.log"
    server = _spawn("serve", "--workers", "2", env=env, log=log)
    try:
        deadline = time.monotonic() + 60
        health = _wait_healthy(f"http://127.0.0.1:{port}", server, log)
        while health["workers"]["count"] < 2 and time.monotonic() < deadline:  # type: ignore[index]
            time.sleep(0.3)
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
        # Two web processes, each with its job worker, on the one Redis serve started.
        assert health["workers"] == {"ok": True, "count": 2, "in_process": True}
        assert health["redis"] == {"ok": True, "embedded": True}
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        assert sum(b"redis-server" in command for command in commands) == 1
        assert sum(b"spawn_main" in command for command in commands) == 2
        web = [
            pid for pid, command in zip(children, commands, strict=True) if b"spawn_main" in command
        ]
        # Sixteen keep-alive connections opened at once are spread over both processes (each
        # accepts on its own socket), not all taken by whichever woke first.
        held = _connections_held(port, web, count=16)
        assert all(held[pid] > 0 for pid in web), held
        record = _run_job_to_completion(env, n=10, fail_at=3, gate=tmp_path / "go")
        # A web process that dies is replaced, and the port keeps answering.
        os.kill(int(web[0]), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = _web_children(server.pid)
            if len(now) == 2 and web[0] not in now:
                break
            time.sleep(0.3)
        assert len(now) == 2 and web[0] not in now and web[1] in now, (web, now)
        _wait_healthy(f"http://127.0.0.1:{port}", server, log)
        assert "stopped with exit code -9; starting another" in log.read_text(errors="replace")
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    finally:
        _stop(server)
    assert record["status"] == "partial" and record["result"] == {"counted": 10}
    # Stopping serve stopped the Redis it started.
    assert not any(
        b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
        for pid in children
        if Path(f"/proc/{pid}").exists()
    )


@pytest.mark.slow
def test_worker_stopped_mid_job_exits_cleanly_and_the_job_runs_again(
    tmp_path: Path, plugin_dir: Path, redis_server_url: str
) -> None:
    env = _base_env(tmp_path, plugin_dir, _free_port())
    env.update(
        TRADEWIND_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}",
        TRADEWIND_REDIS_URL=redis_server_url,
    )
    upgraded = _tradewind("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    gate = tmp_path / "go"
    enqueued = _tradewind(
        "jobs", "enqueue", "e2e.count", "--payload", json.dumps({"n": 4, "gate": str(gate)}),
        env=env,
    )  # fmt: skip
    assert enqueued.returncode == 0, enqueued.stderr
    job_id = enqueued.stdout.strip()

    def record() -> dict[str, object]:
        shown = _tradewind("jobs", "show", job_id, "--json", env=env)
        assert shown.returncode == 0, shown.stderr
        return json.loads(shown.stdout)  # type: ignore[no-any-return]

    log = tmp_path / "worker.log"
    worker = _spawn("worker", env=env, log=log)
    try:
        deadline = time.monotonic() + 60
        while record()["done"] != 2:  # halfway, waiting at the gate
            assert time.monotonic() < deadline and worker.poll() is None, log.read_text()
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, log.read_text(errors="replace")
    finally:
        if worker.poll() is None:
            _stop(worker)
    assert "Traceback" not in log.read_text(errors="replace")
    # The interrupted attempt goes back to the queue; the next worker finishes the job.
    gate.touch()
    again = _spawn("worker", env=env, log=tmp_path / "worker2.log")
    try:
        deadline = time.monotonic() + 60
        while record()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, (tmp_path / "worker2.log").read_text()
            time.sleep(0.2)
    finally:
        _stop(again)
    assert record()["status"] == "succeeded"


def _web_children(parent: int) -> list[str]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _connections_held(port: int, pids: list[str], count: int) -> dict[str, int]:
    """Open ``count`` connections at once, send a request on each; which process holds each."""
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    try:
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for client in clients:
            assert client.recv(65536).startswith(b"HTTP/1.1 ")
        # The server's end of each connection: its socket inode, by /proc/net/tcp.
        ours = {client.getsockname()[1] for client in clients}
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            remote_port = int(fields[2].split(":")[1], 16)
            if local_port == port and remote_port in ours:
                inodes.add(f"socket:[{fields[9]}]")
        assert len(inodes) == count
        held = {}
        for pid in pids:
            links = []
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    links.append(os.readlink(fd))
            held[pid] = sum(link in inodes for link in links)
        assert sum(held.values()) == count, held
        return held
    finally:
        for client in clients:
            client.close()


@pytest.mark.slow
def test_serve_with_several_processes_refuses_a_port_in_use(
    tmp_path: Path, plugin_dir: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = _base_env(tmp_path, plugin_dir, port)
        done = _tradewind("serve", "--workers", "2", "--host", "127.0.0.1", env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    # Nothing was left behind: no web process, no embedded Redis of this data directory.
    left = [
        path.parent.name
        for path in Path("/proc").glob("[0-9]*/cmdline")
        if str(tmp_path).encode() in _read_or_empty(path)
    ]
    assert left == []


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended meanwhile
        return b""


def _fresh_postgres(server_url: str) -> Iterator[str]:
    name = f"tw_e2e_{uuid.uuid4().hex[:10]}"
    admin = make_url(server_url).set(drivername="postgresql+asyncpg")

    async def run(statement: str) -> None:
        engine = create_engine(
            admin.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
        )
        async with engine.connect() as conn:
            await conn.execute(text(statement))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_database() -> Iterator[str]:
    server = os.environ.get("TRADEWIND_TEST_DATABASE_URL")
    if not server or not server.startswith("postgres"):
        pytest.skip(reason="needs TRADEWIND_TEST_DATABASE_URL=postgresql://… (CI's 2nd run)")
    yield from _fresh_postgres(server)


@pytest.fixture
def external_redis() -> str:
    url = os.environ.get("TRADEWIND_TEST_REDIS_URL")
    if not url:
        pytest.skip(reason="needs TRADEWIND_TEST_REDIS_URL (CI's second run)")
    return url


@pytest.mark.slow
def test_serve_and_separate_worker_on_postgres_and_redis(
    tmp_path: Path, plugin_dir: Path, postgres_database: str, external_redis: str
) -> None:
    port = _free_port()
    env = _base_env(tmp_path, plugin_dir, port)
    env.update(TRADEWIND_DATABASE_URL=postgres_database, TRADEWIND_REDIS_URL=external_redis)

    refused = _tradewind("serve", env=env, timeout=60)
    assert refused.returncode == 2
    assert "tradewind db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr

    upgraded = _tradewind("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr

    server = _spawn("serve", env=env, log=tmp_path / "serve.log")
    worker = None
    try:
        # Without a worker, the web process is up but not healthy.
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert answer.status_code == 503
        assert answer.json()["workers"]["count"] == 0
        worker = _spawn("worker", env=env, log=tmp_path / "worker.log")
        health = _wait_healthy(f"http://127.0.0.1:{port}", server, tmp_path / "serve.log")
        assert health["database"] == {"ok": True, "backend": "postgresql"}
        assert health["redis"] == {"ok": True, "embedded": False}
        record = _run_job_to_completion(env, n=10, fail_at=-1, gate=tmp_path / "go")
    finally:
        if worker is not None:
            _stop(worker)
        _stop(server)
    assert record["status"] == "succeeded"
    assert record["seen_progress"] == [5]
    assert (record["total"], record["done"], record["failed"]) == (10, 10, 0)
