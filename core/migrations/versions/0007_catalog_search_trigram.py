"""Catalog search: trigram indexes on PostgreSQL.

The product list searches the product title, parent SKU and source URL and the variant SKUs
with ``ILIKE '%…%'``. On PostgreSQL this revision creates the ``pg_trgm`` extension (when it
is missing and the role may create it) and a GIN trigram index on each of those columns, so a
search of three or more characters reads the indexes instead of every row. SQLite is left
as it is.

When ``pg_trgm`` cannot be created (the server lacks the contrib package, or the role has
no right to create it), the upgrade goes on without the indexes and logs a warning with the
SQL a database administrator can run later; search still works, it only scans. Creating the
extension needs superuser, or (PostgreSQL 13 and later, where ``pg_trgm`` is trusted) the
CREATE privilege on the database, which its owner has.

The downgrade drops the indexes and leaves the extension (other schemas may use it).

Revision ID: 0007_catalog_search_trigram
Revises: 0006_job_error_parts
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision: str = '0007_catalog_search_trigram'
down_revision: str | Sequence[str] | None = '0006_job_error_parts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("tradewind.migrations")

TRIGRAM_INDEXES = (
    ("ix_product_title_trgm", "product", "title"),
    ("ix_product_parent_sku_trgm", "product", "parent_sku"),
    ("ix_product_source_url_trgm", "product", "source_url"),
    ("ix_variant_sku_trgm", "variant", "sku"),
)


def _create_index_sql(name: str, table: str, column: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"


def _scalar(bind: Connection, sql: str) -> object:
    return bind.execute(sa.text(sql)).scalar()


def _may_create_extension(bind: Connection) -> bool:
    if _scalar(bind, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        return True
    if int(str(_scalar(bind, "SELECT current_setting('server_version_num')"))) < 130000:
        return False  # no trusted extensions before PostgreSQL 13
    trusted = _scalar(
        bind,
        "SELECT v.trusted FROM pg_available_extension_versions v "
        "JOIN pg_available_extensions e ON e.name = v.name AND e.default_version = v.version "
        "WHERE v.name = 'pg_trgm'",
    )
    may_create = _scalar(bind, "SELECT has_database_privilege(current_database(), 'CREATE')")
    return bool(trusted and may_create)


def _trigram_problem(bind: Connection) -> str | None:
    """Make ``gin_trgm_ops`` usable if it is not yet; return why it cannot be, or None."""
    if _scalar(bind, "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"):
        visible = _scalar(
            bind,
            "SELECT 1 FROM pg_opclass "
            "WHERE opcname = 'gin_trgm_ops' AND pg_opclass_is_visible(oid)",
        )
        if visible:
            return None
        return "pg_trgm is installed in a schema that is not on the search_path"
    if not _scalar(bind, "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"):
        return (
            "the server does not have the pg_trgm extension "
            "(it comes with PostgreSQL's contrib package)"
        )
    if not _may_create_extension(bind):
        return (
            "the database role may not create the pg_trgm extension (it needs to be a "
            "superuser, or on PostgreSQL 13 and later to have CREATE on the database)"
        )
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        return f"CREATE EXTENSION pg_trgm failed: {exc.orig}"
    return None


def upgrade() -> None:
    """Apply this revision."""
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    problem = _trigram_problem(bind)
    if problem is None:
        for name, table, column in TRIGRAM_INDEXES:
            op.execute(_create_index_sql(name, table, column))
        return
    database = _scalar(bind, "SELECT current_database()")
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
        _create_index_sql(*index) for index in TRIGRAM_INDEXES
    ]
    log.warning(
        "catalog search indexes skipped: %s. Search still works but scans every product. "
        'To add them, a database administrator runs in database "%s": %s',
        problem,
        database,
        "; ".join(statements) + ";",
    )


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, _table, _column in reversed(TRIGRAM_INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
