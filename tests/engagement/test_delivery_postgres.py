"""The outbox on the real PostgreSQL: SKIP LOCKED leasing, concurrent dispatchers, same-transaction writes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from delivery_fixtures import NOON, RecordingChannel, candidate, client, pg_sessions, push_service
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import session_scope
from tandem.engagement.delivery.channels.inapp import InAppChannel, notifications_for
from tandem.engagement.delivery.dispatcher import DispatchConfig, Dispatcher
from tandem.engagement.delivery.models import NotificationRow, OutboxRow

pytestmark = pytest.mark.postgres


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    with pg_sessions(postgres_url) as (factory, _url):
        yield factory


def _fill(sessions: sessionmaker[Session], n: int) -> None:
    svc = push_service(sessions)
    with session_scope(sessions) as s:
        svc.submit(
            s,
            candidates=[candidate(f"k{i}", f"x{i}") for i in range(n)],
            clients={f"k{i}": client(f"k{i}") for i in range(n)},
            now=NOON,
        )


def test_a_row_locked_by_another_transaction_is_skipped_not_waited_for(sessions: sessionmaker[Session]) -> None:
    _fill(sessions, 3)
    holder = sessions()
    try:
        first_id = holder.scalars(select(OutboxRow.id).order_by(OutboxRow.id).limit(1).with_for_update()).one()
        ch = RecordingChannel()
        report = Dispatcher(sessions=sessions, channels={"inapp": ch}).run_once()
        assert report.leased == 2  # returned at once with the two unlocked rows
        with session_scope(sessions) as s:
            sent_ids = set(s.scalars(select(OutboxRow.id).where(OutboxRow.status == "sent")))
        assert first_id not in sent_ids and len(sent_ids) == 2
    finally:
        holder.rollback()
        holder.close()
    assert Dispatcher(sessions=sessions, channels={"inapp": RecordingChannel()}).run_once().leased == 1


def test_concurrent_dispatchers_deliver_every_row_exactly_once(sessions: sessionmaker[Session]) -> None:
    _fill(sessions, 150)
    channel = InAppChannel(sessions=sessions)
    counters = [RecordingChannel() for _ in range(4)]

    class Counting:
        name = "inapp"

        def __init__(self, rec: RecordingChannel) -> None:
            self.rec = rec

        def send(self, message):  # type: ignore[no-untyped-def]
            self.rec.send(message)
            channel.send(message)

    def work(rec: RecordingChannel) -> None:
        d = Dispatcher(sessions=sessions, channels={"inapp": Counting(rec)}, config=DispatchConfig(batch=5))
        while d.run_once().leased:
            pass

    threads = [threading.Thread(target=work, args=(r,)) for r in counters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [m.idempotency_key for r in counters for m in r.sent]
    assert len(keys) == 150 and len(set(keys)) == 150
    with session_scope(sessions) as s:
        assert s.scalar(select(func.count()).select_from(NotificationRow)) == 150
        assert set(s.scalars(select(OutboxRow.status))) == {"sent"}
    assert len(notifications_for(sessions, client_id="k7")) == 1


def test_session_trigger_pushes_with_missing_figures_store_on_postgres(sessions: sessionmaker[Session]) -> None:
    from triggers_fixtures import NAN, ROWS, bars

    from tandem.engagement.triggers.books import HolderIndex
    from tandem.engagement.triggers.records import ClientBook
    from tandem.engagement.triggers.session import run_session_triggers

    rows = [*ROWS, ("688002.SH", 30.0, 33.0, 29.0, 32.0, 30.0, 5e6, 1e6, NAN, NAN, NAN, NAN)]
    codes = frozenset(str(r[0]) for r in rows)
    run = run_session_triggers(bars=bars(rows), index=HolderIndex([ClientBook("c1", watchlist=codes)]))
    svc = push_service(sessions, cap_client=100, cap_channel={"inapp": 100})
    with session_scope(sessions) as s:
        svc.submit(s, candidates=run.candidates, clients={"c1": client()}, now=NOON)
    with session_scope(sessions) as s:
        stored = {r.payload["evidence"]["code"]: r.payload["evidence"] for r in s.scalars(select(OutboxRow))}
    assert stored["688002.SH"]["limit_up"] is None and len(stored) == 8
