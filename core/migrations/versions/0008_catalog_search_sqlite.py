"""Catalog search on SQLite: FTS5 trigram tables and the triggers that keep them.

``product_search`` (title, parent SKU, source URL) and ``variant_search`` (SKU) index the
text of ``product`` and ``variant`` (external content) with the trigram tokenizer, so a
product search finds its rows without reading every product. Filled from the rows already
there. Nothing on PostgreSQL, which has its trigram indexes (0007). See
``core/models/search_index.py``.

Revision ID: 0008_catalog_search_sqlite
Revises: 0007_catalog_search_trigram
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0008_catalog_search_sqlite'
down_revision: str | Sequence[str] | None = '0007_catalog_search_trigram'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As this revision creates them (core/models/search_index.py holds the current definition;
# a revision keeps its own copy so that it never changes).
STATEMENTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5(
    title, parent_sku, source_url,
    content='product', content_rowid='id', tokenize='trigram'
)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS variant_search USING fts5(
    sku, content='variant', content_rowid='id', tokenize='trigram'
)""",
    """CREATE TRIGGER IF NOT EXISTS product_search_insert AFTER INSERT ON product
BEGIN
    INSERT INTO product_search (rowid, title, parent_sku, source_url)
    VALUES (NEW.id, NEW.title, NEW.parent_sku, NEW.source_url);
END""",
    """CREATE TRIGGER IF NOT EXISTS product_search_delete AFTER DELETE ON product
BEGIN
    INSERT INTO product_search (product_search, rowid, title, parent_sku, source_url)
    VALUES ('delete', OLD.id, OLD.title, OLD.parent_sku, OLD.source_url);
END""",
    """CREATE TRIGGER IF NOT EXISTS product_search_update
AFTER UPDATE OF title, parent_sku, source_url ON product
BEGIN
    INSERT INTO product_search (product_search, rowid, title, parent_sku, source_url)
    VALUES ('delete', OLD.id, OLD.title, OLD.parent_sku, OLD.source_url);
    INSERT INTO product_search (rowid, title, parent_sku, source_url)
    VALUES (NEW.id, NEW.title, NEW.parent_sku, NEW.source_url);
END""",
    """CREATE TRIGGER IF NOT EXISTS variant_search_insert AFTER INSERT ON variant
BEGIN
    INSERT INTO variant_search (rowid, sku) VALUES (NEW.id, NEW.sku);
END""",
    """CREATE TRIGGER IF NOT EXISTS variant_search_delete AFTER DELETE ON variant
BEGIN
    INSERT INTO variant_search (variant_search, rowid, sku) VALUES ('delete', OLD.id, OLD.sku);
END""",
    """CREATE TRIGGER IF NOT EXISTS variant_search_update AFTER UPDATE OF sku ON variant
BEGIN
    INSERT INTO variant_search (variant_search, rowid, sku) VALUES ('delete', OLD.id, OLD.sku);
    INSERT INTO variant_search (rowid, sku) VALUES (NEW.id, NEW.sku);
END""",
    """INSERT INTO product_search (product_search) VALUES ('rebuild')""",
    """INSERT INTO variant_search (variant_search) VALUES ('rebuild')""",
]


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in ('product_search_insert', 'product_search_delete', 'product_search_update',
                 'variant_search_insert', 'variant_search_delete', 'variant_search_update'):
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.execute('DROP TABLE IF EXISTS product_search')
    op.execute('DROP TABLE IF EXISTS variant_search')
