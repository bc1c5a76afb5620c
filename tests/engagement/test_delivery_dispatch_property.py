"""Property: under any pattern of channel failures and dispatcher deaths, each push ends sent once or dead-lettered."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import timedelta
from pathlib import Path

from delivery_fixtures import NOON, candidate, client, push_service, sqlite_sessions
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tandem.core.db import session_scope
from tandem.engagement.delivery.channels.base import OutgoingMessage, TransientChannelError
from tandem.engagement.delivery.dispatcher import DispatchConfig, Dispatcher
from tandem.engagement.delivery.models import DeadLetterRow, OutboxRow


class Script:
    """A channel whose n-th call fails or 'dies' (delivers, then the dispatcher never marks it) as scripted."""

    name = "inapp"

    def __init__(self, plan: list[str]) -> None:
        self.plan = plan
        self.calls = 0
        self.delivered: list[str] = []

    def send(self, message: OutgoingMessage) -> None:
        step = self.plan[self.calls % len(self.plan)]
        self.calls += 1
        if step == "fail":
            raise TransientChannelError("scripted failure")
        if message.idempotency_key not in self.delivered:  # idempotent on the key, as the port requires
            self.delivered.append(message.idempotency_key)
        if step == "die":
            raise SystemExit("dispatcher died after delivering")


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 6),
    plan=st.lists(st.sampled_from(["ok", "fail", "die"]), min_size=1, max_size=8).filter(lambda p: "ok" in p),
)
def test_every_push_is_sent_once_or_dead_lettered_after_max_attempts(n: int, plan: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sessions = sqlite_sessions(str(Path(tmp) / "app.db"))
        with session_scope(sessions) as s:
            push_service(sessions).submit(
                s, candidates=[candidate(fact=f"f{i}") for i in range(n)], clients={"c1": client()}, now=NOON
            )
        channel = Script(plan)
        cfg = DispatchConfig(max_attempts=3, backoff_base=timedelta(seconds=1), batch=2)
        now = [NOON]
        for _ in range(60):
            d = Dispatcher(sessions=sessions, channels={"inapp": channel}, config=cfg, clock=lambda: now[0])
            with contextlib.suppress(SystemExit):  # the next dispatcher takes over once the lease expires
                d.run_once()
            now[0] += cfg.lease + timedelta(seconds=1)
        with session_scope(sessions) as s:
            rows = s.scalars(select(OutboxRow)).all()
            dead = {r.outbox_id for r in s.scalars(select(DeadLetterRow))}
            assert {r.status for r in rows} <= {"sent", "dead"}
            for r in rows:
                if r.status == "dead":  # three failed attempts, or a fourth lease after dispatchers kept dying
                    assert r.id in dead and r.attempts in (3, 4)
                else:
                    assert r.idempotency_key in channel.delivered and r.attempts <= 3
