"""The transactional outbox and the dispatcher on SQLite: same-transaction writes, retries, dead letters, leases."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from delivery_fixtures import NOON, RecordingChannel, candidate, client, push_service, sqlite_sessions
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.models import AuditLogRow
from tandem.compliance.suitability import ProductRisk
from tandem.core.db import session_scope
from tandem.core.errors import ConflictError, NotFoundError
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError
from tandem.engagement.delivery.channels.inapp import InAppChannel, notifications_for
from tandem.engagement.delivery.dead_letters import list_dead_letters, replay_dead_letters
from tandem.engagement.delivery.dispatcher import DispatchConfig, Dispatcher
from tandem.engagement.delivery.models import DeadLetterRow, OutboxRow, PushDecisionRow


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return sqlite_sessions(str(tmp_path / "app.db"))


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with session_scope(sessions) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _enqueue(sessions: sessionmaker[Session], n: int = 1, **kw: object) -> None:
    svc = push_service(sessions)
    with session_scope(sessions) as s:
        svc.submit(s, candidates=[candidate(fact=f"f{i}", **kw) for i in range(n)], clients={"c1": client()}, now=NOON)


def test_push_rows_commit_or_roll_back_with_the_change_that_caused_them(sessions: sessionmaker[Session]) -> None:
    svc = push_service(sessions)
    with pytest.raises(RuntimeError, match="cause failed"), session_scope(sessions) as s:
        s.add(AuditLogRow(actor="t", action="alert.fired", subject="c1", decision="fired", rule_version="v1"))
        svc.submit(s, candidates=[candidate()], clients={"c1": client()}, now=NOON)
        raise RuntimeError("cause failed")
    assert _count(sessions, OutboxRow) == 0 and _count(sessions, PushDecisionRow) == 0
    assert _count(sessions, AuditLogRow) == 0
    with session_scope(sessions) as s:
        s.add(AuditLogRow(actor="t", action="alert.fired", subject="c1", decision="fired", rule_version="v1"))
        svc.submit(s, candidates=[candidate()], clients={"c1": client()}, now=NOON)
    assert _count(sessions, OutboxRow) == 1 and _count(sessions, AuditLogRow) == 1


def test_every_decision_is_stored_with_its_reason_rule_and_source_events(sessions: sessionmaker[Session]) -> None:
    svc = push_service(sessions)
    cands = [
        candidate(),
        candidate(),  # duplicate
        candidate(fact="r5", category="recommendation", product_code="F9", product_risk=ProductRisk.R5),
    ]
    with session_scope(sessions) as s:
        svc.submit(s, candidates=cands, clients={"c1": client()}, now=NOON)
    with session_scope(sessions) as s:
        rows = s.scalars(select(PushDecisionRow).order_by(PushDecisionRow.id)).all()
        assert [(r.outcome, r.reason) for r in rows] == [
            ("accepted", "ok"),
            ("rejected", "duplicate"),
            ("rejected", "suitability"),
        ]
        assert rows[0].rule == "mover.limit_up_hit/v1"
        assert rows[0].trace["source_events"] == ["session:2024-03-05:f1"]
        out = s.scalars(select(OutboxRow)).one()
        assert out.idempotency_key == rows[0].outbox_key
        assert "风险提示" in out.body and "数据截至 2024-03-05" in out.body
        assert s.scalar(select(func.count()).select_from(AuditLogRow)) == 1  # the suitability check, audited
    # a second run of the same trigger enqueues nothing new (dedup survives across transactions)
    with session_scope(sessions) as s:
        again = svc.submit(s, candidates=[candidate()], clients={"c1": client()}, now=NOON)
    assert again[0].reason.value == "duplicate"
    assert _count(sessions, OutboxRow) == 1


def test_caps_count_what_is_already_in_the_outbox(sessions: sessionmaker[Session]) -> None:
    svc = push_service(sessions, cap_client=3)
    for batch in range(3):
        with session_scope(sessions) as s:
            svc.submit(
                s, candidates=[candidate(fact=f"b{batch}-{i}") for i in range(2)], clients={"c1": client()}, now=NOON
            )
    assert _count(sessions, OutboxRow) == 3
    with session_scope(sessions) as s:
        reasons = s.scalars(select(PushDecisionRow.reason).order_by(PushDecisionRow.id)).all()
    assert reasons == ["ok", "ok", "ok", "cap_client", "cap_client", "cap_client"]


def test_dispatcher_delivers_in_app_once_and_marks_sent(sessions: sessionmaker[Session]) -> None:
    _enqueue(sessions, 3)
    channel = InAppChannel(sessions=sessions)
    d = Dispatcher(sessions=sessions, channels={"inapp": channel}, clock=Clock())
    report = d.run_once()
    assert (report.leased, report.sent) == (3, 3)
    assert d.run_once().leased == 0
    notes = notifications_for(sessions, client_id="c1")
    assert len(notes) == 3 and all("风险提示" in n.body for n in notes)
    # a redelivery of the same key (a crashed dispatcher's lease) stores nothing new
    with session_scope(sessions) as s:
        row = s.scalars(select(OutboxRow)).first()
        assert row is not None
        msg = OutgoingMessage(row.idempotency_key, row.client_id, "inapp", row.category, row.title, row.body)
    channel.send(msg)
    assert len(notifications_for(sessions, client_id="c1")) == 3


def test_transient_failures_back_off_exponentially_then_dead_letter_and_replay(sessions: sessionmaker[Session]) -> None:
    _enqueue(sessions, 1)
    clock = Clock()
    flaky = RecordingChannel(fail=100)
    cfg = DispatchConfig(max_attempts=3, backoff_base=timedelta(seconds=10))
    d = Dispatcher(sessions=sessions, channels={"inapp": flaky}, config=cfg, clock=clock)
    waits = []
    for _ in range(3):
        report = d.run_once()
        assert report.leased == 1
        with session_scope(sessions) as s:
            row = s.scalars(select(OutboxRow)).one()
            waits.append((row.status, row.attempts, row.next_attempt_at.replace(tzinfo=NOON.tzinfo) - clock.now))
            assert "simulated outage" in (row.last_error or "")
        assert d.run_once().leased == 0  # not due before its backoff
        clock.now += timedelta(seconds=40)
    assert waits[0] == ("pending", 1, timedelta(seconds=10))
    assert waits[1] == ("pending", 2, timedelta(seconds=20))
    assert waits[2][:2] == ("dead", 3)
    [dead] = list_dead_letters(sessions)
    assert dead.attempts == 3 and "simulated outage #3" in dead.error and dead.client_id == "c1"
    with pytest.raises(NotFoundError, match="no dead letter with id"):
        replay_dead_letters(sessions, ids=[dead.id, 999], actor="ops")
    assert list_dead_letters(sessions)[0].replayed_at is None  # the rejected replay changed nothing
    ok = RecordingChannel()
    replay_dead_letters(sessions, ids=[dead.id], actor="ops", now=clock.now)
    with pytest.raises(ConflictError, match="already replayed"):
        replay_dead_letters(sessions, ids=[dead.id], actor="ops")
    assert Dispatcher(sessions=sessions, channels={"inapp": ok}, clock=clock).run_once().sent == 1
    assert len(ok.sent) == 1 and list_dead_letters(sessions) == []
    assert len(list_dead_letters(sessions, include_replayed=True)) == 1


def test_permanent_failure_is_dead_lettered_at_once(sessions: sessionmaker[Session]) -> None:
    _enqueue(sessions, 1)

    class NoAddress(RecordingChannel):
        def send(self, message: OutgoingMessage) -> None:
            raise PermanentChannelError(f"client {message.client_id} has no e-mail address on file")

    report = Dispatcher(sessions=sessions, channels={"inapp": NoAddress()}, clock=Clock()).run_once()
    assert (report.dead, report.retried) == (1, 0)
    assert _count(sessions, DeadLetterRow) == 1


def test_rows_of_other_channels_and_deferred_rows_are_left_alone(sessions: sessionmaker[Session]) -> None:
    _enqueue(sessions, 1, channel="email")
    svc = push_service(sessions)
    with session_scope(sessions) as s:  # 23:00 Shanghai: deferred to 08:00
        svc.submit(s, candidates=[candidate(fact="late")], clients={"c1": client()}, now=NOON + timedelta(hours=11))
    clock = Clock()
    clock.now = NOON + timedelta(hours=11)
    rec = RecordingChannel()
    d = Dispatcher(sessions=sessions, channels={"inapp": rec}, clock=clock)
    assert d.run_once().leased == 0
    clock.now = NOON + timedelta(hours=20)  # 08:00 next day
    assert d.run_once().sent == 1 and rec.sent[0].title.endswith("late")


def test_an_expired_lease_is_delivered_again_and_a_live_one_is_not(sessions: sessionmaker[Session]) -> None:
    _enqueue(sessions, 2)
    clock = Clock()
    first = Dispatcher(sessions=sessions, channels={"inapp": RecordingChannel()}, clock=clock)
    assert len(first.lease()) == 2  # leased, then the process "dies"
    second_channel = RecordingChannel()
    second = Dispatcher(sessions=sessions, channels={"inapp": second_channel}, clock=clock)
    assert second.run_once().leased == 0
    clock.now += DispatchConfig().lease + timedelta(seconds=1)
    assert second.run_once().sent == 2


def test_concurrent_dispatchers_on_sqlite_deliver_each_row_once(sessions: sessionmaker[Session]) -> None:
    _enqueue(sessions, 5)
    svc = push_service(sessions, cap_client=1000, cap_channel={"inapp": 1000})
    with session_scope(sessions) as s:
        svc.submit(
            s,
            candidates=[candidate(f"k{i}", f"x{i}") for i in range(120)],
            clients={f"k{i}": client(f"k{i}") for i in range(120)},
            now=NOON,
        )
    channels = [RecordingChannel() for _ in range(4)]
    cfg = DispatchConfig(batch=7)

    def work(ch: RecordingChannel) -> None:
        d = Dispatcher(sessions=sessions, channels={"inapp": ch}, config=cfg, clock=Clock())
        while d.run_once().leased:
            pass

    threads = [threading.Thread(target=work, args=(c,)) for c in channels]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [m.idempotency_key for c in channels for m in c.sent]
    assert len(keys) == 125 and len(set(keys)) == 125


def test_dispatcher_delivers_nothing_inside_quiet_hours_and_moves_retries_out_of_them(
    sessions: sessionmaker[Session],
) -> None:
    from datetime import time

    from delivery_fixtures import SHANGHAI

    from tandem.engagement.delivery.quiet import QuietHours

    _enqueue(sessions, 1)  # due at 12:00 Shanghai
    quiet = QuietHours(time(22, 0), time(8, 0), SHANGHAI)
    clock = Clock()
    clock.now = NOON + timedelta(hours=10, minutes=59)  # 22:59: the dispatcher was down all afternoon
    flaky = RecordingChannel(fail=1)
    d = Dispatcher(sessions=sessions, channels={"inapp": flaky}, quiet=quiet, clock=clock)
    assert d.run_once().leased == 0 and flaky.calls == 0
    clock.now = NOON + timedelta(hours=9, minutes=59, seconds=45)  # 21:59:45: fails, backoff 30 s ends at 22:00:15
    assert d.run_once().retried == 1
    with session_scope(sessions) as s:
        due = s.scalars(select(OutboxRow.next_attempt_at)).one().replace(tzinfo=NOON.tzinfo)
    assert due.astimezone(SHANGHAI).time() == time(8, 0)
    clock.now = due
    assert d.run_once().sent == 1


def test_a_push_that_kills_every_dispatcher_is_dead_lettered_after_max_attempts(
    sessions: sessionmaker[Session],
) -> None:
    _enqueue(sessions, 1)

    class Poison(RecordingChannel):
        def send(self, message: OutgoingMessage) -> None:
            self.calls += 1
            raise SystemExit("the process dies on this message")

    clock = Clock()
    poison = Poison()
    cfg = DispatchConfig(max_attempts=3)
    for _ in range(5):
        with pytest.raises(SystemExit):
            Dispatcher(sessions=sessions, channels={"inapp": poison}, config=cfg, clock=clock).run_once()
        clock.now += cfg.lease + timedelta(seconds=1)
        if poison.calls == 3:
            break
    report = Dispatcher(sessions=sessions, channels={"inapp": poison}, config=cfg, clock=clock).run_once()
    assert (poison.calls, report.dead) == (3, 1)
    [dead] = list_dead_letters(sessions)
    assert "a dispatcher died while delivering it" in dead.error and dead.attempts == 4
