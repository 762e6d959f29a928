"""The composition root: :func:`create_app` builds the Litestar application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from core import __version__
from core.config import Settings, load_settings
from core.registry import Registry
from core.runtime import Runtime, open_runtime
from web.health import HealthController
from web.images_public import PublicImagesController
from web.pages import HomeController
from web.templating import make_environment

STATIC_DIR = Path(__file__).parent / "static"

WorkerStarter = Callable[[Runtime], AbstractAsyncContextManager[object]]


def create_app(
    settings: Settings | None = None,
    *,
    registry: Registry | None = None,
    worker_starter: WorkerStarter | None = None,
) -> Litestar:
    """Build the application.

    Args:
        settings: the configuration (default: loaded from file and environment).
        registry: the plugin registry (default: built from the configured plugins).
        worker_starter: opens an in-process job worker for the runtime; used when the
            settings ask for one (always with the embedded Redis).
    """
    settings = settings or load_settings()
    if registry is None:
        from core.registry import build_registry

        registry = build_registry(settings)
    environment = make_environment(
        plugin_dirs=list(registry.template_dirs), override_dir=settings.templates_dir
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            runtime = await stack.enter_async_context(open_runtime(settings, registry))
            app.state.runtime = runtime
            if settings.runs_in_process_worker and worker_starter is not None:
                await stack.enter_async_context(worker_starter(runtime))
            yield

    plugin_handlers: Sequence[Any] = list(registry.routes)
    return Litestar(
        route_handlers=[
            HealthController,
            HomeController,
            PublicImagesController,
            create_static_files_router(path="/static", directories=[STATIC_DIR]),
            *plugin_handlers,
        ],
        lifespan=[lifespan],
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        openapi_config=OpenAPIConfig(
            title="Tradewind", version=__version__, path="/schema", use_handler_docstrings=True
        ),
        debug=False,
    )
