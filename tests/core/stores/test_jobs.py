"""The store jobs, run with a job context like the worker gives them."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from core.interfaces.jobs import CronDefinition, JobDefinition
from core.registry import Registry
from core.stores.jobs import (
    FIND_DUE_JOB,
    REFRESH_JOB,
    refresh_credentials_job,
    refresh_due_job,
    register_store_jobs,
)
from tests.core.stores.conftest import authorize


@dataclass
class RecordingContext:
    """A job context over the real database and HTTP client; enqueued jobs are recorded."""

    settings: Any
    sessions: Any
    http: Any
    registry: Any
    job_id: int = 1
    account_id: int | None = None
    attempt: int = 1
    enqueued: list[tuple[str, dict, dict]] = field(default_factory=list)

    async def enqueue(self, name, payload=None, **options) -> int:
        self.enqueued.append((name, payload or {}, options))
        return len(self.enqueued)


async def test_the_schedule_enqueues_one_refresh_per_due_store_and_the_refresh_runs(
    settings, sessions, http, auth_deps, seller, oauth_state, test_market
) -> None:
    oauth_state.access_lifetime = timedelta(days=1)
    oauth_state.add_shop("due", "Due shop")
    due = (await authorize(auth_deps, seller, http, "due")).store.id
    oauth_state.access_lifetime = timedelta(days=30)
    oauth_state.add_shop("fresh", "Fresh shop")
    await authorize(auth_deps, seller, http, "fresh")

    ctx = RecordingContext(
        settings, sessions, http, Registry(marketplaces={"testmarket": test_market})
    )
    assert await refresh_due_job(ctx, {}) == {"enqueued": 1}
    ((name, payload, options),) = ctx.enqueued
    assert (name, payload) == (REFRESH_JOB, {"store_id": due})
    assert options["account_id"] == seller.account_id
    assert options["dedup_key"] == f"{REFRESH_JOB}:{due}"

    result = await refresh_credentials_job(ctx, payload)
    assert result == {"store_id": due, "outcome": "refreshed"}
    assert oauth_state.refresh_calls == {"due": 1}


def test_the_jobs_register_through_a_register_jobs_hook() -> None:
    registered: list[Any] = []
    register_store_jobs(registered.append)
    names = {d.name for d in registered if isinstance(d, JobDefinition)}
    assert names == {REFRESH_JOB, FIND_DUE_JOB}
    (cron,) = [d for d in registered if isinstance(d, CronDefinition)]
    assert cron.job == FIND_DUE_JOB


def test_the_registry_accepts_them_from_a_plugin(settings) -> None:
    from core import hookimpl
    from core.plugins import make_plugin_manager
    from core.registry import build_registry

    class StoreJobsPlugin:
        @hookimpl
        def register_jobs(self, register):
            register_store_jobs(register)

    pm = make_plugin_manager(settings, plugins={"storejobs": StoreJobsPlugin()}, discover=False)
    registry = build_registry(settings, pm)
    assert {REFRESH_JOB, FIND_DUE_JOB} <= set(registry.jobs)
    assert registry.crons["stores.refresh_due_hourly"].job == FIND_DUE_JOB
