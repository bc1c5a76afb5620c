"""The app's one schema path: Alembic to head at start-up, one process at a time (file lock / PostgreSQL lock)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool, text

from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore
from tandem.migrations.migrate import LOCK_FILE, PG_LOCK_KEY, file_lock, migrate_app_db, pg_advisory_lock
from tandem.migrations.runner import alembic_config
from tandem.web.app import create_app

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
BLOCKED_FOR = 1.5  # an unlocked upgrade of an empty DB takes well under this


def _revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        if "alembic_version" not in inspect(engine).get_table_names():
            return None
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def _migrate_while_locked(settings: Settings, hold: object) -> None:
    """Start a migration while ``hold`` (a lock context) is held: it must wait for the release, then finish."""
    done = threading.Thread(target=migrate_app_db, args=(settings,))
    with hold:  # type: ignore[attr-defined]
        done.start()
        done.join(timeout=BLOCKED_FOR)
        assert done.is_alive(), "the migration ran while another process held the lock"
        assert _revision(settings.sqlalchemy_url) is None
    done.join(timeout=30)
    assert not done.is_alive()
    assert _revision(settings.sqlalchemy_url) == HEAD


def test_create_app_migrates_a_fresh_sqlite_db_to_head(tmp_path: Path, sample_store: MarketStore) -> None:
    settings = Settings(home=tmp_path / "home", secret_key="m" * 40)
    create_app(settings, store=sample_store)
    assert _revision(settings.sqlalchemy_url) == HEAD
    assert (settings.home / LOCK_FILE).exists()
    create_app(settings, store=sample_store)  # the second worker (or a restart) finds it at head
    assert _revision(settings.sqlalchemy_url) == HEAD


def test_sqlite_migration_waits_for_the_file_lock(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    _migrate_while_locked(settings, file_lock(settings.home / LOCK_FILE))


def test_two_processes_starting_at_once_both_succeed(tmp_path: Path) -> None:
    """What ``uvicorn --workers 2`` does: two processes migrate the same fresh DB at the same moment."""
    home = tmp_path / "home"
    code = (
        "import sys; from tandem.core.settings import Settings; from tandem.migrations.migrate import migrate_app_db; "
    )
    code += "migrate_app_db(Settings(home=sys.argv[1]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(home)], stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()[-2000:]
    assert _revision(Settings(home=home).sqlalchemy_url) == HEAD


def test_tables_without_alembic_version_are_refused_with_a_fix(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.home.mkdir(parents=True)
    engine = create_engine(settings.sqlalchemy_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE app_users (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(UserError, match=r"no Alembic version.*move it aside"):
        migrate_app_db(settings)


@pytest.fixture
def pg_settings(pg_schema_url: str, tmp_path: Path) -> Settings:
    """Settings on a throwaway schema of the real PostgreSQL test DB."""
    return Settings(home=tmp_path / "home", database_url=pg_schema_url)


@pytest.mark.postgres
def test_postgresql_migration_waits_for_the_advisory_lock(pg_settings: Settings) -> None:
    _migrate_while_locked(pg_settings, pg_advisory_lock(pg_settings.sqlalchemy_url, PG_LOCK_KEY))
    assert not (pg_settings.home / LOCK_FILE).exists()  # the database's lock, not the home's
    migrate_app_db(pg_settings)  # at head: nothing to do, the lock was released
    assert _revision(pg_settings.sqlalchemy_url) == HEAD
