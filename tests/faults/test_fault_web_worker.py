"""A web worker SIGKILLed in the middle of a state-changing request (the real app under uvicorn, SQLite).

The request is a sign-up. The test's own app factory (``fault_app.py``) holds it after its rows reached the
database and before the commit; the worker is killed there. After a restart the database has none of it, the
client's retry of the same request succeeds once, and a second retry is refused as a duplicate (409) instead of
creating a second account: a retry after an unknown outcome is safe.
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
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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


def test_worker_killed_mid_request_leaves_all_or_nothing_and_the_retry_is_safe(server: Server, tmp_path: Path) -> None:
    home, hold = tmp_path / "home", tmp_path / "hold"
    server.start()
    before = _accounts(home)
    hold.touch()
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(httpx.post(f"{server.base}/api/v1/auth/signup", json=SIGNUP, timeout=60))
        except httpx.TransportError as exc:
            outcome.append(exc)

    client = threading.Thread(target=send, daemon=True)
    client.start()
    paused = Path(f"{hold}.paused")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not paused.exists():
        time.sleep(0.02)
    assert paused.exists(), f"the sign-up never reached its commit: {outcome}"
    server.kill()  # the rows are in the database's hands, the commit never came
    client.join(10)
    assert outcome and isinstance(outcome[0], httpx.TransportError), "the client got an answer from a killed worker"
    hold.unlink()
    assert _accounts(home) == before  # nothing of the interrupted request

    server.start()
    assert _accounts(home) == before
    retry = httpx.post(f"{server.base}/api/v1/auth/signup", json=SIGNUP, timeout=30)
    assert retry.status_code == 201, retry.text
    again = httpx.post(f"{server.base}/api/v1/auth/signup", json=SIGNUP, timeout=30)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    assert _accounts(home) == before + 1  # exactly one account for the request sent three times
    login = httpx.post(f"{server.base}/api/v1/auth/login", json={"username": SIGNUP["username"],
                       "password": SIGNUP["password"]}, timeout=30)  # fmt: skip
    assert login.status_code == 200
