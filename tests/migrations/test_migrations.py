"""The Alembic migrations create exactly the models' schema, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from tandem.core.db import Base
from tandem.migrations.runner import downgrade, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from model_registry import import_all_models


def _drift(engine: Engine) -> list[object]:
    import_all_models()
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), Base.metadata))


def _check_roundtrip(url: str, engine: Engine) -> None:
    upgrade(url)
    upgrade(url)  # idempotent
    assert _drift(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert {"audit_log", "app_users", "wealth_plan", "backtest_jobs", "saved_screens"} <= tables
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, subject, decision, rule_version) VALUES "
                "(CURRENT_TIMESTAMP, 'u1', 'check', 'C2:R4', 'blocked', 'v1')"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET decision = 'allowed'"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert _drift(engine) == []


def test_sqlite_upgrade_matches_models_and_guards_the_audit_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _check_roundtrip(url, create_engine(url))


@pytest.mark.postgres
def test_postgresql_upgrade_matches_models_and_guards_the_audit_log(pg_schema_url: str) -> None:
    engine = create_engine(pg_schema_url)
    try:
        _check_roundtrip(pg_schema_url, engine)
    finally:
        engine.dispose()
