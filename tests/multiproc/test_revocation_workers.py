"""Logout everywhere in one web worker is seen by every other worker at once (production mode: PostgreSQL + Redis).

Two uvicorn processes share the database, the data home and Redis. Worker B remembers the bearer check of a token
(its per-worker memo, 5 s); the token is revoked through worker A; the next request to B with the old token is a
401, because A published the revocation after its commit and B's listener dropped the memo entry.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from multiproc_helpers import child_env

from tandem.core.settings import Settings
from tandem.identity import BearerMemo
from tandem.marketdata.store import MarketStore
from tandem.migrations.migrate import migrate_app_db

SECRET = "multiproc-test-secret-0123456789abcdef-0123"
QUOTE = "/api/v1/stocks/600519.SH/quote"  # a read-only endpoint served through the bearer memo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the web worker at {base} exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the web worker at {base} did not answer /healthz within {timeout:g} s")


@pytest.fixture
def two_workers(tmp_path: Path, pg_schema_url: str, redis_url: str, sample_store: MarketStore) -> Iterator[list[str]]:
    """Base URLs of two uvicorn processes on one PostgreSQL schema, one Redis and one data home."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "market").symlink_to(sample_store.root)
    migrate_app_db(Settings(home=home, database_url=pg_schema_url))  # `tandem db upgrade`, before the units start
    env = child_env(home=str(home), database_url=pg_schema_url, redis_url=redis_url, secret_key=SECRET)
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for _ in range(2):
            port = _free_port()
            argv = [sys.executable, "-m", "uvicorn", "--factory", "tandem.web.app:create_app", "--port", str(port)]
            procs.append(subprocess.Popen([*argv, "--host", "127.0.0.1", "--log-level", "warning"], env=env))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            _wait_healthy(base, proc)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.postgres
@pytest.mark.redis
def test_logout_in_worker_a_is_a_401_in_worker_b_at_once(two_workers: list[str]) -> None:
    a, b = two_workers
    with httpx.Client(timeout=30.0) as http:
        user = {"username": "multi.worker@example.com", "password": "abcdefgh12"}
        assert http.post(f"{a}/api/v1/auth/signup", json=user).status_code == 201
        login = http.post(f"{a}/api/v1/auth/login", json=user)
        assert login.status_code == 200, login.text
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert http.get(f"{b}{QUOTE}", headers=bearer).status_code == 200  # B checks the DB and remembers
        remembered = time.monotonic()
        assert http.get(f"{b}{QUOTE}", headers=bearer).status_code == 200  # served from B's memo
        assert http.post(f"{a}/api/v1/auth/logout", headers=bearer).status_code == 204
        after = http.get(f"{b}{QUOTE}", headers=bearer)
        elapsed = time.monotonic() - remembered
        assert after.status_code == 401, after.text
        assert http.get(f"{a}{QUOTE}", headers=bearer).status_code == 401
    # B's memo entry was still fresh: only the published revocation can have dropped it
    assert elapsed < BearerMemo().ttl, f"the check took {elapsed:.1f} s, longer than the memo's {BearerMemo().ttl:g} s"
