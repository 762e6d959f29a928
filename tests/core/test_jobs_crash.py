"""A worker process killed mid-job: another worker finishes the job, exactly once.

Real processes: the worker runs ``core.jobs.run_worker`` in a child Python (the script below,
which registers its own job), gets SIGKILLed while the job blocks, and a second child takes
the job over once arq's in-progress lease of the dead worker expires.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from core.interfaces.jobs import JobDefinition
from core.models import JobStatus
from tests.core.jobs_helpers import load, open_queue, registry_of, wait_for

WORKER_SCRIPT = textwrap.dedent(
    """
    import asyncio
    import logging
    import os
    import sys
    from pathlib import Path

    from core.config import load_settings
    from core.interfaces.jobs import JobDefinition
    from core.jobs import run_worker
    from core.registry import Registry

    marks = Path(sys.argv[1])


    async def blocking_job(ctx, payload):
        if ctx.attempt == 1:
            (marks / "started").write_text(str(os.getpid()))
            await asyncio.sleep(3600)  # killed here
        await ctx.set_total(1)
        await ctx.item_done("the-only-item")
        with open(marks / "completions", "a") as handle:
            handle.write(f"{ctx.job_id} {os.getpid()}\\n")
        return {"finished_by": os.getpid(), "attempt": ctx.attempt}


    logging.basicConfig(level=logging.INFO, format="%(process)d %(name)s: %(message)s")
    settings = load_settings()
    registry = Registry(
        jobs={"test.block": JobDefinition(name="test.block", func=blocking_job, timeout=3)}
    )
    run_worker(settings, registry, concurrency=2)
    """
)


def _start_worker(script: Path, marks: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(script), str(marks)],
            cwd=marks,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.slow
async def test_killed_worker_job_is_finished_once_by_another(
    settings, sessions, database_url, redis_server_url, tmp_path
) -> None:
    script = tmp_path / "worker_script.py"
    script.write_text(WORKER_SCRIPT)
    marks = tmp_path / "marks"
    marks.mkdir()
    log = tmp_path / "workers.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")},
        "TRADEWIND_DATABASE_URL": database_url,
        "TRADEWIND_REDIS_URL": redis_server_url,
        "TRADEWIND_QUEUE_NAME": settings.queue_name,
        "TRADEWIND_DATA_DIR": str(tmp_path / "data"),
        "TRADEWIND_JOB_TIMEOUT": "3",
        "TRADEWIND_LOG_LEVEL": "INFO",
    }

    async def unused(ctx: Any, payload: dict[str, Any]) -> None:
        raise AssertionError("runs only in the worker processes")

    registry = registry_of(JobDefinition(name="test.block", func=unused))
    first = second = None
    try:
        async with open_queue(settings, registry, sessions) as queue:
            job_id = await queue.enqueue("test.block")
            first = _start_worker(script, marks, env, log)

            async def first_started() -> bool:
                assert first is not None and first.poll() is None, log.read_text()
                return (marks / "started").exists()

            await wait_for(first_started, what="the first worker to start the job")
            first.send_signal(signal.SIGKILL)
            first.wait()
            record = await load(sessions, job_id)
            assert record.status == JobStatus.RUNNING
            assert record.attempts == 1

            second = _start_worker(script, marks, env, log)

            async def finished() -> bool:
                assert second is not None and second.poll() is None, log.read_text()
                return (await load(sessions, job_id)).status not in (
                    JobStatus.QUEUED,
                    JobStatus.RUNNING,
                )

            await wait_for(finished, what="the second worker to finish the job", deadline=120)
            # Give a duplicate run the chance to show up before looking.
            await asyncio.sleep(1)
            assert not await queue.message_exists(record.queue_job_id or "")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)

    record = await load(sessions, job_id)
    assert record.status == JobStatus.SUCCEEDED, log.read_text()
    assert record.attempts == 2
    assert (record.total, record.done, record.failed) == (1, 1, 0)
    assert first is not None and second is not None
    assert record.result == {"finished_by": second.pid, "attempt": 2}
    assert (marks / "completions").read_text().splitlines() == [f"{job_id} {second.pid}"]
    assert second.returncode == 0, log.read_text()
