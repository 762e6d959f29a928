"""Built-in plugin ``orders``: the order jobs (declare an order shipped with tracking).

The job functions live in :mod:`core.orders.fulfilment`; this plugin hands them to the job
system through the ``register_jobs`` hook.
"""

from __future__ import annotations

from collections.abc import Callable

from core import hookimpl
from core.interfaces.jobs import JobDefinition
from core.orders.fulfilment import ORDER_JOBS


@hookimpl
def register_jobs(register: Callable[[JobDefinition], None]) -> None:
    """Register the order jobs."""
    for definition in ORDER_JOBS:
        register(definition)
