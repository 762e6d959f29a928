"""Wish marketplace plugin: the adapter, its jobs and ``tradewind sandbox wish``.

Only hook implementations live here (no I/O); see :mod:`plugins.wish.client` for the adapter,
:mod:`plugins.wish.sync` for "sync Wish", :mod:`plugins.wish.settings` for the settings and
:mod:`plugins.wish.sandbox` for the local twin of Wish's API.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from core import hookimpl
from core.config import Settings
from core.interfaces.jobs import CronDefinition, JobDefinition
from core.interfaces.marketplace import MarketplaceAdapter
from plugins.wish.cli import add_commands
from plugins.wish.client import WishMarketplace
from plugins.wish.demo import add_demo_command
from plugins.wish.jobs import job_definitions
from plugins.wish.ratelimit import budget_for
from plugins.wish.settings import WishSettings


@hookimpl
def register_marketplaces(
    register: Callable[[MarketplaceAdapter], None], settings: Settings
) -> None:
    """Register the Wish adapter (its rate budget in Redis when the deployment has Redis)."""
    wish = WishSettings.load(settings)
    register(WishMarketplace(wish, budget=budget_for(wish, settings.redis_url)))


@hookimpl
def register_jobs(
    register: Callable[[JobDefinition | CronDefinition], None], settings: Settings
) -> None:
    """Register the sync jobs and the schedule that fans them out per store."""
    for definition in job_definitions(WishSettings.load(settings)):
        register(definition)


@hookimpl
def register_commands(cli: click.Group) -> None:
    """Add ``tradewind sandbox wish`` and ``tradewind demo``."""
    add_commands(cli)
    add_demo_command(cli)
