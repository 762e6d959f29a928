"""Built-in plugin ``images``: the image space's background jobs.

``images.upload_batch``, ``images.import_zip``, ``images.fetch_urls`` and
``images.capture_product_images`` (see :mod:`core.images.jobs`); the image-space service
enqueues them with ``ImageSpace.start_*``. Registering them imports nothing heavy: every
process loads this plugin (the CLI too), and the image space is loaded when a job runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core import hookimpl
from core.images.job_names import (
    JOB_CAPTURE_PRODUCT_IMAGES,
    JOB_FETCH_URLS,
    JOB_IMPORT_ZIP,
    JOB_TITLES,
    JOB_UPLOAD_BATCH,
)
from core.interfaces.jobs import CronDefinition, JobContext, JobDefinition


async def upload_batch(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`core.images.jobs.upload_batch`."""
    from core.images import jobs

    return await jobs.upload_batch(ctx, payload)


async def import_zip(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`core.images.jobs.import_zip`."""
    from core.images import jobs

    return await jobs.import_zip(ctx, payload)


async def fetch_urls(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`core.images.jobs.fetch_urls`."""
    from core.images import jobs

    return await jobs.fetch_urls(ctx, payload)


async def capture_product_images(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`core.images.jobs.capture_product_images`."""
    from core.images import jobs

    return await jobs.capture_product_images(ctx, payload)


def definitions() -> list[JobDefinition]:
    """The image space's job definitions."""
    functions = {
        JOB_UPLOAD_BATCH: upload_batch,
        JOB_IMPORT_ZIP: import_zip,
        JOB_FETCH_URLS: fetch_urls,
        JOB_CAPTURE_PRODUCT_IMAGES: capture_product_images,
    }
    return [JobDefinition(name, func, title=JOB_TITLES[name]) for name, func in functions.items()]


@hookimpl
def register_jobs(register: Callable[[JobDefinition | CronDefinition], None]) -> None:
    """Register the image-space jobs."""
    for definition in definitions():
        register(definition)
