"""A web worker SIGKILLed in the middle of two state-changing requests (the real app under uvicorn, SQLite).

The test's own app factory (``fault_app.py``) holds a sign-up after its row reached the database and before the
commit, and an event batch after the event store took it and before the answer; one SIGKILL interrupts both. After a
restart the database has none of the sign-up and the store all of the batch; the clients, who got no answer, retry:
the sign-up succeeds once and a second retry is a 409 (no second account), the batch is answered with every event a
duplicate (the events API promises idempotency by event id), so each event is stored once.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tandem.engagement.event_store import ParquetEventStore
from tandem.marketdata.store import MarketStore

HERE = Path(__file__).resolve().parent
SIGNUP = {"username": "fault.kill@example.com", "password": "Correct-horse-42", "display_name": "kill"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One ``uvicorn --factory fault_app:create_app`` process on a fixed home and port."""

    def __init__(self, home: Path, market: Path, hold: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path]),
            "TANDEM_HOME": str(home),
            "TANDEM_SECRET_KEY": "fault-secret-key-0123456789abcdef-0123456789",
            "TANDEM_FAULT_MARKET": str(market),
            "TANDEM_FAULT_HOLD": str(hold),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "uvicorn", "fault_app:create_app", "--factory", "--port", str(self.port),
               "--log-level", "warning"]  # fmt: skip
        self.proc = subprocess.Popen(cmd, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the server exited with {self.proc.returncode}"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer /healthz within 60 s")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path, sample_store: MarketStore) -> Iterator[Server]:
    srv = Server(tmp_path / "home", sample_store.root, tmp_path / "hold")
    yield srv
    srv.stop()


def _accounts(home: Path) -> int:
    with sqlite3.connect(home / "tandem.db") as conn:
        return int(conn.execute("SELECT count(*) FROM app_users").fetchone()[0])


def _batch(n: int, client_id: int) -> list[dict[str, object]]:
    now = datetime.now(UTC).isoformat()
    base = {"client_id": client_id, "type": "search", "client_time": now, "session_id": "s", "channel": "h5"}
    return [base | {"event_id": str(uuid.uuid4()), "properties": {"query": f"银行{i}"}} for i in range(n)]


def _stored(home: Path, batch: list[dict[str, object]]) -> list[int]:
    """How often each event of ``batch`` is in the event store."""
    ids = ParquetEventStore(home / "events").read()["event_id"].to_list()
    return [ids.count(e["event_id"]) for e in batch]


def _post(url: str, outcome: list[object], **kwargs: Any) -> threading.Thread:
    def send() -> None:
        try:
            outcome.append(httpx.post(url, timeout=60, **kwargs))
        except httpx.TransportError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def _wait_for(path: Path, what: list[object]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.02)
    answered = [o.text if isinstance(o, httpx.Response) else o for o in what]
    assert path.exists(), f"the request never reached its hold: {answered}"


def test_worker_killed_mid_request_leaves_all_or_nothing_and_the_retry_is_safe(server: Server, tmp_path: Path) -> None:
    home, hold = tmp_path / "home", tmp_path / "hold"
    server.start()
    reader = {"username": "fault.reader@example.com", "password": SIGNUP["password"]}
    created = httpx.post(f"{server.base}/api/v1/auth/signup", json=reader, timeout=30)
    assert created.status_code == 201, created.text
    token = httpx.post(f"{server.base}/api/v1/auth/login", json=reader, timeout=30).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    before = _accounts(home)
    batch = _batch(4, int(created.json()["id"]))

    hold.touch()
    Path(f"{hold}.events").touch()
    signup_outcome: list[object] = []
    events_outcome: list[object] = []
    signup = _post(f"{server.base}/api/v1/auth/signup", signup_outcome, json=SIGNUP)
    events = _post(f"{server.base}/api/v1/events", events_outcome, json={"events": batch}, headers=auth)
    _wait_for(Path(f"{hold}.paused"), signup_outcome)  # the sign-up's row sent, not committed
    _wait_for(Path(f"{hold}.events.paused"), events_outcome)  # the batch stored, the client not told
    server.kill()
    signup.join(10)
    events.join(10)
    for outcome in (signup_outcome, events_outcome):
        assert outcome and isinstance(outcome[0], httpx.TransportError), "a killed worker answered"
    hold.unlink()
    Path(f"{hold}.events").unlink()
    assert _accounts(home) == before  # nothing of the interrupted sign-up
    assert _stored(home, batch) == [1] * len(batch)  # all of the interrupted batch

    server.start()
    retry = httpx.post(f"{server.base}/api/v1/auth/signup", json=SIGNUP, timeout=30)
    assert retry.status_code == 201, retry.text
    again = httpx.post(f"{server.base}/api/v1/auth/signup", json=SIGNUP, timeout=30)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    assert _accounts(home) == before + 1  # exactly one account for the request sent three times
    replay = httpx.post(f"{server.base}/api/v1/events", json={"events": batch}, headers=auth, timeout=30)
    assert replay.status_code == 202, replay.text
    assert replay.json() == {"received": len(batch), "stored": 0, "duplicates": len(batch)}
    assert _stored(home, batch) == [1] * len(batch)  # each event once
