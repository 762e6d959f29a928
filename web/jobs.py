"""The jobs page and the reusable progress component (``_job_progress.html``).

Any page can show a batch's live progress: pass a :class:`~web.job_records.JobView` as
``job`` (and its failed items as ``failed_items``) and ``{% include "_job_progress.html" %}``.
While the job runs, htmx polls ``/jobs/<id>/progress`` every second and swaps the component;
the "retry failed" and "cancel" buttons post with htmx and get the component back (without
JavaScript they post normally and land on the job's page).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.actor import Actor
from core.runtime import Runtime
from web.i18n import gettext
from web.job_records import (
    ItemView,
    JobView,
    cancel_job,
    get_job,
    job_items,
    list_jobs,
    retry_failed,
)
from web.layout import Crumb, flash, redirect, render

STATUS_TONES = {
    "queued": "neutral",
    "running": "info",
    "succeeded": "ok",
    "partial": "warn",
    "failed": "bad",
    "cancelled": "neutral",
}
FILTERS = ("", "active", "failed", "partial", "succeeded")
FAILED_ITEMS_SHOWN = 20


async def progress_context(runtime: Runtime, actor: Actor, job_id: int) -> dict[str, Any]:
    """What ``_job_progress.html`` needs for one job."""
    job = await get_job(runtime.sessions, actor, job_id)
    failed = (
        await job_items(runtime.sessions, actor, job_id, only_failed=True, limit=FAILED_ITEMS_SHOWN)
        if job.failed
        else []
    )
    return {"job": job, "failed_items": failed, "job_tones": STATUS_TONES}


class JobPagesController(Controller):
    """``/jobs``: every batch with its progress; one job with its items."""

    path = "/jobs"
    include_in_schema = False

    @get("/")
    async def jobs_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        status: FromQuery[str] = "",
    ) -> Template:
        """The newest jobs, filtered by status."""
        wanted = status if status in FILTERS else ""
        jobs = await list_jobs(runtime.sessions, actor, status=wanted or None)
        context = {"jobs": jobs, "status": wanted, "filters": FILTERS, "job_tones": STATUS_TONES}
        return render(request, "jobs/list.html", context, title=gettext("Jobs"))

    @get("/{job_id:int}")
    async def job_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> Template:
        """One job: live progress and every item."""
        context = await progress_context(runtime, actor, job_id)
        context["items"] = await job_items(runtime.sessions, actor, job_id)
        job: JobView = context["job"]
        crumbs = [Crumb(gettext("Jobs"), "/jobs"), Crumb(job.title)]
        return render(request, "jobs/detail.html", context, title=job.title, crumbs=crumbs)

    @get("/{job_id:int}/progress")
    async def job_progress(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> Template:
        """The progress component alone (polled by htmx while the job runs)."""
        context = await progress_context(runtime, actor, job_id)
        return Template(template_name="_job_progress.html", context=context)

    async def _after_action(
        self, request: Request[Any, Any, Any], runtime: Runtime, actor: Actor, job_id: int
    ) -> Template | Redirect:
        if getattr(request, "htmx", None):
            context = await progress_context(runtime, actor, job_id)
            return Template(template_name="_job_progress.html", context=context)
        return redirect(f"/jobs/{job_id}")

    @post("/{job_id:int}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> Template | Redirect:
        """Ask the job to stop."""
        await cancel_job(runtime, actor, job_id)
        flash(request, gettext("The job is asked to stop; it stops after the current item."))
        return await self._after_action(request, runtime, actor, job_id)

    @post("/{job_id:int}/retry")
    async def retry(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> Template | Redirect:
        """Run the failed items again."""
        await retry_failed(runtime, actor, job_id)
        flash(request, gettext("The failed items are queued again."))
        return await self._after_action(request, runtime, actor, job_id)


class JobApiController(Controller):
    """``/api/v1/jobs``: the JSON twin of the jobs page."""

    path = "/api/v1/jobs"
    tags = ["jobs"]

    @get("/", summary="The newest jobs you may see")
    async def list_jobs_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        status: FromQuery[str] = "",
        limit: FromQuery[int] = 50,
    ) -> list[dict[str, Any]]:
        """Jobs with their counts (``status``: a job status, or ``active``); no results."""
        jobs = await list_jobs(runtime.sessions, actor, status=status or None, limit=limit)
        return [_job_out(job, with_result=False) for job in jobs]

    @get("/{job_id:int}", summary="One job and its counts")
    async def get_job_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> dict[str, Any]:
        """One job, with its result (e.g. an import's counts and problems)."""
        return _job_out(await get_job(runtime.sessions, actor, job_id))

    @get("/{job_id:int}/items", summary="A job's items, failed ones first")
    async def job_items_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
        only_failed: FromQuery[bool] = False,
    ) -> list[ItemView]:
        """The items of a batch with their results and errors."""
        return await job_items(runtime.sessions, actor, job_id, only_failed=only_failed)

    @post("/{job_id:int}/cancel", summary="Ask a job to stop", status_code=200)
    async def cancel_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> dict[str, Any]:
        """Set the job's cancel flag."""
        return _job_out(await cancel_job(runtime, actor, job_id))

    @post("/{job_id:int}/retry", summary="Run a job's failed items again", status_code=200)
    async def retry_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job_id: FromPath[int],
    ) -> dict[str, Any]:
        """Re-enqueue the failed items."""
        return _job_out(await retry_failed(runtime, actor, job_id))


def _job_out(job: JobView, *, with_result: bool = True) -> dict[str, Any]:
    """A job as JSON; lists leave the (possibly large) ``result`` out."""
    out = {**asdict(job), "finished": job.finished}
    if not with_result:
        del out["result"]
    return out
