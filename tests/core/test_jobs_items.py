"""Per-item results: many at once in one transaction, idempotent, translatable messages kept."""

from __future__ import annotations

from sqlmodel import col, select

from core.i18n import msg
from core.interfaces.jobs import ItemReport
from core.jobs import items
from core.models import ItemStatus, JobItem, JobRecord
from tests.core.jobs_helpers import load, make_account


async def _record(sessions) -> int:
    account_id = await make_account(sessions)
    async with sessions() as session:
        record = JobRecord(account_id=account_id, name="test.items")
        session.add(record)
        await session.commit()
        assert record.id is not None
        return record.id


async def _rows(sessions, job_id: int) -> dict[str, JobItem]:
    async with sessions() as session:
        found = await session.exec(select(JobItem).where(col(JobItem.job_id) == job_id))
        return {item.key: item for item in found.all()}


async def test_many_outcomes_are_recorded_and_counted_once(sessions) -> None:
    job_id = await _record(sessions)
    reports = [
        ItemReport("A", "done", msg("created in the collection box")),
        ItemReport("B", "skipped", msg("already in the collection box; left as it is")),
        ItemReport("C", "failed", msg("row %(row)s: %(problem)s", row=4, problem="bad"), "c.csv"),
    ]
    await items.record_items(sessions, job_id, reports)
    await items.record_items(sessions, job_id, reports)  # a retried attempt: nothing doubles
    record = await load(sessions, job_id)
    assert (record.done, record.failed) == (2, 1)
    rows = await _rows(sessions, job_id)
    assert rows["A"].status == ItemStatus.DONE and rows["A"].attempts == 1
    assert rows["C"].error == "row 4: bad" and rows["C"].label == "c.csv"
    assert rows["C"].error_parts == {
        "msg": "row %(row)s: %(problem)s",
        "params": {"row": 4, "problem": "bad"},
    }

    await items.record_items(sessions, job_id, [ItemReport("C", "done", "fixed")])
    record = await load(sessions, job_id)
    assert (record.done, record.failed) == (3, 0)
    rows = await _rows(sessions, job_id)
    assert rows["C"].error == "fixed" and rows["C"].error_parts is None  # plain text
    assert rows["C"].label == "c.csv"  # kept when not given again


async def test_one_item_at_a_time_keeps_its_message_too(sessions) -> None:
    job_id = await _record(sessions)
    refusal = msg("a published product cannot be deleted, only delisted: delist instead")
    await items.record_item(sessions, job_id, "7", ItemStatus.FAILED, error=refusal)
    rows = await _rows(sessions, job_id)
    assert rows["7"].error_parts == {"msg": refusal.template, "params": {}}
    assert (await load(sessions, job_id)).failed == 1
