"""Bring the application DB to the latest Alembic revision when a server process starts, one process at a time.

The migrations in :mod:`tandem.migrations` are the only way tables get created: a fresh dev or test DB goes
through the same revisions as a production one, so the two cannot drift apart. ``uvicorn --workers 2`` calls
``create_app`` in two processes at once; two Alembic runs on an empty DB would both issue ``CREATE TABLE`` and one
would crash, so the run is serialised:

* PostgreSQL: a session-level ``pg_advisory_lock`` held on its own connection while Alembic runs on another. The
  lock lives in the database that is being migrated, so it also holds when the processes do not share a data home
  (two hosts, or two homes on one host, serving one DB), and PostgreSQL drops it if the holder dies.
* SQLite (and any other backend): an exclusive ``fcntl.flock`` on ``<home>/.migrate.lock``. A SQLite file is only
  reachable from one machine, and every worker of a server shares the home; the kernel drops the lock with the
  process.

The second process waits, then finds the DB at head and Alembic does nothing (tens of milliseconds).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog
from sqlalchemy import create_engine, inspect, pool, text
from sqlalchemy.engine import make_url

from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.migrations.runner import upgrade

log = structlog.get_logger(__name__)

LOCK_FILE = ".migrate.lock"
PG_LOCK_KEY = 0x54_41_4E_44_45_4D  # "TANDEM" in ASCII: one key for every Tandem process migrating this database
KNOWN_TABLES = ("app_users", "audit_log", "wealth_plan", "backtest_jobs")


def migrate_app_db(settings: Settings) -> None:
    """Upgrade the DB at ``settings.sqlalchemy_url`` to head, holding the cross-process migration lock."""
    url = settings.sqlalchemy_url
    settings.home.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "postgresql":
        with pg_advisory_lock(url):
            _upgrade(url)
    else:
        with file_lock(settings.home / LOCK_FILE):
            _upgrade(url)


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing); blocks until no other process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def pg_advisory_lock(url: str, key: int = PG_LOCK_KEY) -> Iterator[None]:
    """Hold PostgreSQL's session-level advisory lock ``key`` on a dedicated autocommit connection."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    finally:
        engine.dispose()


def _upgrade(url: str) -> None:
    _refuse_unversioned(url)
    upgrade(url)
    log.info("db.migrated", backend=make_url(url).get_backend_name())


def _refuse_unversioned(url: str) -> None:
    """Stop with a fix when Tandem tables exist without ``alembic_version`` (made by a pre-migration build).

    Alembic would otherwise fail half-way with "table already exists" and leave the operator guessing.
    """
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        names = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if "alembic_version" in names or not names.intersection(KNOWN_TABLES):
        return
    where = make_url(url).render_as_string(hide_password=True)
    raise UserError(
        f"the application database {where} has Tandem tables but no Alembic version (it was created before the "
        "app ran migrations at start-up); move it aside and restart to get a new one (`make run` re-seeds the demo "
        "accounts), or, if its schema is current, mark it with `alembic stamp head` against the same URL"
    )
