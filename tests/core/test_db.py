from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from core.models import Account, JobRecord, User


async def test_times_come_back_utc_aware(sessions) -> None:
    shanghai = timezone(timedelta(hours=8))
    async with sessions() as session:
        account = Account(name="a", created_at=datetime(2026, 1, 1, 8, 0, tzinfo=shanghai))
        session.add(account)
        await session.commit()
        account_id = account.id
    async with sessions() as session:
        loaded = await session.get(Account, account_id)
        assert loaded is not None
        assert loaded.created_at == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
        assert loaded.created_at.tzinfo is not None


async def test_naive_times_are_refused(sessions) -> None:
    async with sessions() as session:
        session.add(Account(name="a", created_at=datetime(2026, 1, 1)))
        with pytest.raises(StatementError, match="naive datetime"):
            await session.commit()


async def test_foreign_keys_are_enforced(sessions) -> None:
    async with sessions() as session:
        session.add(User(account_id=424242, email="x@example.com"))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_job_dedup_key_is_unique(sessions) -> None:
    async with sessions() as session:
        session.add(JobRecord(name="a", dedup_key="k"))
        await session.commit()
    async with sessions() as session:
        session.add(JobRecord(name="b", dedup_key="k"))
        with pytest.raises(IntegrityError):
            await session.commit()
