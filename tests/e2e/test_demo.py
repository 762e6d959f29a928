"""``tradewind demo`` as a real process: it serves, the demo account has data; a restart adds
nothing."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import httpx

EMAIL = "demo@tradewind.local"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo(data_dir: Path, port: int) -> Iterator[tuple[str, str, list[str]]]:
    """Run ``tradewind demo``; yield its URL, the printed password and its output lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")}
    env["TRADEWIND_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "core.cli", "demo", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: Queue[str] = Queue()
    seen: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        password = None
        while password is None:
            try:
                line = lines.get(timeout=180)
            except Empty as exc:
                raise AssertionError("the demo printed nothing:\n" + "".join(seen)) from exc
            seen.append(line)
            assert process.poll() is None or not lines.empty(), "".join(seen)
            found = re.search(rf"Sign in as {re.escape(EMAIL)} with password (\S+)", line)
            if found:
                password = found.group(1)
        url = next(m.group(1) for s in seen if (m := re.search(r"demo on (http\S+)", s)))
        yield url, password, seen
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def counts(url: str, password: str) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/signin")
        signed_in = client.post(
            "/signin",
            data={"email": EMAIL, "password": password, "_csrf_token": client.cookies["tw_csrf"]},
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        products = client.get("/api/v1/products").json()["counts"]
        orders = client.get("/api/v1/orders").json()
        stores = client.get("/api/v1/stores").json()
    return {"products": products, "orders": orders["total"], "stores": len(stores)}


def test_demo_serves_a_seeded_account_and_a_restart_adds_nothing(tmp_path: Path) -> None:
    port = _free_port()
    with demo(tmp_path, port) as (url, password, output):
        assert any("Demo data created." in line for line in output)
        first = counts(url, password)
    assert first["stores"] == 1 and first["orders"] >= 10
    products = first["products"]
    assert products["collection_box"] >= 20 and products["draft"] >= 5
    assert products["published"] >= 5 and products["delisted"] >= 1
    assert products["publish_failed"] == 1

    with demo(tmp_path, port) as (url, again, output):
        assert any("Demo account found" in line for line in output)
        assert again == password
        assert counts(url, password) == first
