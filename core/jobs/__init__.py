"""Background jobs: the queue, workers, cron schedules and job records (arq lives only here).

Public API:

- :class:`JobQueue` — ``enqueue``, ``get``, ``recent``, ``items``, ``cancel``, ``retry_failed``.
- :class:`InProcessWorker` — a worker inside ``tradewind serve``; :func:`run_worker` — the
  standalone ``tradewind worker``; :func:`create_worker` — an arq worker for tests and tools.
- :func:`sweep_stuck_jobs`, :func:`purge_finished_jobs` — self-healing and cleanup, run by
  the built-in housekeeping plugin.
- :exc:`UnknownJob` — enqueueing a name no plugin registered.
"""

from core.jobs.backoff import retry_delay
from core.jobs.queue import JobQueue, UnknownJob
from core.jobs.recovery import purge_finished_jobs, sweep_stuck_jobs
from core.jobs.worker import InProcessWorker, create_worker, run_burst, run_worker

__all__ = [
    "InProcessWorker",
    "JobQueue",
    "UnknownJob",
    "create_worker",
    "purge_finished_jobs",
    "retry_delay",
    "run_burst",
    "run_worker",
    "sweep_stuck_jobs",
]
