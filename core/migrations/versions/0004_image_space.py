"""Image space: the quota counter on accounts and the shared image files.

Adds ``account.image_bytes_used`` (the sum of the account's image sizes, kept by the image
space; never negative) and ``image_blob`` (one row per stored file, shared by accounts). Both
are filled from the images already there.

Revision ID: 0004_image_space
Revises: 0003_store_refresh_claim
Create Date: 2026-11-30 11:37:29.811241
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_image_space'
down_revision: str | Sequence[str] | None = '0003_store_refresh_claim'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('image_blob',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('byte_size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_blob')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_image_blob_content_hash'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_bytes_used', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_account_image_bytes_used_not_negative'), 'image_bytes_used >= 0'
        )
    op.execute(
        'UPDATE account SET image_bytes_used = COALESCE('
        '(SELECT SUM(image.byte_size) FROM image WHERE image.account_id = account.id), 0)'
    )
    op.execute(
        'INSERT INTO image_blob (content_hash, byte_size, created_at) '
        'SELECT content_hash, MAX(byte_size), MIN(created_at) FROM image GROUP BY content_hash'
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_image_bytes_used_not_negative'), type_='check')
        batch_op.drop_column('image_bytes_used')

    op.drop_table('image_blob')
