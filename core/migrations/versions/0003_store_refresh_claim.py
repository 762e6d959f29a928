"""Store credential refresh claim: store.refreshing_until.

Revision ID: 0003_store_refresh_claim
Revises: 0002_catalog
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_store_refresh_claim"
down_revision: str | Sequence[str] | None = "0002_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("store", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refreshing_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("store", schema=None) as batch_op:
        batch_op.drop_column("refreshing_until")
