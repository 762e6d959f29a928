"""Catalog: variant purchase cost, last validation problems, product-list indexes.

Revision ID: 0002_catalog
Revises: 0001
Create Date: 2026-11-30 11:25:24.671429
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002_catalog'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('product', schema=None) as batch_op:
        # Existing rows get an empty problem list; new rows are filled by the application.
        batch_op.add_column(
            sa.Column('problems', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column('problem_count', sa.Integer(), nullable=False, server_default=sa.text('0'))
        )
        batch_op.create_index('ix_product_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index('ix_product_account_state_created', ['account_id', 'state', 'created_at'], unique=False)
        batch_op.create_index('ix_product_account_updated', ['account_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_product_account_title', ['account_id', 'title'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.alter_column('problems', server_default=None)
        batch_op.alter_column('problem_count', server_default=None)

    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cost', sa.Numeric(precision=18, scale=4), nullable=True))
        batch_op.add_column(sa.Column('cost_currency', sa.String(length=3), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_column('cost_currency')
        batch_op.drop_column('cost')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_account_title')
        batch_op.drop_index('ix_product_account_updated')
        batch_op.drop_index('ix_product_account_state_created')
        batch_op.drop_index('ix_product_account_created')
        batch_op.drop_column('problem_count')
        batch_op.drop_column('problems')
