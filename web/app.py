"""The composition root: :func:`create_app` builds the Litestar application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from core import __version__
from core.config import Settings, load_settings
from core.registry import Registry
from core.runtime import Runtime, open_runtime
from web.api_categories import CategoryApiController
from web.api_images import ImageApiController
from web.api_orders import OrderApiController
from web.api_products import ProductApiController
from web.auth import AuthController
from web.categories import CategoryPagesController
from web.errors import exception_handlers
from web.health import HealthController
from web.i18n import LocaleMiddleware, localize_json_answer
from web.images import ImagePagesController
from web.images_public import PublicImagesController
from web.jobs import JobApiController, JobPagesController
from web.pages import HomeController
from web.people import PeopleApiController, PeoplePagesController
from web.product_batch_edit import BatchEditController
from web.product_editor import ProductEditorController
from web.product_import import ProductImportController
from web.products import ProductListController
from web.profile import MeApiController, ProfileController
from web.security import (
    PUBLIC,
    TokenAwareCSRFMiddleware,
    csrf_config,
    provide_actor,
    provide_runtime,
    provide_user,
    require_signed_in,
    session_config,
)
from web.stores import StoreApiController, StorePagesController
from web.templating import make_environment
from web.tokens import TokenApiController, TokenPagesController

STATIC_DIR = Path(__file__).parent / "static"

WorkerStarter = Callable[[Runtime], AbstractAsyncContextManager[object]]

ROUTE_HANDLERS: list[Any] = [
    HealthController,
    AuthController,
    HomeController,
    ProfileController,
    MeApiController,
    PeoplePagesController,
    PeopleApiController,
    TokenPagesController,
    TokenApiController,
    StorePagesController,
    StoreApiController,
    JobPagesController,
    JobApiController,
    PublicImagesController,
    ProductApiController,
    CategoryApiController,
    OrderApiController,
    ProductListController,
    ProductEditorController,
    BatchEditController,
    ProductImportController,
    CategoryPagesController,
    ImagePagesController,
    ImageApiController,
]
"""The built-in controllers, one module per area (plugins' routes are added after them)."""


def create_app(
    settings: Settings | None = None,
    *,
    registry: Registry | None = None,
    worker_starter: WorkerStarter | None = None,
    freeze_startup_objects: bool = False,
) -> Litestar:
    """Build the application.

    Every route needs a signed-in user unless its handler (or controller, or router) has
    ``opt={"public": True}``; see :mod:`web.security`.

    Args:
        settings: the configuration (default: loaded from file and environment).
        registry: the plugin registry (default: built from the configured plugins).
        worker_starter: opens an in-process job worker for the runtime; used when the
            settings ask for one (always with the embedded Redis).
        freeze_startup_objects: once started, move every object made so far (modules,
            templates, catalogs, mappings) out of the garbage collector's sight
            (``gc.freeze``): a full collection then walks only what requests made, instead
            of pausing every request in flight for tens of milliseconds now and then. For a
            serving process; tests build many apps in one process and leave it off.
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
            if freeze_startup_objects:
                gc.collect()
                gc.freeze()
            yield

    plugin_handlers: Sequence[Any] = list(registry.routes)
    sessions = session_config(settings)
    return Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            create_static_files_router(path="/static", directories=[STATIC_DIR], opt=PUBLIC),
            *plugin_handlers,
        ],
        lifespan=[lifespan],
        plugins=[HTMXPlugin()],
        request_class=HTMXRequest,
        middleware=[
            sessions.middleware,
            DefineMiddleware(TokenAwareCSRFMiddleware, config=csrf_config(settings)),
            DefineMiddleware(LocaleMiddleware, default_locale=settings.default_locale),
        ],
        guards=[require_signed_in],
        after_request=localize_json_answer,
        dependencies={
            "actor": Provide(provide_actor),
            "user": Provide(provide_user),
            "runtime": Provide(provide_runtime),
        },
        exception_handlers=exception_handlers(),
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        openapi_config=OpenAPIConfig(
            title="Tradewind",
            version=__version__,
            use_handler_docstrings=True,
            openapi_router=Router(path="/schema", route_handlers=[], opt=PUBLIC),
        ),
        debug=False,
    )
