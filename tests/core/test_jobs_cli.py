"""``tradewind worker`` refuses to start without a shared Redis."""

from __future__ import annotations

import os
import subprocess
import sys


def test_worker_without_redis_url_exits_2_with_one_line(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")}
    env["TRADEWIND_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", "from core.cli import main; main()", "worker", "--concurrency", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert "standalone workers need TRADEWIND_REDIS_URL" in lines[0]
    assert "embedded Redis belongs to `tradewind serve`" in lines[0]


def test_worker_rejects_a_bad_concurrency(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")}
    done = subprocess.run(
        [sys.executable, "-c", "from core.cli import main; main()", "worker", "--concurrency", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--concurrency" in done.stderr
