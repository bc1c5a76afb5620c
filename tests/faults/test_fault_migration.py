"""A migration run SIGKILLed half-way (several revisions applied, the next one creating tables) on SQLite and on
PostgreSQL: the database is left at a revision boundary, a rerun completes, and the schema equals a clean upgrade."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from tandem.core.db import Base
from tandem.migrations.runner import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from model_registry import import_all_models

# The child runs the real upgrade; a listener on every engine pauses it on the first CREATE TABLE after the third
# revision was recorded, so the kill lands inside the fourth revision with three behind it. The pause only holds the
# window open; the kill is real.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from tandem.migrations.runner import upgrade
    marker = Path(sys.argv[2])
    seen = {"versions": 0}
    @event.listens_for(Engine, "after_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):
        sql = statement.lstrip().upper()
        if "ALEMBIC_VERSION" in sql and (sql.startswith("UPDATE") or sql.startswith("INSERT")):
            seen["versions"] += 1
        elif sql.startswith("CREATE TABLE") and seen["versions"] >= 3:
            marker.write_text(statement)
            time.sleep(120)
    upgrade(sys.argv[1])
    """
)


def _drift(engine: Engine) -> list[object]:
    import_all_models()
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), Base.metadata))


def _kill_mid_upgrade(url: str, tmp_path: Path) -> str:
    marker = tmp_path / "paused.sql"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(marker)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not marker.exists() and child.poll() is None:
            time.sleep(0.02)
        assert marker.exists(), f"the upgrade never reached its fourth revision (exit code {child.poll()})"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    return marker.read_text()


def _check(url: str, engine: Engine, tmp_path: Path) -> None:
    paused_on = _kill_mid_upgrade(url, tmp_path)
    assert "CREATE TABLE" in paused_on
    upgrade(url)  # the rerun completes …
    assert _drift(engine) == []  # … and the schema is exactly the models' (what a clean upgrade gives)
    with engine.connect() as conn:
        heads = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert len(heads) == 1
    assert {"audit_log", "app_users", "backtest_jobs"} <= set(inspect(engine).get_table_names())


def test_sqlite_migration_killed_midway_reruns_to_the_clean_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _check(url, create_engine(url, poolclass=NullPool), tmp_path)


@pytest.mark.postgres
def test_postgresql_migration_killed_midway_reruns_to_the_clean_schema(pg_schema_url: str, tmp_path: Path) -> None:
    engine = create_engine(pg_schema_url, poolclass=NullPool)
    try:
        _check(pg_schema_url, engine, tmp_path)
    finally:
        engine.dispose()
