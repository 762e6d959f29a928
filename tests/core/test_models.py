"""Properties every table model must have."""

from datetime import timedelta

import pytest
from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import SQLModel

import core.models
from core.models import Account, Store, StoreStatus

# The tenant itself; items follow their job record; blobs are shared files of the deployment.
NOT_SELLER_ROWS = {"account", "job_item", "image_blob"}
# Appended to by triggers while an account's products are deleted with it: a foreign key to
# the account would refuse those rows (see core/catalog/tally.py).
NO_ACCOUNT_FOREIGN_KEY = {"product_state_tally"}
TABLES = sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name)


def constraint_names(table):
    for item in [*table.constraints, *table.indexes]:
        yield item, item.name


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_constraint_has_a_portable_name(table) -> None:
    for item, name in constraint_names(table):
        assert name, f"{table.name}: unnamed {type(item).__name__}"
        assert len(name) <= 63, f"{name} is longer than PostgreSQL keeps"
        prefix = {
            CheckConstraint: "ck_",
            UniqueConstraint: "uq_",
            ForeignKeyConstraint: "fk_",
            Index: "ix_",
        }.get(type(item), "pk_")
        assert name.startswith(f"{prefix}{table.name}"), name


@pytest.mark.parametrize(
    "table", [t for t in TABLES if t.name not in NOT_SELLER_ROWS], ids=lambda t: t.name
)
def test_every_seller_table_has_an_indexed_account_id(table) -> None:
    assert "account_id" in table.c
    leading = {index.columns[0].name for index in table.indexes} | {
        next(iter(c.columns)).name for c in table.constraints if isinstance(c, UniqueConstraint)
    }
    assert "account_id" in leading, f"{table.name}: no index starts with account_id"
    assert bool(table.c.account_id.foreign_keys) != (table.name in NO_ACCOUNT_FOREIGN_KEY)


def test_every_table_is_exported() -> None:
    exported = {
        obj.__tablename__
        for obj in vars(core.models).values()
        if isinstance(obj, type) and issubclass(obj, SQLModel) and hasattr(obj, "__table__")
    }
    assert exported == set(SQLModel.metadata.tables)


async def test_updated_at_moves_on_update(sessions) -> None:
    async with sessions() as session:
        account = Account(name="a")
        session.add(account)
        await session.flush()
        store = Store(account_id=account.id, platform="wish", platform_shop_id="1", name="s")
        session.add(store)
        await session.commit()
        created = store.updated_at
        store.updated_at = created - timedelta(days=1)  # as if written yesterday
        await session.commit()
        store.status = StoreStatus.NEEDS_REAUTH
        await session.commit()
        await session.refresh(store)
        assert store.updated_at >= created
        assert store.updated_at.tzinfo is not None
