"""The jobs page, the live progress component, and their JSON twins."""

from __future__ import annotations

from core.models import ItemStatus, JobItem, JobRecord, JobStatus, utcnow
from tests.web.helpers import runtime_of, send_json


async def add_job(app, account_id: int, user_id: int | None, **fields) -> int:
    values = {
        "name": "wish.publish",
        "title": "Publish 10 products",
        "total": 10,
        "done": 3,
        "failed": 1,
        "status": JobStatus.RUNNING,
        "started_at": utcnow(),
        **fields,
    }
    async with runtime_of(app).sessions() as session, session.begin():
        job = JobRecord(account_id=account_id, user_id=user_id, **values)
        session.add(job)
        await session.flush()
        session.add_all(
            [
                JobItem(job_id=job.id, key="P-1", label="Red mug", status=ItemStatus.DONE),
                JobItem(
                    job_id=job.id,
                    key="P-2",
                    label="Blue mug",
                    status=ItemStatus.FAILED,
                    error="title too long (max 100)",
                ),
            ]
        )
        return job.id


async def test_a_running_job_polls_itself_and_shows_its_counts(app, owner) -> None:
    job_id = await add_job(app, owner.account_id, owner.user_id)
    listing = await owner.get("/jobs")
    assert "Publish 10 products" in listing.text and f'href="/jobs/{job_id}"' in listing.text

    page = (await owner.get(f"/jobs/{job_id}")).text
    assert f'hx-get="/jobs/{job_id}/progress" hx-trigger="every 1s"' in page
    assert "运行中" in page and "title too long (max 100)" in page
    assert 'aria-valuenow="4"' in page and "30%" in page

    partial = await owner.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<section")  # the component alone, no layout
    assert 'hx-trigger="every 1s"' in partial.text
    assert "取消" in partial.text and "重试失败" not in partial.text


async def test_a_finished_job_stops_polling_and_offers_retry(app, owner) -> None:
    job_id = await add_job(
        app, owner.account_id, owner.user_id, status=JobStatus.PARTIAL, done=9, finished_at=utcnow()
    )
    partial = (await owner.get(f"/jobs/{job_id}/progress")).text
    assert "hx-trigger" not in partial
    assert "重试失败项" in partial and "Blue mug" in partial
    # No loaded plugin registers "wish.publish" in this app: the refusal says so.
    retried = await owner.post(f"/jobs/{job_id}/retry")
    assert retried.status_code == 400
    assert "wish.publish" in retried.text
    refused = await owner.post(f"/jobs/{job_id}/cancel")
    assert refused.status_code == 409


async def test_cancel_with_htmx_answers_the_component(app, owner) -> None:
    job_id = await add_job(app, owner.account_id, owner.user_id)
    answer = await send_json(owner.client, "POST", f"/jobs/{job_id}/cancel")
    assert answer.status_code == 303  # without htmx: back to the job's page
    job_id = await add_job(app, owner.account_id, owner.user_id)
    token = owner.client.cookies["tw_csrf"]
    answer = await owner.client.post(
        f"/jobs/{job_id}/cancel", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<section") and "正在停止" in answer.text
    body = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert body["cancel_requested"] is True and body["finished"] is False


async def test_staff_see_their_own_jobs_and_others_see_nothing(
    app, owner, signed_in_client
) -> None:
    mine = await add_job(app, owner.account_id, owner.user_id)
    system = await add_job(app, None, None, title="housekeeping")
    stranger = await signed_in_client(account_name="Other")
    assert (await stranger.get(f"/jobs/{mine}")).status_code == 404
    assert (await stranger.get(f"/api/v1/jobs/{mine}/items")).status_code == 404
    assert (await stranger.get("/api/v1/jobs")).json() == []
    assert (await owner.get(f"/jobs/{system}")).status_code == 404

    items = (await owner.get(f"/api/v1/jobs/{mine}/items?only_failed=true")).json()
    assert [i["key"] for i in items] == ["P-2"]
    active = (await owner.get("/api/v1/jobs?status=active")).json()
    assert [j["id"] for j in active] == [mine]


async def test_the_dashboard_counts_jobs(app, owner) -> None:
    await add_job(app, owner.account_id, owner.user_id)
    await add_job(app, owner.account_id, owner.user_id, status=JobStatus.FAILED)
    page = (await owner.get("/")).text
    assert "运行中的任务" in page
