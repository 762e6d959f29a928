"""Pages that belong to no single area: the dashboard."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from core.actor import Actor
from core.runtime import Runtime
from core.stores.service import store_summary
from web.i18n import gettext
from web.job_records import job_counts
from web.layout import render


class HomeController(Controller):
    """The dashboard: what needs attention, and where to start."""

    path = "/"
    include_in_schema = False

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """Render the dashboard."""
        stores = await store_summary(runtime.sessions, actor)
        jobs = await job_counts(runtime.sessions, actor)
        context = {"stores": stores, "jobs": jobs}
        return render(request, "dashboard.html", context, title=gettext("Dashboard"), crumbs=[])
