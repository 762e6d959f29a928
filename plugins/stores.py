"""Built-in plugin ``stores``: keeps store credentials fresh.

Registers ``stores.refresh_credentials`` (one store), ``stores.refresh_due`` (every store whose
token expires soon) and its hourly schedule; the functions live in :mod:`core.stores.jobs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core import hookimpl
from core.stores.jobs import register_store_jobs


@hookimpl
def register_jobs(register: Callable[[Any], None]) -> None:
    """Register the credential refresh jobs and their schedule."""
    register_store_jobs(register)
