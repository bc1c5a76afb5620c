"""``pg_terminate_backend`` on the app engine's connections (real PostgreSQL): idle in the pool and mid-transaction.

The engine is the app's own (:func:`tandem.core.db.make_engine`, what ``create_app`` uses) and the writes go through
:func:`session_scope`, the unit of work of every service: a killed idle connection is replaced by pre-ping before the
next request uses it, a transaction killed half-way leaves none of its rows, and the next unit of work succeeds.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tandem.backtest.jobs.models import BacktestJob
from tandem.core.db import make_engine, make_sessionmaker, session_scope
from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore
from tandem.migrations.runner import upgrade
from tandem.web.app import create_app

with warnings.catch_warnings():  # starlette deprecates the httpx-backed TestClient (as in tests/web/conftest.py)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_engine(pg_schema_url: str) -> Iterator[Engine]:
    upgrade(pg_schema_url)
    engine = make_engine(pg_schema_url)
    yield engine
    engine.dispose()


@pytest.fixture
def admin(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url, poolclass=NullPool)
    yield engine
    engine.dispose()


def _terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar() is True


def _job(owner: int) -> BacktestJob:
    return BacktestJob(owner_user_id=owner, spec={"name": f"pg-{owner}"})


def _count(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions) as s:
        return int(s.scalar(select(func.count()).select_from(BacktestJob)) or 0)


def test_idle_pooled_connections_killed_are_replaced_by_pre_ping(app_engine: Engine, admin: Engine) -> None:
    sessions = make_sessionmaker(app_engine)
    with session_scope(sessions) as s:  # the pool now holds one idle, checked-in connection
        pid = int(s.scalar(text("SELECT pg_backend_pid()")) or 0)
        s.add(_job(1))
    _terminate(admin, pid)
    with session_scope(sessions) as s:  # the next request: no error, a fresh backend
        assert s.scalar(text("SELECT pg_backend_pid()")) != pid
        s.add(_job(2))
    assert _count(sessions) == 2


def test_a_transaction_killed_midway_is_rolled_back_and_the_next_one_succeeds(
    app_engine: Engine, admin: Engine
) -> None:
    sessions = make_sessionmaker(app_engine)
    with pytest.raises(DBAPIError) as info, session_scope(sessions) as s:
        s.add_all([_job(10), _job(11)])
        s.flush()  # two rows written inside the open transaction …
        _terminate(admin, int(s.scalar(text("SELECT pg_backend_pid()")) or 0))
        s.add(_job(12))
        s.flush()  # … and the connection dies before the third and the commit
    assert info.value.connection_invalidated
    assert _count(sessions) == 0  # none of the interrupted unit of work is there
    with session_scope(sessions) as s:
        s.add(_job(13))
    with session_scope(sessions) as s:
        assert list(s.scalars(select(BacktestJob.owner_user_id))) == [13]


def test_the_app_answers_a_killed_transaction_with_a_clean_503_and_the_retry_succeeds(
    pg_schema_url: str, admin: Engine, sample_store: MarketStore, tmp_path: Path
) -> None:
    """Through the real app: idle pooled connections killed between requests, then one killed inside a sign-up's
    commit (by the test's own session hook). The client gets a 503 it may retry; nothing of it was saved."""
    settings = Settings(home=tmp_path / "home", database_url=pg_schema_url, secret_key="k" * 48)
    app = create_app(settings, store=sample_store)
    sessions = app.state.tandem.sessions
    backends: set[int] = set()
    armed: list[bool] = []

    @event.listens_for(sessions, "after_begin")
    def _seen(session: Session, _tx: object, conn: Connection) -> None:
        backends.add(int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() or 0))

    @event.listens_for(sessions, "before_commit")
    def _kill_inside_commit(session: Session) -> None:
        if armed:
            armed.clear()
            session.flush()
            _terminate(admin, int(session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar() or 0))

    def signup(name: str) -> httpx.Response:
        body = {"username": f"{name}@example.com", "password": "Correct-horse-42"}
        return client.post("/api/v1/auth/signup", json=body)

    def accounts() -> int:
        with admin_schema.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM app_users")).scalar() or 0)

    admin_schema = create_engine(pg_schema_url, poolclass=NullPool)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert signup("first").status_code == 201
        for pid in sorted(backends):  # every connection the app has used, idle in its pool now
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        assert signup("second").status_code == 201  # pre-ping: no error reaches the client
        before = accounts()

        armed.append(True)
        lost = signup("third")
        assert lost.status_code == 503 and lost.headers["retry-after"] == "1"
        assert lost.headers["content-type"].startswith("application/problem+json")
        assert "nothing of it was saved" in lost.json()["detail"]
        assert accounts() == before  # the interrupted sign-up left nothing

        assert signup("third").status_code == 201  # the retry
        assert signup("third").status_code == 409  # and only once
        assert accounts() == before + 1
    admin_schema.dispose()
