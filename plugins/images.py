"""Built-in plugin ``images``: the image space's background jobs.

``images.upload_batch``, ``images.import_zip``, ``images.fetch_urls`` and
``images.capture_product_images`` (see :mod:`core.images.jobs`); the image-space service
enqueues them with ``ImageSpace.start_*``.
"""

from __future__ import annotations

from collections.abc import Callable

from core import hookimpl
from core.images.jobs import definitions
from core.interfaces.jobs import CronDefinition, JobDefinition


@hookimpl
def register_jobs(register: Callable[[JobDefinition | CronDefinition], None]) -> None:
    """Register the image-space jobs."""
    for definition in definitions():
        register(definition)
