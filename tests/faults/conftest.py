"""Fault injection: each test breaks one thing for real and proves nothing is lost or done twice.

* ``test_fault_web_worker.py`` — the real app under uvicorn is SIGKILLed in the middle of a state-changing request
  (held open by a route the test's own app factory adds); after a restart the DB holds all or nothing of it, and
  the client's retry creates exactly one record.
* ``test_fault_backtest_job.py`` — a backtest job's child process is SIGKILLed mid-run: the job ends ``failed`` with
  a reason that says the process was killed, never stays ``running``, never gets a result; a job whose *server* died
  is failed by the next worker that polls once its time limit has passed, not only at the next start-up.
* ``test_fault_ray_worker.py`` (marker ``ray``) — the Ray worker process running a sweep chunk is SIGKILLed; Ray
  reruns the task and the sweep table equals the clean run's exactly.
* ``test_fault_pg_terminate.py`` (marker ``postgres``) — ``pg_terminate_backend`` on the app engine's connections,
  idle in the pool and in the middle of a transaction: pre-ping replaces the dead ones, the interrupted write is
  rolled back entirely, and the next unit of work succeeds.
* ``test_fault_redis_drop.py`` (marker ``redis``) — ``CLIENT KILL`` on the event consumer's connection between its
  read and its acknowledgement: the client reconnects, the consumer group hands the pending entries back, every event
  is stored once and every entry acknowledged once.
* ``test_fault_disk_full.py`` — a market-data import into a store on a tiny tmpfs (ENOSPC injected at the write
  call when mounting is not permitted): ``CURRENT`` and every file stay exactly as before, and the error names the
  disk and the fix.
* ``test_fault_migration.py`` — ``alembic upgrade`` SIGKILLed half-way on SQLite and on PostgreSQL: the rerun
  completes and the schema equals a clean upgrade (the drift check of ``tests/migrations``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A throwaway schema in the real test database (dropped afterwards), so the run cannot collide with others."""
    schema = f"fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
