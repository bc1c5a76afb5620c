"""``pg_terminate_backend`` on the app engine's connections (real PostgreSQL): idle in the pool and mid-transaction.

The engine is the app's own (:func:`tandem.core.db.make_engine`, what ``create_app`` uses) and the writes go through
:func:`session_scope`, the unit of work of every service: a killed idle connection is replaced by pre-ping before the
next request uses it, a transaction killed half-way leaves none of its rows, and the next unit of work succeeds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tandem.backtest.jobs.models import BacktestJob
from tandem.core.db import make_engine, make_sessionmaker, session_scope
from tandem.migrations.runner import upgrade

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
