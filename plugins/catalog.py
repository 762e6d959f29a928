"""Built-in plugin ``catalog``: the product batch jobs.

Claim, publish, push updates, delist, relist, delete, batch edit and spreadsheet import.

The job functions live in :mod:`core.catalog.jobs`; this plugin only hands them to the job
system through the same ``register_jobs`` hook a third-party plugin uses.
"""

from __future__ import annotations

from collections.abc import Callable

from core import hookimpl
from core.catalog.jobs import register_catalog_jobs
from core.interfaces.jobs import JobDefinition


@hookimpl
def register_jobs(register: Callable[[JobDefinition], None]) -> None:
    """Register every catalog batch job."""
    register_catalog_jobs(register)
