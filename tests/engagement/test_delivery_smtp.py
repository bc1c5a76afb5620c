"""E-mail through a local aiosmtpd server: delivery, SMTP down → retries → dead letter, and a SIGKILLed dispatcher."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from delivery_fixtures import NOON, candidate, client, pg_sessions, push_service, sqlite_sessions
from delivery_smtp_fixtures import Addresses, free_port, smtp_server
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import session_scope, utcnow
from tandem.engagement.delivery.channels.receipts import ReceiptLedger
from tandem.engagement.delivery.channels.smtp import SmtpEmailChannel
from tandem.engagement.delivery.dead_letters import list_dead_letters
from tandem.engagement.delivery.dispatcher import DispatchConfig, Dispatcher
from tandem.engagement.delivery.models import OutboxRow

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"


def _channel(sessions: sessionmaker[Session], port: int, addresses: Addresses | None = None) -> SmtpEmailChannel:
    return SmtpEmailChannel(
        host="127.0.0.1",
        port=port,
        sender="noreply@tandem.local",
        addresses=addresses or Addresses(),
        receipts=ReceiptLedger(sessions=sessions, channel="email"),
        timeout=5,
    )


def _enqueue_email(sessions: sessionmaker[Session], clients: list[str]) -> None:
    svc = push_service(sessions)
    with session_scope(sessions) as s:
        svc.submit(
            s,
            candidates=[candidate(c, f"m-{c}", channel="email") for c in clients],
            clients={c: client(c) for c in clients},
            now=NOON,
        )


def _statuses(sessions: sessionmaker[Session]) -> list[str]:
    with session_scope(sessions) as s:
        return list(s.scalars(select(OutboxRow.status).order_by(OutboxRow.id)))


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return sqlite_sessions(str(tmp_path / "app.db"))


def test_email_is_delivered_once_with_the_disclaimer_and_a_key_derived_message_id(
    sessions: sessionmaker[Session],
) -> None:
    _enqueue_email(sessions, ["c1", "c2"])
    with smtp_server() as (inbox, port):
        d = Dispatcher(sessions=sessions, channels={"email": _channel(sessions, port)})
        assert d.run_once().sent == 2
        m1 = inbox.messages[0]
        assert len(inbox.messages) == 2
        assert m1["To"] == "c1@example.com" and "涨停" in str(m1["Subject"])
        body = m1.get_content()
        assert "风险提示" in body and "数据截至 2024-03-05" in body
        with session_scope(sessions) as s:
            key = s.scalars(select(OutboxRow.idempotency_key).order_by(OutboxRow.id)).first()
        assert m1["Message-ID"] == f"<{key}@tandem.push>"
    assert _statuses(sessions) == ["sent", "sent"]


def test_smtp_down_retries_with_backoff_then_dead_letters(sessions: sessionmaker[Session]) -> None:
    _enqueue_email(sessions, ["c1"])
    now = [NOON]
    dead_port = free_port()  # nothing listens here
    cfg = DispatchConfig(max_attempts=3, backoff_base=timedelta(seconds=5))
    d = Dispatcher(
        sessions=sessions, channels={"email": _channel(sessions, dead_port)}, config=cfg, clock=lambda: now[0]
    )
    outcomes = []
    for _ in range(3):
        r = d.run_once()
        outcomes.append((r.retried, r.dead))
        now[0] += timedelta(minutes=1)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    [dead] = list_dead_letters(sessions)
    assert "SMTP 127.0.0.1" in dead.error and "ConnectionRefusedError" in dead.error
    assert "@" not in dead.error.replace("@tandem", "")  # no address in the error


def test_a_client_without_an_address_is_dead_lettered_without_retrying(sessions: sessionmaker[Session]) -> None:
    _enqueue_email(sessions, ["c1"])
    with smtp_server() as (inbox, port):
        ch = _channel(sessions, port, Addresses(missing=frozenset({"c1"})))
        r = Dispatcher(sessions=sessions, channels={"email": ch}).run_once()
    assert (r.dead, r.retried, inbox.messages) == (1, 0, [])
    assert "client c1 has no e-mail address" in list_dead_letters(sessions)[0].error


def _crash_then_recover(sessions: sessionmaker[Session], url: str) -> None:
    clients = [f"c{i}" for i in range(5)]
    _enqueue_email(sessions, clients)
    with smtp_server() as (inbox, port):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)])}
        proc = subprocess.run(
            [sys.executable, str(HERE / "delivery_crash_worker.py"), url, str(port), "3"],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert proc.returncode == -9, proc.stderr.decode()
        assert len(inbox.messages) == 3
        assert _statuses(sessions) == ["sent", "sent", "sending", "sending", "sending"]
        later = utcnow() + DispatchConfig().lease + timedelta(seconds=1)
        report = Dispatcher(
            sessions=sessions, channels={"email": _channel(sessions, port)}, clock=lambda: later
        ).run_once()
        assert report.leased == 3 and report.sent == 3
        ids = inbox.message_ids()
    assert len(ids) == 5 and len(set(ids)) == 5  # nothing lost, nothing mailed twice
    assert sorted(str(m["To"]) for m in inbox.messages) == sorted(f"{c}@example.com" for c in clients)
    assert _statuses(sessions) == ["sent"] * 5


def test_sigkilled_dispatcher_loses_nothing_and_mails_nothing_twice_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    _crash_then_recover(sqlite_sessions(str(path)), f"sqlite:///{path}")


@pytest.fixture
def pg(postgres_url: str) -> Iterator[tuple[sessionmaker[Session], str]]:
    with pg_sessions(postgres_url) as pair:
        yield pair


@pytest.mark.postgres
def test_sigkilled_dispatcher_loses_nothing_and_mails_nothing_twice_postgres(
    pg: tuple[sessionmaker[Session], str],
) -> None:
    _crash_then_recover(*pg)
