"""The triggers that keep ``product_state_tally`` (see :mod:`core.catalog.tally`).

They belong to the schema: the migrations create them, and so does ``metadata.create_all``
through the ``after_create`` listener below (imported with :mod:`core.models`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlmodel import SQLModel

TRIGGER_NAMES = (
    "product_tally_insert",
    "product_tally_delete",
    "product_tally_update",
    "account_tally_delete",
)
"""The triggers; the last one forgets a deleted account's rows, which its products' deletion
appended to while the account was deleted with them."""

_COLUMNS = "account_id, store_id, state, delta"

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS product_tally_insert AFTER INSERT ON product
BEGIN
    INSERT INTO product_state_tally ({_COLUMNS})
    VALUES (NEW.account_id, NEW.store_id, NEW.state, 1);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS product_tally_delete AFTER DELETE ON product
BEGIN
    INSERT INTO product_state_tally ({_COLUMNS})
    VALUES (OLD.account_id, OLD.store_id, OLD.state, -1);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS product_tally_update
AFTER UPDATE OF account_id, store_id, state ON product
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.store_id IS NOT NEW.store_id
    OR OLD.state IS NOT NEW.state
BEGIN
    INSERT INTO product_state_tally ({_COLUMNS})
    VALUES (OLD.account_id, OLD.store_id, OLD.state, -1);
    INSERT INTO product_state_tally ({_COLUMNS})
    VALUES (NEW.account_id, NEW.store_id, NEW.state, 1);
END""",
    """CREATE TRIGGER IF NOT EXISTS account_tally_delete AFTER DELETE ON account
BEGIN
    DELETE FROM product_state_tally WHERE account_id = OLD.id;
END""",
]

_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION product_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO product_state_tally ({_COLUMNS})
        VALUES (OLD.account_id, OLD.store_id, OLD.state, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO product_state_tally ({_COLUMNS})
        VALUES (NEW.account_id, NEW.store_id, NEW.state, 1);
    END IF;
    RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS product_tally_insert ON product",
    "DROP TRIGGER IF EXISTS product_tally_delete ON product",
    "DROP TRIGGER IF EXISTS product_tally_update ON product",
    """CREATE TRIGGER product_tally_insert AFTER INSERT ON product
FOR EACH ROW EXECUTE FUNCTION product_tally()""",
    """CREATE TRIGGER product_tally_delete AFTER DELETE ON product
FOR EACH ROW EXECUTE FUNCTION product_tally()""",
    """CREATE TRIGGER product_tally_update AFTER UPDATE OF account_id, store_id, state ON product
FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id
    OR OLD.store_id IS DISTINCT FROM NEW.store_id OR OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION product_tally()""",
    """CREATE OR REPLACE FUNCTION account_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM product_state_tally WHERE account_id = OLD.id;
    RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS account_tally_delete ON account",
    # Deferred to the commit: the rows the cascade's product deletions append come later
    # than an ordinary AFTER trigger on the account would run.
    """CREATE CONSTRAINT TRIGGER account_tally_delete AFTER DELETE ON account
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION account_tally_delete()""",
]

REBUILD_STATEMENTS = [
    "DELETE FROM product_state_tally",
    f"INSERT INTO product_state_tally ({_COLUMNS}) "
    "SELECT account_id, store_id, state, COUNT(*) FROM product "
    "GROUP BY account_id, store_id, state",
]
"""Recount every account from the products (run with the triggers in place, in one
transaction: the migration that adds the tally runs it once)."""


def trigger_statements(dialect: str) -> list[str]:
    """The SQL that creates (or re-creates) the triggers on the ``dialect`` database."""
    if dialect == "sqlite":
        return list(_SQLITE)
    if dialect == "postgresql":
        return list(_POSTGRESQL)
    raise ValueError(f"no product tally triggers for the {dialect!r} database")


@event.listens_for(SQLModel.metadata, "after_create")
def _create_triggers(target: Any, connection: Connection, **kw: Any) -> None:
    """``create_all`` made the tables: add the triggers (when it made both tables)."""
    tables = {table.name for table in kw.get("tables") or target.sorted_tables}
    if {"product", "product_state_tally"} <= tables:
        for statement in trigger_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
