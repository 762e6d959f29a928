"""``tradewind jobs``: enqueue and inspect background jobs from the command line (operators)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click
from sqlmodel import col, select

from core.cli import CliState, cli
from core.config import Settings
from core.i18n import revive_messages
from core.models import ItemStatus, JobItem, JobRecord
from core.registry import build_registry
from core.runtime import open_runtime


def _record_dict(record: JobRecord, errors: list[JobItem]) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "status": record.status.value,
        "account_id": record.account_id,
        "total": record.total,
        "done": record.done,
        "failed": record.failed,
        "attempts": record.attempts,
        "error": record.error,
        "result": revive_messages(record.result),
        "created_at": record.created_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "failed_items": [{"key": item.key, "error": item.error} for item in errors],
    }


@cli.group("jobs")
def jobs_group() -> None:
    """Enqueue and inspect background jobs."""


async def _enqueue(
    settings: Settings, name: str, payload: dict[str, Any], account: int | None
) -> int:
    async with open_runtime(settings, build_registry(settings)) as runtime:
        return await runtime.queue.enqueue(name, payload, account_id=account, title=name)


@jobs_group.command("enqueue")
@click.argument("name")
@click.option("--payload", default="{}", help="JSON object handed to the job.")
@click.option("--account-id", type=int, default=None, help="Account the job runs for.")
@click.pass_obj
def jobs_enqueue(state: CliState, name: str, payload: str, account_id: int | None) -> None:
    """Enqueue job NAME (a name a loaded plugin registered) and print its record id."""
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON ({exc})", param_hint="--payload") from None
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--payload")
    settings = state.settings()
    from core.jobs import UnknownJob

    try:
        job_id = asyncio.run(_enqueue(settings, name, data, account_id))
    except UnknownJob as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(job_id)


async def _show(settings: Settings, job_id: int) -> dict[str, Any] | None:
    from core.db import create_engine, session_factory

    engine = create_engine(settings.effective_database_url)
    try:
        async with session_factory(engine)() as session:
            record = await session.get(JobRecord, job_id)
            if record is None:
                return None
            failed = await session.exec(
                select(JobItem)
                .where(JobItem.job_id == job_id, JobItem.status == ItemStatus.FAILED)
                .order_by(col(JobItem.id))
                .limit(50)
            )
            return _record_dict(record, list(failed))
    finally:
        await engine.dispose()


@jobs_group.command("show")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def jobs_show(state: CliState, job_id: int, as_json: bool) -> None:
    """Show one job record: status, progress, its error and failed items.

    The status is queued, running, succeeded, partial (finished, some items failed), failed
    or cancelled. Messages are shown in English.
    """
    data = asyncio.run(_show(state.settings(), job_id))
    if data is None:
        raise click.ClickException(f"no job {job_id}")
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"#{data['id']} {data['name']} {data['status']}: "
        f"{data['done']}/{data['total']} done, {data['failed']} failed"
    )
    if data["error"]:
        click.echo(f"  error: {data['error']}")
    for item in data["failed_items"]:
        click.echo(f"  {item['key']}: {item['error']}")
