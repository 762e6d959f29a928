"""Pages that belong to no single area."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template


class HomeController(Controller):
    """The landing page."""

    path = "/"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        """Render the landing page."""
        return Template(template_name="home.html", context={})
