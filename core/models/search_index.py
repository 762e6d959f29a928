"""SQLite's text index of the catalog: FTS5 tables with the trigram tokenizer.

``product_search`` indexes each product's title, parent SKU and source URL, and
``variant_search`` each variant's SKU (external-content tables: the text stays in ``product``
and ``variant``; the FTS tables hold only the index, keyed by the row id). Triggers keep them
up to date whoever writes. A trigram phrase query (``MATCH '"abc"'``) finds the rows that
contain the text, ignoring case, which is what the product search asks for, without reading
every product (:mod:`core.catalog.search`). Terms shorter than three characters cannot use a
trigram index and are looked for with ``LIKE``.

PostgreSQL has its own trigram indexes (``pg_trgm``); nothing here runs there. The tables
and triggers are made by migration ``0008_catalog_search_sqlite`` and, for
``metadata.create_all``, by the ``after_create`` listener below. A migration that rebuilds
``product`` or ``variant`` on SQLite (``batch_alter_table`` copies the table and drops its
triggers) must run :data:`SQLITE_STATEMENTS` again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlmodel import SQLModel

SEARCH_TABLES = ("product_search", "variant_search")
"""The FTS5 tables (SQLite adds shadow tables named after them: ``product_search_data``, …)."""

SQLITE_STATEMENTS = [
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
    "INSERT INTO product_search (product_search) VALUES ('rebuild')",
    "INSERT INTO variant_search (variant_search) VALUES ('rebuild')",
]
"""Create the tables and triggers and index the rows already there (idempotent)."""


def is_search_table(name: str) -> bool:
    """Whether ``name`` is one of the FTS tables or their shadow tables (not in the models)."""
    return any(name == table or name.startswith(f"{table}_") for table in SEARCH_TABLES)


@event.listens_for(SQLModel.metadata, "after_create")
def _create_search_index(target: Any, connection: Connection, **kw: Any) -> None:
    """``create_all`` made the tables: on SQLite, add the text index."""
    if connection.dialect.name != "sqlite":
        return
    tables = {table.name for table in kw.get("tables") or target.sorted_tables}
    if {"product", "variant"} <= tables:
        for statement in SQLITE_STATEMENTS:
            connection.exec_driver_sql(statement)
