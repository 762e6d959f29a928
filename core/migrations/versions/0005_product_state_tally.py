"""Product state tally: the state-tab counts kept by triggers on ``product``.

Adds ``product_state_tally`` (``+1``/``-1`` rows per account, store and state), the triggers
that append to it (SQLite triggers; a PL/pgSQL function and triggers on PostgreSQL) and fills
it from the products already there. See ``core/catalog/tally.py``.

Revision ID: 0005_product_state_tally
Revises: 0004_image_space
Create Date: 2026-12-06 02:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_product_state_tally'
down_revision: str | Sequence[str] | None = '0004_image_space'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The triggers as this revision creates them (core/models/catalog_triggers.py holds the
# current definition; a revision keeps its own copy so that it never changes).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS product_tally_insert AFTER INSERT ON product
BEGIN
    INSERT INTO product_state_tally (account_id, store_id, state, delta)
    VALUES (NEW.account_id, NEW.store_id, NEW.state, 1);
END""",
    """CREATE TRIGGER IF NOT EXISTS product_tally_delete AFTER DELETE ON product
BEGIN
    INSERT INTO product_state_tally (account_id, store_id, state, delta)
    VALUES (OLD.account_id, OLD.store_id, OLD.state, -1);
END""",
    """CREATE TRIGGER IF NOT EXISTS product_tally_update
AFTER UPDATE OF account_id, store_id, state ON product
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.store_id IS NOT NEW.store_id
    OR OLD.state IS NOT NEW.state
BEGIN
    INSERT INTO product_state_tally (account_id, store_id, state, delta)
    VALUES (OLD.account_id, OLD.store_id, OLD.state, -1);
    INSERT INTO product_state_tally (account_id, store_id, state, delta)
    VALUES (NEW.account_id, NEW.store_id, NEW.state, 1);
END""",
    """CREATE TRIGGER IF NOT EXISTS account_tally_delete AFTER DELETE ON account
BEGIN
    DELETE FROM product_state_tally WHERE account_id = OLD.id;
END""",
]

POSTGRESQL_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION product_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO product_state_tally (account_id, store_id, state, delta)
        VALUES (OLD.account_id, OLD.store_id, OLD.state, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO product_state_tally (account_id, store_id, state, delta)
        VALUES (NEW.account_id, NEW.store_id, NEW.state, 1);
    END IF;
    RETURN NULL;
END
$$""",
    """DROP TRIGGER IF EXISTS product_tally_insert ON product""",
    """DROP TRIGGER IF EXISTS product_tally_delete ON product""",
    """DROP TRIGGER IF EXISTS product_tally_update ON product""",
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

RECOUNT = [
    """DELETE FROM product_state_tally""",
    """INSERT INTO product_state_tally (account_id, store_id, state, delta) SELECT account_id, store_id, state, COUNT(*) FROM product GROUP BY account_id, store_id, state""",
]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('product_state_tally',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('store_id', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_state_tally'))
    )
    op.create_index('ix_product_state_tally_account_store', 'product_state_tally', ['account_id', 'store_id'], unique=False)
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    for statement in RECOUNT:
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == 'postgresql':
        for name in ('product_tally_insert', 'product_tally_delete', 'product_tally_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON product')
        op.execute('DROP TRIGGER IF EXISTS account_tally_delete ON account')
        op.execute('DROP FUNCTION IF EXISTS product_tally()')
        op.execute('DROP FUNCTION IF EXISTS account_tally_delete()')
    else:
        for name in ('product_tally_insert', 'product_tally_delete', 'product_tally_update',
                     'account_tally_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.drop_index('ix_product_state_tally_account_store', table_name='product_state_tally')
    op.drop_table('product_state_tally')
