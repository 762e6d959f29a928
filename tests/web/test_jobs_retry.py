"""Retrying a job's failed items from the jobs page's JSON twin, through the real queue."""

from __future__ import annotations

import pytest

from core.interfaces.jobs import JobDefinition
from core.models import JobStatus, utcnow
from core.registry import Registry
from tests.web.helpers import send_json
from tests.web.test_jobs_pages import add_job


@pytest.fixture
def registry() -> Registry:
    async def noop(ctx, payload):
        return None

    return Registry(jobs={"wish.publish": JobDefinition("wish.publish", noop)})


async def test_retry_failed_requeues_only_the_failed_items(app, owner) -> None:
    job_id = await add_job(
        app, owner.account_id, owner.user_id, status=JobStatus.PARTIAL, done=9, finished_at=utcnow()
    )
    answer = await send_json(owner.client, "POST", f"/api/v1/jobs/{job_id}/retry")
    assert answer.status_code in (200, 201), answer.text
    body = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert body["status"] == "queued" and body["finished"] is False
    items = (await owner.get(f"/api/v1/jobs/{job_id}/items")).json()
    assert {item["key"]: item["status"] for item in items} == {"P-1": "done", "P-2": "pending"}
