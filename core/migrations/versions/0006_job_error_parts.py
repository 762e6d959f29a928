"""Translatable job errors: job_record.error_parts and job_item.error_parts.

A job's error and each item's error (or note) are kept as English text in ``error`` as before;
when the text is a translatable message, ``error_parts`` also holds its template and
parameters (``{"msg": ..., "params": {...}}``), so pages show it in the reader's language.
Rows written before have no parts and are shown as they are.

Revision ID: 0006_job_error_parts
Revises: 0005_product_state_tally
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_job_error_parts"
down_revision: str | Sequence[str] | None = "0005_product_state_tally"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("job_record", "job_item")


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("error_parts", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("error_parts")
