"""Initial schema: accounts, stores, catalog, images, inventory, orders, purchasing, jobs.

Revision ID: 0001
Revises: (first revision)
Create Date: 2026-11-30 11:07:17.952876
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('account',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('default_currency', sa.String(length=3), nullable=False),
    sa.Column('image_quota_bytes', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account'))
    )
    op.create_table('category',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Enum('product', 'order', 'image', name='categorykind', native_enum=False, length=32), nullable=False),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_category_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['category.id'], name=op.f('fk_category_parent_id_category'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('account_id', 'kind', 'path', 'name', name='uq_category_sibling_name')
    )
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_category_parent_id'), ['parent_id'], unique=False)

    op.create_table('store',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform', sa.String(length=64), nullable=False),
    sa.Column('platform_shop_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('active', 'expiring', 'needs_reauth', 'disabled', name='storestatus', native_enum=False, length=32), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('credentials_encrypted', sa.Text(), nullable=True),
    sa.Column('credentials_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refresh_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('authorized_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_store_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store')),
    sa.UniqueConstraint('platform', 'platform_shop_id', name='uq_store_platform_shop')
    )
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_store_account_platform', ['account_id', 'platform'], unique=False)
        batch_op.create_index(batch_op.f('ix_store_credentials_expires_at'), ['credentials_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_store_status'), ['status'], unique=False)

    op.create_table('supplier',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_supplier_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_supplier_account_id_name'))
    )
    op.create_table('user',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_user_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name='uq_user_email')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_id'), ['account_id'], unique=False)

    op.create_table('warehouse',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_warehouse_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouse')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_warehouse_account_id_name'))
    )
    op.create_table('api_token',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_api_token_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('image',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('byte_size', sa.BigInteger(), nullable=False),
    sa.Column('is_small', sa.Boolean(), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_image_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_image_category_id_category'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image')),
    sa.UniqueConstraint('account_id', 'content_hash', name=op.f('uq_image_account_id_content_hash')),
    sa.UniqueConstraint('public_token', name=op.f('uq_image_public_token'))
    )
    with op.batch_alter_table('image', schema=None) as batch_op:
        batch_op.create_index('ix_image_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_image_category_id'), ['category_id'], unique=False)

    op.create_table('job_record',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled', name='jobstatus', native_enum=False, length=32), nullable=False),
    sa.Column('dedup_key', sa.String(length=300), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=4000), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('queue_job_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_job_record_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_job_record_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_record')),
    sa.UniqueConstraint('dedup_key', name='uq_job_record_dedup_key')
    )
    with op.batch_alter_table('job_record', schema=None) as batch_op:
        batch_op.create_index('ix_job_record_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_user_id'), ['user_id'], unique=False)

    op.create_table('logistics_method',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('carrier', sa.String(length=64), nullable=False),
    sa.Column('service_code', sa.String(length=100), nullable=False),
    sa.Column('shipping_type', sa.Enum('online', 'offline', 'virtual', name='shippingtype', native_enum=False, length=32), nullable=False),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('secrets_encrypted', sa.Text(), nullable=True),
    sa.Column('platform_carrier_names', sa.JSON(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_logistics_method_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_logistics_method_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_method')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_logistics_method_account_id_name'))
    )
    with op.batch_alter_table('logistics_method', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logistics_method_store_id'), ['store_id'], unique=False)

    op.create_table('oauth_state',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('platform', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=128), nullable=False),
    sa.Column('session_binding', sa.String(length=128), nullable=False),
    sa.Column('redirect_after', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_oauth_state_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_oauth_state_store_id_store'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_oauth_state_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_state')),
    sa.UniqueConstraint('state', name=op.f('uq_oauth_state_state'))
    )
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_state_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_state_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_state_store_id'), ['store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_state_user_id'), ['user_id'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('state', sa.Enum('collection_box', 'draft', 'publishing', 'published', 'publish_failed', 'delisted', name='productstate', native_enum=False, length=32), nullable=False),
    sa.Column('is_updating', sa.Boolean(), nullable=False),
    sa.Column('parent_sku', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('title_translated', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_translated', sa.Text(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('tags_translated', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('translation_language', sa.String(length=16), nullable=True),
    sa.Column('brand', sa.String(length=100), nullable=True),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('collected_from', sa.String(length=64), nullable=True),
    sa.Column('copied_from_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('platform_product_id', sa.String(length=64), nullable=True),
    sa.Column('platform_category_id', sa.String(length=64), nullable=True),
    sa.Column('platform_state', sa.String(length=64), nullable=True),
    sa.Column('platform_data', sa.JSON(), nullable=False),
    sa.Column('publish_error', sa.Text(), nullable=True),
    sa.Column('update_error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(state = 'collection_box' AND store_id IS NULL) OR (state <> 'collection_box' AND store_id IS NOT NULL)", name=op.f('ck_product_store_matches_state')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_product_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['copied_from_id'], ['product.id'], name=op.f('fk_product_copied_from_id_product'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_product_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_product_store_id_store')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('account_id', 'store_id', 'parent_sku', name='uq_product_parent_sku'),
    sa.UniqueConstraint('store_id', 'platform_product_id', name='uq_product_binding')
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_account_state_updated', ['account_id', 'state', 'updated_at'], unique=False)
        batch_op.create_index('ix_product_account_store_state', ['account_id', 'store_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_copied_from_id'), ['copied_from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_store_id'), ['store_id'], unique=False)

    op.create_table('purchase_order',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('supplier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.Enum('draft', 'ordered', 'partially_received', 'received', 'cancelled', name='purchaseorderstate', native_enum=False, length=32), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('shipping_cost', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('supplier_order_ref', sa.String(length=100), nullable=True),
    sa.Column('tracking_number', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_purchase_order_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_purchase_order_supplier_id_supplier'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_purchase_order_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order')),
    sa.UniqueConstraint('account_id', 'number', name=op.f('uq_purchase_order_account_id_number'))
    )
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_order_account_state_updated', ['account_id', 'state', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('sync_state',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stream', sa.Enum('orders', 'products', name='syncstream', native_enum=False, length=32), nullable=False),
    sa.Column('watermark', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cursor', sa.JSON(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_good_pull_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lag_seconds', sa.Integer(), nullable=True),
    sa.Column('items_pulled', sa.Integer(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_sync_state_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_sync_state_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state')),
    sa.UniqueConstraint('store_id', 'stream', name=op.f('uq_sync_state_store_id_stream'))
    )
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_state_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_state_store_id'), ['store_id'], unique=False)

    op.create_table('user_permission',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('area', sa.Enum('products', 'orders', 'shipping', 'inventory', 'purchasing', 'images', 'statistics', 'stores', 'settings', name='permissionarea', native_enum=False, length=32), nullable=False),
    sa.Column('can_edit', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_user_permission_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_permission_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_permission')),
    sa.UniqueConstraint('user_id', 'area', name=op.f('uq_user_permission_user_id_area'))
    )
    with op.batch_alter_table('user_permission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_permission_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_permission_user_id'), ['user_id'], unique=False)

    op.create_table('user_store_access',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_user_store_access_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_user_store_access_store_id_store'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_store_access_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_store_access')),
    sa.UniqueConstraint('user_id', 'store_id', name=op.f('uq_user_store_access_user_id_store_id'))
    )
    with op.batch_alter_table('user_store_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_store_access_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_store_access_store_id'), ['store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_store_access_user_id'), ['user_id'], unique=False)

    op.create_table('job_item',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('pending', 'done', 'failed', 'skipped', name='itemstatus', native_enum=False, length=32), nullable=False),
    sa.Column('error', sa.String(length=4000), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job_record.id'], name=op.f('fk_job_item_job_id_job_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_item')),
    sa.UniqueConstraint('job_id', 'key', name='uq_job_item_job_key')
    )
    with op.batch_alter_table('job_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_item_job_id'), ['job_id'], unique=False)

    op.create_table('product_category',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('product_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_product_category_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_product_category_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_category_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_category')),
    sa.UniqueConstraint('product_id', 'category_id', name=op.f('uq_product_category_product_id_category_id'))
    )
    with op.batch_alter_table('product_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_category_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_category_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_category_product_id'), ['product_id'], unique=False)

    op.create_table('product_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('product_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_product_history_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job_record.id'], name=op.f('fk_product_history_job_id_job_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_history_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_product_history_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_history'))
    )
    with op.batch_alter_table('product_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_history_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_history_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_product_history_product_created', ['product_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_history_user_id'), ['user_id'], unique=False)

    op.create_table('sales_order',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform_order_id', sa.String(length=64), nullable=False),
    sa.Column('platform_state', sa.String(length=64), nullable=True),
    sa.Column('state', sa.Enum('to_review', 'pending', 'requesting_tracking', 'to_print', 'shipped', 'ignored', 'cancelled', 'refunded', 'exception', name='orderstate', native_enum=False, length=32), nullable=False),
    sa.Column('previous_state', sa.Enum('to_review', 'pending', 'requesting_tracking', 'to_print', 'shipped', 'ignored', 'cancelled', 'refunded', 'exception', name='orderstate', native_enum=False, length=32), nullable=True),
    sa.Column('stock_status', sa.Enum('unchecked', 'in_stock', 'out_of_stock', 'unpaired', name='stockstatus', native_enum=False, length=32), nullable=False),
    sa.Column('exception_reason', sa.Text(), nullable=True),
    sa.Column('shipping_type', sa.Enum('online', 'offline', 'virtual', name='shippingtype', native_enum=False, length=32), nullable=True),
    sa.Column('logistics_method_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('buyer_name', sa.String(length=200), nullable=False),
    sa.Column('buyer_id', sa.String(length=128), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('shipping_address', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('shipping_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('buyer_note', sa.Text(), nullable=True),
    sa.Column('seller_note', sa.Text(), nullable=True),
    sa.Column('platform_data', sa.JSON(), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('platform_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ship_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('platform_marked_shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_sales_order_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_sales_order_category_id_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['logistics_method_id'], ['logistics_method.id'], name=op.f('fk_sales_order_logistics_method_id_logistics_method'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_sales_order_store_id_store')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order')),
    sa.UniqueConstraint('store_id', 'platform_order_id', name='uq_sales_order_platform_id')
    )
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_account_ordered', ['account_id', 'ordered_at'], unique=False)
        batch_op.create_index('ix_sales_order_account_state_stock', ['account_id', 'state', 'stock_status'], unique=False)
        batch_op.create_index('ix_sales_order_account_state_updated', ['account_id', 'state', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_order_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_order_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_order_logistics_method_id'), ['logistics_method_id'], unique=False)
        batch_op.create_index('ix_sales_order_store_platform_updated', ['store_id', 'platform_updated_at'], unique=False)

    op.create_table('stock_item',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('declared_name_cn', sa.String(length=200), nullable=True),
    sa.Column('declared_name_en', sa.String(length=200), nullable=True),
    sa.Column('hs_code', sa.String(length=20), nullable=True),
    sa.Column('declared_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('cost', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('length_cm', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('width_cm', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('height_cm', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('image_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('supplier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('supplier_url', sa.Text(), nullable=True),
    sa.Column('low_stock_threshold', sa.Integer(), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_stock_item_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['image_id'], ['image.id'], name=op.f('fk_stock_item_image_id_image'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_stock_item_supplier_id_supplier'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_item')),
    sa.UniqueConstraint('account_id', 'sku', name=op.f('uq_stock_item_account_id_sku'))
    )
    with op.batch_alter_table('stock_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_item_image_id'), ['image_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_item_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('variant',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('product_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('shipping_price', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('msrp', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('inventory', sa.Integer(), nullable=False),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('length_cm', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('width_cm', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('height_cm', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('platform_variant_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('inventory >= 0', name=op.f('ck_variant_inventory_not_negative')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_variant_price_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_variant_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_variant_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_variant_store_id_store')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variant')),
    sa.UniqueConstraint('product_id', 'sku', name=op.f('uq_variant_product_id_sku')),
    sa.UniqueConstraint('store_id', 'platform_variant_id', name='uq_variant_binding'),
    sa.UniqueConstraint('store_id', 'sku', name=op.f('uq_variant_store_id_sku'))
    )
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variant_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variant_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variant_store_id'), ['store_id'], unique=False)

    op.create_table('order_line',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform_line_id', sa.String(length=64), nullable=False),
    sa.Column('platform_product_id', sa.String(length=64), nullable=True),
    sa.Column('platform_variant_id', sa.String(length=64), nullable=True),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('variant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('options', sa.String(length=200), nullable=False),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('shipping_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_line_quantity_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_order_line_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_order_line_order_id_sales_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_order_line_variant_id_variant'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_line')),
    sa.UniqueConstraint('order_id', 'platform_line_id', name=op.f('uq_order_line_order_id_platform_line_id'))
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_sku'), ['sku'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_variant_id'), ['variant_id'], unique=False)

    op.create_table('pairing',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('variant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stock_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('is_auto', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pairing_quantity_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_pairing_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_item.id'], name=op.f('fk_pairing_stock_item_id_stock_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_pairing_variant_id_variant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing')),
    sa.UniqueConstraint('variant_id', 'stock_item_id', name=op.f('uq_pairing_variant_id_stock_item_id'))
    )
    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairing_stock_item_id'), ['stock_item_id'], unique=False)

    op.create_table('product_image',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('product_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('variant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('image_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('external_url', sa.Text(), nullable=True),
    sa.Column('platform_url', sa.Text(), nullable=True),
    sa.Column('role', sa.Enum('main', 'extra', 'variant', name='imagerole', native_enum=False, length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("(role = 'variant') = (variant_id IS NOT NULL)", name=op.f('ck_product_image_variant_role_has_variant')),
    sa.CheckConstraint('image_id IS NOT NULL OR external_url IS NOT NULL OR platform_url IS NOT NULL', name=op.f('ck_product_image_has_source')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_product_image_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['image_id'], ['image.id'], name=op.f('fk_product_image_image_id_image'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_image_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_product_image_variant_id_variant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_image'))
    )
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_image_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_image_image_id'), ['image_id'], unique=False)
        batch_op.create_index('ix_product_image_product_position', ['product_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_image_variant_id'), ['variant_id'], unique=False)

    op.create_table('purchase_order_line',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purchase_order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stock_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('received_quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_purchase_order_line_quantity_positive')),
    sa.CheckConstraint('received_quantity >= 0', name=op.f('ck_purchase_order_line_received_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_purchase_order_line_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'], name=op.f('fk_purchase_order_line_purchase_order_id_purchase_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_item.id'], name=op.f('fk_purchase_order_line_stock_item_id_stock_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_line')),
    sa.UniqueConstraint('purchase_order_id', 'stock_item_id', name=op.f('uq_purchase_order_line_purchase_order_id_stock_item_id'))
    )
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_line_stock_item_id'), ['stock_item_id'], unique=False)

    op.create_table('shipment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('logistics_method_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('carrier', sa.String(length=64), nullable=False),
    sa.Column('service_code', sa.String(length=100), nullable=False),
    sa.Column('shipping_type', sa.Enum('online', 'offline', 'virtual', name='shippingtype', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('requesting', 'created', 'failed', 'cancelled', name='shipmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('tracking_number', sa.String(length=64), nullable=True),
    sa.Column('carrier_reference', sa.String(length=128), nullable=True),
    sa.Column('label_storage_key', sa.String(length=255), nullable=True),
    sa.Column('label_format', sa.String(length=16), nullable=True),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('customs', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('platform_marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('platform_mark_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_shipment_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['logistics_method_id'], ['logistics_method.id'], name=op.f('fk_shipment_logistics_method_id_logistics_method'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_shipment_order_id_sales_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_shipment_idempotency_key'))
    )
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_account_status', ['account_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_logistics_method_id'), ['logistics_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_tracking_number'), ['tracking_number'], unique=False)

    op.create_table('stock_level',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stock_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('allocated <= on_hand', name=op.f('ck_stock_level_allocated_within_on_hand')),
    sa.CheckConstraint('allocated >= 0', name=op.f('ck_stock_level_allocated_not_negative')),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_level_on_hand_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_stock_level_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_item.id'], name=op.f('fk_stock_level_stock_item_id_stock_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_stock_level_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_level')),
    sa.UniqueConstraint('stock_item_id', 'warehouse_id', name=op.f('uq_stock_level_stock_item_id_warehouse_id'))
    )
    with op.batch_alter_table('stock_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_level_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_level_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('stock_movement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stock_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Enum('receipt', 'dispatch', 'adjustment', 'transfer', 'return', 'allocate', 'release', name='movementkind', native_enum=False, length=32), nullable=False),
    sa.Column('on_hand_delta', sa.Integer(), nullable=False),
    sa.Column('allocated_delta', sa.Integer(), nullable=False),
    sa.Column('on_hand_after', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('purchase_order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('dedup_key', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_stock_movement_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job_record.id'], name=op.f('fk_stock_movement_job_id_job_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_stock_movement_order_id_sales_order'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'], name=op.f('fk_stock_movement_purchase_order_id_purchase_order'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_item.id'], name=op.f('fk_stock_movement_stock_item_id_stock_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_stock_movement_user_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_stock_movement_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movement')),
    sa.UniqueConstraint('account_id', 'dedup_key', name=op.f('uq_stock_movement_account_id_dedup_key'))
    )
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movement_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_stock_movement_item_created', ['stock_item_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_purchase_order_id'), ['purchase_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('stock_allocation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_line_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stock_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_allocation_quantity_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_stock_allocation_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_stock_allocation_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_item.id'], name=op.f('fk_stock_allocation_stock_item_id_stock_item')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_stock_allocation_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_allocation')),
    sa.UniqueConstraint('order_line_id', 'stock_item_id', 'warehouse_id', name='uq_stock_allocation_line')
    )
    with op.batch_alter_table('stock_allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_allocation_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_allocation_stock_item_id'), ['stock_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_allocation_warehouse_id'), ['warehouse_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('stock_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_allocation_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_stock_allocation_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_stock_allocation_account_id'))

    op.drop_table('stock_allocation')
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movement_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movement_user_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movement_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movement_order_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movement_job_id'))
        batch_op.drop_index('ix_stock_movement_item_created')
        batch_op.drop_index(batch_op.f('ix_stock_movement_account_id'))

    op.drop_table('stock_movement')
    with op.batch_alter_table('stock_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_level_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_stock_level_account_id'))

    op.drop_table('stock_level')
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_tracking_number'))
        batch_op.drop_index(batch_op.f('ix_shipment_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipment_logistics_method_id'))
        batch_op.drop_index('ix_shipment_account_status')

    op.drop_table('shipment')
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_account_id'))

    op.drop_table('purchase_order_line')
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_image_variant_id'))
        batch_op.drop_index('ix_product_image_product_position')
        batch_op.drop_index(batch_op.f('ix_product_image_image_id'))
        batch_op.drop_index(batch_op.f('ix_product_image_account_id'))

    op.drop_table('product_image')
    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_pairing_account_id'))

    op.drop_table('pairing')
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_variant_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_sku'))
        batch_op.drop_index(batch_op.f('ix_order_line_account_id'))

    op.drop_table('order_line')
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variant_store_id'))
        batch_op.drop_index(batch_op.f('ix_variant_product_id'))
        batch_op.drop_index(batch_op.f('ix_variant_account_id'))

    op.drop_table('variant')
    with op.batch_alter_table('stock_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_item_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_stock_item_image_id'))

    op.drop_table('stock_item')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_store_platform_updated')
        batch_op.drop_index(batch_op.f('ix_sales_order_logistics_method_id'))
        batch_op.drop_index(batch_op.f('ix_sales_order_country_code'))
        batch_op.drop_index(batch_op.f('ix_sales_order_category_id'))
        batch_op.drop_index('ix_sales_order_account_state_updated')
        batch_op.drop_index('ix_sales_order_account_state_stock')
        batch_op.drop_index('ix_sales_order_account_ordered')

    op.drop_table('sales_order')
    with op.batch_alter_table('product_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_history_user_id'))
        batch_op.drop_index('ix_product_history_product_created')
        batch_op.drop_index(batch_op.f('ix_product_history_job_id'))
        batch_op.drop_index(batch_op.f('ix_product_history_account_id'))

    op.drop_table('product_history')
    with op.batch_alter_table('product_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_category_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_category_category_id'))
        batch_op.drop_index(batch_op.f('ix_product_category_account_id'))

    op.drop_table('product_category')
    with op.batch_alter_table('job_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_item_job_id'))

    op.drop_table('job_item')
    with op.batch_alter_table('user_store_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_store_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_store_access_store_id'))
        batch_op.drop_index(batch_op.f('ix_user_store_access_account_id'))

    op.drop_table('user_store_access')
    with op.batch_alter_table('user_permission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_permission_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_permission_account_id'))

    op.drop_table('user_permission')
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_state_store_id'))
        batch_op.drop_index(batch_op.f('ix_sync_state_account_id'))

    op.drop_table('sync_state')
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_supplier_id'))
        batch_op.drop_index('ix_purchase_order_account_state_updated')

    op.drop_table('purchase_order')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_store_id'))
        batch_op.drop_index(batch_op.f('ix_product_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_product_copied_from_id'))
        batch_op.drop_index('ix_product_account_store_state')
        batch_op.drop_index('ix_product_account_state_updated')

    op.drop_table('product')
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_state_user_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_state_store_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_state_expires_at'))
        batch_op.drop_index(batch_op.f('ix_oauth_state_account_id'))

    op.drop_table('oauth_state')
    with op.batch_alter_table('logistics_method', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logistics_method_store_id'))

    op.drop_table('logistics_method')
    with op.batch_alter_table('job_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_job_record_status'))
        batch_op.drop_index(batch_op.f('ix_job_record_name'))
        batch_op.drop_index(batch_op.f('ix_job_record_account_id'))
        batch_op.drop_index('ix_job_record_account_created')

    op.drop_table('job_record')
    with op.batch_alter_table('image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_category_id'))
        batch_op.drop_index('ix_image_account_created')

    op.drop_table('image')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_token_account_id'))

    op.drop_table('api_token')
    op.drop_table('warehouse')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_id'))

    op.drop_table('user')
    op.drop_table('supplier')
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_status'))
        batch_op.drop_index(batch_op.f('ix_store_credentials_expires_at'))
        batch_op.drop_index('ix_store_account_platform')
        batch_op.drop_index(batch_op.f('ix_store_account_id'))

    op.drop_table('store')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_parent_id'))
        batch_op.drop_index(batch_op.f('ix_category_account_id'))

    op.drop_table('category')
    op.drop_table('account')
