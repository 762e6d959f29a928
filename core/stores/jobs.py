"""The store jobs: refresh one store's credentials, and the schedule that finds due stores.

Registered as core jobs through the plugin mechanism: a built-in plugin's ``register_jobs``
hook calls :func:`register_store_jobs` (the job queue module wires it in), e.g.::

    @hookimpl
    def register_jobs(register):
        register_store_jobs(register)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.crypto import CredentialCipher
from core.interfaces.jobs import CronDefinition, JobContext, JobDefinition
from core.stores.refresh import RefreshDeps, refresh_store_credentials, stores_due_for_refresh

REFRESH_JOB = "stores.refresh_credentials"
FIND_DUE_JOB = "stores.refresh_due"


def deps_from_job(ctx: JobContext) -> RefreshDeps:
    """The refresh dependencies out of a job's context."""
    return RefreshDeps(
        sessions=ctx.sessions,
        marketplaces=ctx.registry.marketplaces,
        http=ctx.http,
        cipher=CredentialCipher.from_settings(ctx.settings),
    )


async def refresh_credentials_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Job ``stores.refresh_credentials``: payload ``{"store_id": int, "force": bool}``."""
    outcome = await refresh_store_credentials(
        deps_from_job(ctx), int(payload["store_id"]), force=bool(payload.get("force", False))
    )
    return {"store_id": payload["store_id"], "outcome": outcome.value}


async def refresh_due_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Job ``stores.refresh_due``: enqueue one refresh per store whose credentials are due.

    The dedup key keeps one queued refresh per store; a refresh that finds another worker at
    work (or nothing due) ends without calling the platform.
    """
    due = await stores_due_for_refresh(ctx.sessions)
    for store_id, account_id in due:
        await ctx.enqueue(
            REFRESH_JOB,
            {"store_id": store_id},
            account_id=account_id,
            dedup_key=f"{REFRESH_JOB}:{store_id}",
            title="Refresh store credentials",
        )
    return {"enqueued": len(due)}


STORE_JOBS = (
    JobDefinition(REFRESH_JOB, refresh_credentials_job, title="Refresh store credentials"),
    JobDefinition(FIND_DUE_JOB, refresh_due_job, title="Find stores whose credentials expire"),
)
STORE_CRONS = (CronDefinition("stores.refresh_due_hourly", FIND_DUE_JOB, minute=17),)


def register_store_jobs(register: Callable[[Any], None]) -> None:
    """Hand the store jobs and their schedule to a ``register_jobs`` hook's ``register``."""
    for definition in (*STORE_JOBS, *STORE_CRONS):
        register(definition)
