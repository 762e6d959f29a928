"""Schema migrations (Alembic), configured in code: no ``alembic.ini``, no paths to get wrong.

The API is async because its callers (the web app's start-up, jobs, tests) run in an event
loop; the CLI wraps it in :func:`asyncio.run`.

- :func:`upgrade` / :func:`downgrade` / :func:`current` do what ``tradewind db ...`` does.
- :func:`pending_migrations` and :func:`ensure_schema_current` let a process refuse to run on
  a schema that is out of date, with a message that says what to do.

Every migration runs in one transaction, on SQLite too (an explicit ``BEGIN``; Python's
sqlite3 would otherwise run DDL outside any transaction). On SQLite, foreign keys are switched
off while migrating, because batch mode rebuilds a table by copying and dropping it and a
``DROP TABLE`` with foreign keys on would cascade-delete the child rows; a
``PRAGMA foreign_key_check`` before commit refuses a migration that left dangling references.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool
from sqlmodel.sql.sqltypes import AutoString

from core.config import Settings
from core.db import create_engine, is_sqlite
from core.errors import TradewindError
from core.models.base import ONLY_ON_DIALECT, UTCDateTime
from core.models.search_index import is_search_table

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
"""The Alembic script directory inside the package (``env.py``, ``versions/``)."""


class MigrationError(TradewindError):
    """A migration could not run (unknown revision, a failed check); nothing was changed."""


class SchemaOutOfDate(MigrationError):
    """The database schema is not the one this version of Tradewind was built for."""


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands compared with this code's migrations.

    Attributes:
        current: revisions recorded in the database (empty: no Tradewind schema yet).
        heads: the newest revisions this code knows.
        unknown: recorded revisions this code does not know (a newer Tradewind migrated it).
    """

    current: tuple[str, ...]
    heads: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        """Whether the database is exactly at this code's heads."""
        return set(self.current) == set(self.heads)

    def message(self) -> str:
        """One line for people: what is wrong and what to run (empty when up to date)."""
        if self.up_to_date:
            return ""
        heads = ", ".join(self.heads)
        if self.unknown:
            return (
                f"database schema is at revision {', '.join(self.unknown)}, which this version "
                f"of Tradewind does not know (it expects {heads}); a newer Tradewind migrated "
                "it: run that version, or downgrade the schema with it first"
            )
        if not self.current:
            return "database has no Tradewind schema yet: run `tradewind db upgrade`"
        return (
            f"database schema is at revision {', '.join(self.current)} but this version of "
            f"Tradewind needs {heads}: run `tradewind db upgrade`"
        )


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy types in generated migrations.

    Migrations must not import model code: a model changes later, a migration must not.
    """
    if type_ == "type":
        if isinstance(obj, UTCDateTime):
            return "sa.DateTime(timezone=True)"
        if isinstance(obj, AutoString):
            return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def include_object_on(dialect_name: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for ``dialect_name``: skip model items meant for others.

    SQLite's text-search tables (:mod:`core.models.search_index`) are not models either.
    An index built on one database only (``info[ONLY_ON_DIALECT]``, e.g. the PostgreSQL
    trigram indexes of :func:`core.models.base.trigram_index`) does not exist elsewhere, so
    the comparison of migrations with models must not miss it there, and autogenerate on the
    scratch SQLite database must not write it. Such indexes are added by hand-written
    migrations that check the dialect.
    """

    def include_object(
        item: Any, _name: str | None, _type: str, reflected: bool, _compare_to: Any
    ) -> bool:
        if reflected:
            # SQLite's FTS5 tables of the catalog search (and their shadow tables) are made by
            # hand-written SQL, not by the models.
            return not (_type == "table" and is_search_table(_name or ""))
        only_on = getattr(item, "info", {}).get(ONLY_ON_DIALECT)
        return only_on is None or only_on == dialect_name

    return include_object


def migration_context_options(dialect_name: str) -> dict[str, Any]:
    """Options every migration context uses (``env.py`` and the schema comparison in tests)."""
    return {
        "render_as_batch": True,
        "compare_type": True,
        "render_item": render_item,
        "include_object": include_object_on(dialect_name),
    }


def alembic_config(url: str | None = None) -> Config:
    """An Alembic :class:`~alembic.config.Config` for our script directory, built in code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def database_url(target: Settings | str) -> str:
    """The database URL of ``target`` (settings or a URL; libpq URLs get the async driver)."""
    if isinstance(target, Settings):
        return target.effective_database_url
    return Settings(database_url=target).effective_database_url


def head() -> str:
    """The newest revision this code knows (the one ``upgrade()`` goes to)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def _migration_engine(url: str) -> AsyncEngine:
    engine = create_engine(url, poolclass=NullPool)
    if is_sqlite(url):
        sync_engine = engine.sync_engine

        @event.listens_for(sync_engine, "connect")
        def _sqlite_for_migrations(dbapi_connection: Any, _record: Any) -> None:
            # Runs after core.db's pragmas: no implicit transactions, foreign keys off.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.close()

        @event.listens_for(sync_engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        table, rowid, parent, _ = problems[0]
        raise MigrationError(
            f"migration left {len(problems)} row(s) pointing at missing rows "
            f"(first: {table} rowid {rowid} -> {parent}); nothing was changed"
        )


async def _run_command(url: str, action: Callable[[Config], None]) -> None:
    engine = _migration_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_in_transaction, action)
    finally:
        await engine.dispose()


def _run_in_transaction(connection: Connection, action: Callable[[Config], None]) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with connection.begin():
        try:
            action(config)
        except CommandError as exc:
            raise MigrationError(str(exc)) from exc
        _check_foreign_keys(connection)


async def upgrade(target: Settings | str, revision: str = "head") -> None:
    """Migrate the database of ``target`` up to ``revision`` (default: the newest).

    Creates the SQLite file (and its folder) when it does not exist yet.
    """
    await _run_command(database_url(target), lambda cfg: command.upgrade(cfg, revision))


async def downgrade(target: Settings | str, revision: str) -> None:
    """Migrate the database of ``target`` down to ``revision`` (``"base"``: drop everything)."""
    await _run_command(database_url(target), lambda cfg: command.downgrade(cfg, revision))


async def schema_status(target: Settings | str) -> SchemaStatus:
    """Compare the revisions recorded in the database with this code's heads."""
    script = ScriptDirectory.from_config(alembic_config())
    heads = tuple(script.get_heads())
    engine = create_engine(database_url(target), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            recorded = await connection.run_sync(
                lambda sync: tuple(MigrationContext.configure(sync).get_current_heads())
            )
    finally:
        await engine.dispose()
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = tuple(revision for revision in recorded if revision not in known)
    return SchemaStatus(current=recorded, heads=heads, unknown=unknown)


async def current(target: Settings | str) -> str | None:
    """The revision the database is at (``None``: no Tradewind schema yet)."""
    status = await schema_status(target)
    return ",".join(status.current) or None


async def pending_migrations(target: Settings | str) -> bool:
    """Whether the database is not exactly at this code's newest revision."""
    return not (await schema_status(target)).up_to_date


async def ensure_schema_current(target: Settings | str) -> None:
    """Refuse to run on an out-of-date schema (call at web/worker start-up).

    Raises:
        SchemaOutOfDate: with one line that says what to run.
    """
    status = await schema_status(target)
    if not status.up_to_date:
        raise SchemaOutOfDate(status.message())


async def autogenerate_revision(message: str, *, rev_id: str | None = None) -> list[Path]:
    """Write a new revision with the differences between the models and the migrations.

    For developers: migrates a scratch SQLite database to head, compares it with the models
    and writes the operations into ``core/migrations/versions``. Read and tidy the file
    before committing it (autogenerate does not see renames or CHECK constraint changes).

    Returns:
        the paths of the written revision files.
    """
    written: list[Path] = []

    def revise(config: Config) -> None:
        result = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        scripts = result if isinstance(result, list) else [result]
        written.extend(Path(script.path) for script in scripts if script is not None)

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'schema.db'}"
        await upgrade(url)
        await _run_command(url, revise)
    return written
