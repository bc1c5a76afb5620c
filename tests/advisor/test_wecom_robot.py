"""Group-robot pacing on the emulator: 20 a minute scheduled without a 130101; a 130101 (robot shared with another
sender) holds the outbox rows for the 10-minute block without spending attempts or losing them; the per-member
hourly limit of application messages in the sliding window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wecom_emulator import CORP_ID, SECRET, EmulatorState, FakeClock, running_emulator

from tandem.advisor.wecom.client import WeComClient, WeComConfig
from tandem.advisor.wecom.limits import APP_MEMBER_LIMITS, SlidingWindow
from tandem.advisor.wecom.robot import WeComRobotChannel
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError
from tandem.engagement.delivery.channels.receipts import ReceiptLedger
from tandem.engagement.delivery.dispatcher import Dispatcher
from tandem.engagement.delivery.models import OutboxRow

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


class Ledger:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.keys

    def record(self, key: str, detail: str) -> None:
        self.keys.add(key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wecom(clock: FakeClock) -> Iterator[tuple[WeComClient, EmulatorState]]:
    with running_emulator(clock) as (url, state), httpx.Client(timeout=5) as http:
        yield WeComClient(WeComConfig(CORP_ID, SECRET, 1000002, url), http=http, clock=clock), state


def note(i: int) -> OutgoingMessage:
    return OutgoingMessage(f"robot-{i}", "robot:ops", "wecom_robot", "ops", "晨报", f"晨报 第{i}条", {"robot": "ops"})


def test_the_channel_schedules_45_messages_within_20_a_minute(
    wecom: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = wecom
    ch = WeComRobotChannel(
        client=client, robots={"ops": "key-1"}, receipts=Ledger(), clock=clock, sleep=clock.sleep, max_wait=120
    )
    start = clock.now
    for i in range(45):
        ch.send(note(i))
    assert len(state.robot) == 45 and clock.now - start >= 120  # three windows, never a 130101
    with pytest.raises(PermanentChannelError, match="not configured"):
        ch.send(OutgoingMessage("x", "robot:x", "wecom_robot", "ops", "t", "b", {"robot": "nobody"}))


def test_a_130101_holds_the_rows_for_ten_minutes_and_loses_nothing(
    sessions: sessionmaker[Session], wecom: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = wecom
    with sessions() as db:
        for i in range(3):
            db.add(
                OutboxRow(
                    idempotency_key=f"robot-{i}", client_id="robot:ops", channel="wecom_robot", category="ops",
                    rule="ops.morning", title="晨报", body=f"晨报 第{i}条", payload={"robot": "ops"},
                    local_day=date(2026, 6, 1), status="pending", attempts=0, next_attempt_at=T0, created_at=T0,
                )
            )  # fmt: skip
        db.commit()
    for _ in range(20):  # another sender used up this robot's minute
        client.send_robot(key="key-1", markdown="别处的消息")
    now = {"t": T0}
    ch = WeComRobotChannel(
        client=client,
        robots={"ops": "key-1"},
        receipts=ReceiptLedger(sessions=sessions, channel="wecom_robot"),
        clock=clock,
        sleep=clock.sleep,
    )
    dispatcher = Dispatcher(sessions=sessions, channels={"wecom_robot": ch}, clock=lambda: now["t"])
    calls = state.calls.get("webhook/send", 0)
    first = dispatcher.run_once()
    assert (first.sent, first.retried, first.dead) == (0, 3, 0)
    assert state.calls["webhook/send"] == calls + 1  # blocked: the other two rows did not call WeCom
    with sessions() as db:
        rows = db.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}
        waits = {round((r.next_attempt_at.replace(tzinfo=UTC) - T0).total_seconds()) for r in rows}
        assert waits == {600}
    clock.now += 300
    now["t"] = T0 + timedelta(seconds=300)
    assert dispatcher.run_once().leased == 0  # not due yet
    clock.now += 301
    now["t"] = T0 + timedelta(seconds=601)
    assert dispatcher.run_once().sent == 3
    assert state.robot[-3:] == ["晨报 第0条", "晨报 第1条", "晨报 第2条"] and len(state.robot) == 23


def test_the_member_window_holds_the_1001st_message_of_an_hour() -> None:
    window = SlidingWindow(APP_MEMBER_LIMITS)
    t = 0.0
    for _ in range(1000):
        t += window.delay("m", t)
        window.record("m", t)
    assert 1980 <= t < 2000  # 30 a minute for 1,000 messages: a little over 33 minutes
    assert window.delay("m", t) == pytest.approx(3600 - t)  # the hour's first send (t = 0) must leave it
    assert window.delay("other", t) == 0
