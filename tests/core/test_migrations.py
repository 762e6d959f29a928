import ast
import logging
import shutil
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import core.models  # noqa: F401
from core import migrate
from core.config import load_settings
from core.db import create_engine
from core.migrate import SchemaOutOfDate, migration_context_options
from core.models.search_index import is_search_table
from tests.core.databases import BACKENDS, PG_URL, fresh_database

on_every_backend = pytest.mark.parametrize("backend", BACKENDS)


async def on_connection(url: str, read):
    """``read(sync_connection)`` on a fresh engine of ``url``, disposed afterwards."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(read)
    finally:
        await engine.dispose()


async def schema_diff(url: str) -> list[object]:
    def compare(sync_conn):
        options = migration_context_options(sync_conn.dialect.name)
        context = MigrationContext.configure(sync_conn, opts=options)
        return compare_metadata(context, SQLModel.metadata)

    return await on_connection(url, compare)


async def table_names(url: str) -> set[str]:
    names = await on_connection(url, lambda c: inspect(c).get_table_names())
    # SQLite's text-search tables are not models; their own test checks them.
    return {name for name in names if not is_search_table(name)}


async def check_constraints(url: str) -> set[tuple[str, str]]:
    def reflect(sync_conn):
        inspector = inspect(sync_conn)
        return {
            (table, check["name"])
            for table in SQLModel.metadata.tables
            for check in inspector.get_check_constraints(table)
        }

    return await on_connection(url, reflect)


async def index_methods(url: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Access method and operator classes of the indexes that name one (PostgreSQL)."""

    def reflect(sync_conn):
        inspector = inspect(sync_conn)
        return {
            index["name"]: (
                index["dialect_options"]["postgresql_using"],
                index["dialect_options"].get("postgresql_ops", {}),
            )
            for table in SQLModel.metadata.tables
            for index in inspector.get_indexes(table)
            if index.get("dialect_options", {}).get("postgresql_using")
        }

    return await on_connection(url, reflect)


def model_index_methods() -> dict[str, tuple[str, dict[str, str]]]:
    # Autogenerate compares an index's columns, not its access method or operator classes.
    return {
        index.name: (index.dialect_options["postgresql"]["using"],
                     dict(index.dialect_options["postgresql"]["ops"]))
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["postgresql"]["using"]
    }  # fmt: skip


@on_every_backend
async def test_upgrade_head_gives_exactly_the_model_schema(backend, tmp_path) -> None:
    async with fresh_database(backend, tmp_path) as url:
        await migrate.upgrade(url)
        assert await schema_diff(url) == []
        assert await migrate.current(url) == migrate.head()
        assert await table_names(url) == {*SQLModel.metadata.tables, "alembic_version"}
        # Autogenerate does not compare CHECK constraints; compare them by name here.
        assert await check_constraints(url) == {
            (table.name, constraint.name)
            for table in SQLModel.metadata.tables.values()
            for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)
        }
        if backend == "postgresql":
            assert "ix_variant_sku_trgm" in model_index_methods()
            assert await index_methods(url) == model_index_methods()


@pytest.mark.skipif(not PG_URL, reason="pg_trgm and roles are PostgreSQL's")
async def test_without_the_right_to_create_pg_trgm_the_upgrade_says_what_to_run(
    tmp_path, caplog
) -> None:
    role = f"tw_limited_{uuid.uuid4().hex[:8]}"
    try:
        async with fresh_database("postgresql", tmp_path) as url:
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            async with admin.connect() as conn:
                # May create tables, not extensions (no CREATE on the database).
                await conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
                await conn.execute(text(f'GRANT CREATE ON SCHEMA public TO "{role}"'))
            limited = make_url(url).set(username=role).render_as_string(hide_password=False)
            with caplog.at_level(logging.WARNING, logger="tradewind.migrations"):
                await migrate.upgrade(limited)
            assert await migrate.current(url) == migrate.head()
            (warning,) = [r.getMessage() for r in caplog.records if "pg_trgm" in r.getMessage()]
            assert "may not create the pg_trgm extension" in warning
            assert await index_methods(url) == {}
            missing = {op[1].name for op in await schema_diff(url)}
            assert missing == set(model_index_methods())

            # What the warning tells the administrator to run completes the schema.
            database = make_url(url).database
            statements = warning.split(f'runs in database "{database}": ')[1]
            async with admin.connect() as conn:
                for statement in statements.rstrip(";").split("; "):
                    await conn.execute(text(statement))
            await admin.dispose()
            assert await schema_diff(url) == []
            assert await index_methods(url) == model_index_methods()
    finally:
        server_url = load_settings(env={}, database_url=PG_URL).effective_database_url
        server = create_engine(server_url, isolation_level="AUTOCOMMIT")
        async with server.connect() as conn:
            await conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        await server.dispose()


@on_every_backend
async def test_downgrade_to_base_and_upgrade_again(backend, tmp_path) -> None:
    async with fresh_database(backend, tmp_path) as url:
        await migrate.upgrade(url)
        await migrate.downgrade(url, "base")
        assert await table_names(url) == {"alembic_version"}
        assert await migrate.current(url) is None
        await migrate.upgrade(url)
        assert await schema_diff(url) == []


@on_every_backend
async def test_out_of_date_schema_is_refused_with_a_clear_message(backend, tmp_path) -> None:
    async with fresh_database(backend, tmp_path) as url:
        assert await migrate.pending_migrations(url)
        with pytest.raises(SchemaOutOfDate, match=r"no Tradewind schema yet.*tradewind db upgrade"):
            await migrate.ensure_schema_current(url)

        await migrate.upgrade(url)
        assert not await migrate.pending_migrations(url)
        await migrate.ensure_schema_current(url)

        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe'"))
        await engine.dispose()
        assert await migrate.pending_migrations(url)
        with pytest.raises(SchemaOutOfDate, match="f00dcafe, which this version"):
            await migrate.ensure_schema_current(url)


SECOND_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "{down}"
branch_labels = None
depends_on = None


def _recreate():
    # Copy-and-drop rebuilds exist on SQLite only; PostgreSQL alters in place.
    return "always" if op.get_context().dialect.name == "sqlite" else "auto"


def upgrade():
    with op.batch_alter_table("account", recreate=_recreate()) as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    with op.batch_alter_table("account", recreate=_recreate()) as batch_op:
        batch_op.drop_column("nickname")
"""


@on_every_backend
async def test_table_rebuild_keeps_child_rows(backend, tmp_path, monkeypatch) -> None:
    # SQLite batch mode copies, drops and renames a table; with foreign keys on, the DROP
    # would cascade-delete every user of every account.
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0002_nickname.py").write_text(
        SECOND_REVISION.format(down=migrate.head())
    )
    async with fresh_database(backend, tmp_path) as url:
        await migrate.upgrade(url)
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO account (id, name, default_currency, "
                    "image_quota_bytes, created_at) VALUES "
                    "(1, 'a', 'USD', 1, CURRENT_TIMESTAMP)"
                )
            )
            await conn.execute(
                text(
                    'INSERT INTO "user" (account_id, email, display_name, '
                    "password_hash, role, locale, is_active, created_at) VALUES "
                    "(1, 'a@example.com', '', '', 'owner', 'en', true, "
                    "CURRENT_TIMESTAMP)"
                )
            )
        monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
        await migrate.upgrade(url)
        assert await migrate.current(url) == "0002"
        await migrate.downgrade(url, "0001")
        async with engine.connect() as conn:
            users = (await conn.execute(text('SELECT email FROM "user"'))).scalars().all()
        await engine.dispose()
        assert users == ["a@example.com"]


def test_revisions_do_not_import_model_code() -> None:
    versions = sorted((migrate.MIGRATIONS_DIR / "versions").glob("*.py"))
    assert versions
    for path in versions:
        tree = ast.parse(path.read_text())
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        allowed = {"__future__", "collections", "logging", "alembic", "sqlalchemy"}
        assert imported <= allowed, path.name


FAILING_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    raise RuntimeError("migration bug")


def downgrade():
    op.drop_table("half_done")
"""


@on_every_backend
async def test_failed_migration_changes_nothing(backend, tmp_path, monkeypatch) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    before = migrate.head()
    (scripts / "versions" / "0002_broken.py").write_text(FAILING_REVISION.format(down=before))
    async with fresh_database(backend, tmp_path) as url:
        await migrate.upgrade(url)
        monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
        with pytest.raises(RuntimeError, match="migration bug"):
            await migrate.upgrade(url)
        assert await migrate.current(url) == before
        assert "half_done" not in await table_names(url)
