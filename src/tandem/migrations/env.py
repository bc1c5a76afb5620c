"""Alembic environment: runs migrations on the connection or URL the caller configured.

Every run is one transaction, on SQLite too. Python's sqlite3 driver runs DDL outside any transaction until
its first INSERT/UPDATE, so a process killed half-way used to leave the first revision's tables behind with no
row in ``alembic_version``, and every later run failed on "table … already exists". For SQLite the engine
therefore hands transaction control to SQLAlchemy (driver isolation level off, an explicit ``BEGIN``) and
Alembic is told the DDL is transactional: a killed run leaves the database as it was before the run.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, event, pool
from sqlalchemy.engine import Connection, Engine

config = context.config
target_metadata = config.attributes.get("target_metadata")


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (given by the caller, or opened from the URL)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _transactional_sqlite(engine)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            transactional_ddl=True if sqlite else None,
        )
        with context.begin_transaction():
            context.run_migrations()


def _transactional_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 driver, open the transaction, so DDL runs inside it."""

    @event.listens_for(engine, "connect")
    def _driver_autocommit(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
