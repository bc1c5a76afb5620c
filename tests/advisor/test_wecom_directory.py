"""The external-contact directory and the customer mass-send path on the emulator, SQLite and PostgreSQL: binding
by code, honest "not bound", the monthly allowance counted from the archive (and enforced by the emulator),
delivery through the dispatcher with nothing sent twice and nothing missing from the archive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from advisor_people import add_assessment, add_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from wecom_emulator import CORP_ID, SECRET, EmulatorState, FakeClock, running_emulator

from tandem.advisor.access import Staff, require_staff
from tandem.advisor.archive import search
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.models import AdvisorProfile, SendArchiveRow, WeComContactRow
from tandem.advisor.sending import SendItem, send
from tandem.advisor.wecom.allowance import RULES
from tandem.advisor.wecom.channel import WeComChannel
from tandem.advisor.wecom.client import WeComApiError, WeComClient, WeComConfig
from tandem.advisor.wecom.directory import SqlContactDirectory, issue_binding_code, set_member_userid, sync
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import ConflictError
from tandem.engagement.delivery.channels.receipts import ReceiptLedger
from tandem.engagement.delivery.dispatcher import Dispatcher
from tandem.engagement.delivery.models import OutboxRow

NOW = datetime(2026, 6, 3, 2, 0, tzinfo=UTC)
ITEM = SendItem("brief", "贵州茅台诊断", "评分 72，较前日 +3。", ProductRisk.R3, "stock", date(2026, 6, 2))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wecom(clock: FakeClock) -> Iterator[tuple[WeComClient, EmulatorState]]:
    with running_emulator(clock) as (url, state), httpx.Client(timeout=5) as http:
        yield WeComClient(WeComConfig(CORP_ID, SECRET, 1000002, url), http=http, clock=clock), state


def book(db: Session, n: int) -> tuple[Staff, list[int]]:
    ops = require_staff(user_id=add_user(db, "operations").id, role="operations")
    adv = require_staff(user_id=add_user(db, "advisor", "王顾问").id, role="advisor")
    set_registration_no(db, ops, advisor_id=adv.user_id, registration_no="A0150620080001")
    set_member_userid(db, ops, advisor_id=adv.user_id, userid="wang.advisor")
    clients = [add_user(db, "investor", f"c{i}").id for i in range(n)]
    assign_clients(db, ops, client_user_ids=clients, advisor_id=adv.user_id, reason="分配", now=NOW)
    for c in clients:
        add_assessment(db, c, "C4", assessed=NOW - timedelta(days=3))
    return adv, clients


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "list-get"])
def test_sync_binds_by_code_and_reports_not_bound_lost_and_unmatched(
    db: Session, wecom: tuple[WeComClient, EmulatorState], batch: bool
) -> None:
    client, state = wecom
    adv, (a, b, c) = book(db, 3)
    codes = {x: issue_binding_code(db, adv, client_user_id=x, now=NOW) for x in (a, b, c)}
    assert issue_binding_code(db, adv, client_user_id=a) == codes[a]  # issued once
    state.add_contact("wang.advisor", "wmA", state=codes[a], unionid="oUnionA", createtime=1_780_000_000)
    state.add_contact("wang.advisor", "wmB", state=codes[b])
    state.add_contact("wang.advisor", "wmStranger", state="poster-2026")  # added through another channel
    report = sync(db, client, now=NOW, batch=batch)
    assert sorted(report.bound) == sorted([a, b]) and report.not_bound == (c,) and report.unmatched_contacts == 1
    row = db.get(WeComContactRow, a)
    assert row is not None and (row.member_userid, row.external_userid, row.unionid) == (
        "wang.advisor",
        "wmA",
        "oUnionA",
    )
    assert row.follow_at is not None and row.follow_at.replace(tzinfo=UTC) == datetime.fromtimestamp(1_780_000_000, UTC)
    state.remove_contact("wang.advisor", "wmB")
    again = sync(db, client, now=NOW, batch=batch)
    assert again.kept == (a,) and again.lost == (b,) and db.get(WeComContactRow, b).external_userid is None  # type: ignore[union-attr]


def test_a_wecom_error_mid_sync_changes_nothing(db: Session, wecom: tuple[WeComClient, EmulatorState]) -> None:
    client, state = wecom
    adv, (a,) = book(db, 1)
    code = issue_binding_code(db, adv, client_user_id=a, now=NOW)
    state.add_contact("wang.advisor", "wmA", state=code)
    state.contacts["wang.advisor"].append("wmGone")  # listed but unreadable: externalcontact/get answers 84061
    with pytest.raises(WeComApiError, match="84061"):
        sync(db, client, now=NOW, batch=False)
    assert db.get(WeComContactRow, a).external_userid is None  # type: ignore[union-attr]


def test_the_batch_sync_pages_100_customers_a_call(db: Session, wecom: tuple[WeComClient, EmulatorState]) -> None:
    client, state = wecom
    adv, clients = book(db, 150)
    for i, c in enumerate(clients):
        state.add_contact("wang.advisor", f"wm{i}", state=issue_binding_code(db, adv, client_user_id=c, now=NOW))
    report = sync(db, client, now=NOW)
    assert len(report.bound) == 150 and report.not_bound == ()
    assert state.calls["externalcontact/batch/get_by_user"] == 2 and "externalcontact/get" not in state.calls


def test_unbound_clients_and_used_up_allowances_get_their_own_outcome_and_are_archived(
    db: Session, wecom: tuple[WeComClient, EmulatorState]
) -> None:
    client, state = wecom
    adv, (a, b) = book(db, 2)
    state.add_contact("wang.advisor", "wmA", state=issue_binding_code(db, adv, client_user_id=a, now=NOW))
    sync(db, client, now=NOW)
    audit = MemoryAuditLog()
    for i in range(4):
        report = send(db, adv, audit, item=ITEM, client_user_ids=[a, b], channel="wecom", now=NOW + timedelta(days=i))
        assert report.sent == (a,)
        (unbound,) = report.rejected
        assert unbound.client_user_id == b and "not bound to a WeCom contact" in unbound.reason
    fifth = send(db, adv, audit, item=ITEM, client_user_ids=[a], channel="wecom", now=NOW + timedelta(days=10))
    assert fifth.sent == () and "allowance exhausted until 2026-07-01" in fifth.rejected[0].reason
    july = send(
        db, adv, audit, item=ITEM, client_user_ids=[a], channel="wecom", now=datetime(2026, 6, 30, 16, 5, tzinfo=UTC)
    )
    assert july.sent == (a,)  # 00:05 on 1 July in Shanghai: a new calendar month
    for minutes in (10, 15, 20):  # still 30 June in UTC, already July in Shanghai: these count for July
        at = datetime(2026, 6, 30, 16, minutes, tzinfo=UTC)
        assert send(db, adv, audit, item=ITEM, client_user_ids=[a], channel="wecom", now=at).sent == (a,)
    fifth_july = send(
        db, adv, audit, item=ITEM, client_user_ids=[a], channel="wecom", now=datetime(2026, 7, 1, 5, tzinfo=UTC)
    )
    assert "allowance exhausted until 2026-08-01" in fifth_july.rejected[0].reason
    loose = send(
        db,
        adv,
        audit,
        item=ITEM,
        client_user_ids=[a],
        channel="wecom",
        now=NOW + timedelta(days=11),
        mass_rule=RULES["month-days"],
    )
    assert loose.sent == (a,)  # 5 of 30 under the rule of the current WeCom page
    assert len(search(db, adv)) == 4 * 2 + 1 + 1 + 3 + 1 + 1  # every decision is in the archive
    assert sum(r.mass_messages or 0 for r in db.scalars(select(SendArchiveRow))) == 9


def test_dispatch_delivers_once_to_the_bound_contact_and_the_emulator_enforces_the_allowance(
    sessions: sessionmaker[Session], wecom: tuple[WeComClient, EmulatorState]
) -> None:
    client, state = wecom
    with sessions() as db:
        adv, (a, b) = book(db, 2)
        state.add_contact("wang.advisor", "wmA", state=issue_binding_code(db, adv, client_user_id=a, now=NOW))
        state.add_contact("wang.advisor", "wmB", state=issue_binding_code(db, adv, client_user_id=b, now=NOW))
        sync(db, client, now=NOW)
        send(db, adv, MemoryAuditLog(), item=ITEM, client_user_ids=[a, b], channel="wecom", now=NOW)
        db.get(WeComContactRow, b).external_userid = None  # type: ignore[union-attr]  # b unbound after the send
        db.commit()
    channel = WeComChannel(
        client=client,
        directory=SqlContactDirectory(sessions=sessions),
        receipts=ReceiptLedger(sessions=sessions, channel="wecom"),
    )
    dispatcher = Dispatcher(sessions=sessions, channels={"wecom": channel}, clock=lambda: NOW + timedelta(minutes=1))
    report = dispatcher.run_once()
    assert (report.sent, report.dead) == (1, 1)
    assert [(m["sender"], m["external_userid"]) for m in state.mass] == [("wang.advisor", "wmA")]
    assert "执业编号 A0150620080001" in state.mass[0]["content"]
    with sessions() as db:  # a dispatcher that died after sending: the lease expires, the row is sent again
        db.query(OutboxRow).update({"status": "pending"})
        db.commit()
    dispatcher.run_once()
    assert len(state.mass) == 1  # the receipt makes the redelivery a no-op
    later = NOW + timedelta(days=1)  # WeCom rate-limits (45009): retried after 60 s, the attempt not spent
    with sessions() as db:
        adv_again = require_staff(user_id=adv.user_id, role="advisor")
        send(db, adv_again, MemoryAuditLog(), item=ITEM, client_user_ids=[a], channel="wecom", now=later)
        db.commit()
    state.freq_errors = 1
    clock_at = {"t": later}
    throttled = Dispatcher(sessions=sessions, channels={"wecom": channel}, clock=lambda: clock_at["t"])
    assert throttled.run_once().retried == 1
    with sessions() as db:
        row = db.scalars(select(OutboxRow).where(OutboxRow.status == "pending")).one()
        assert row.attempts == 0 and row.next_attempt_at.replace(tzinfo=UTC) == later + timedelta(seconds=60)
    clock_at["t"] = later + timedelta(seconds=61)
    assert throttled.run_once().sent == 1 and len(state.mass) == 2
    for _ in range(2):
        assert client.add_msg_template(sender="wang.advisor", external_userid=["wmA"], text="直接群发") == []
    assert client.add_msg_template(sender="wang.advisor", external_userid=["wmA"], text="第五条") == ["wmA"]
    assert client.add_msg_template(sender="li.advisor", external_userid=["wmB"], text="不是他的客户") == ["wmB"]


def test_a_long_text_uses_one_allowance_per_wecom_part(db: Session) -> None:
    adv, (a,) = book(db, 1)
    db.add(WeComContactRow(client_user_id=a, binding_code="tdm-a", member_userid="wang.advisor", external_userid="wmA"))
    long = replace(ITEM, body="\n".join(f"第{i}项：评分 {i % 90} 分。" for i in range(170)))  # 4,799 bytes
    audit = MemoryAuditLog()
    first = send(db, adv, audit, item=long, client_user_ids=[a], channel="wecom", now=NOW)
    (row,) = db.scalars(select(SendArchiveRow)).all()
    assert first.sent == (a,) and row.mass_messages == 2  # over 4,000 bytes: two mass messages
    again = send(db, adv, audit, item=long, client_user_ids=[a], channel="wecom", now=NOW + timedelta(hours=1))
    assert again.sent == (a,)
    third = send(db, adv, audit, item=long, client_user_ids=[a], channel="wecom", now=NOW + timedelta(hours=2))
    assert "(4 of 4 used, this needs 2)" in third.rejected[0].reason
    short = send(db, adv, audit, item=ITEM, client_user_ids=[a], channel="inapp", now=NOW + timedelta(hours=3))
    assert short.sent == (a,)  # the allowance is WeCom's; in-app messages are not counted


def test_a_client_of_another_member_is_refused_and_an_advisor_without_a_wecom_account_cannot_send(
    db: Session,
) -> None:
    adv, (a, b) = book(db, 2)
    db.add(WeComContactRow(client_user_id=a, binding_code="tdm-a", member_userid="wang.advisor", external_userid="wmA"))
    db.add(WeComContactRow(client_user_id=b, binding_code="tdm-b", member_userid="zhao.before", external_userid="wmB"))
    report = send(db, adv, MemoryAuditLog(), item=ITEM, client_user_ids=[a, b], channel="wecom", now=NOW)
    assert report.sent == (a,) and "contact of another member" in report.rejected[0].reason
    profile = db.get(AdvisorProfile, adv.user_id)
    assert profile is not None
    profile.wecom_userid = None
    before = db.scalar(select(func.count()).select_from(SendArchiveRow))
    with pytest.raises(ConflictError, match="WeCom member account"):
        send(db, adv, MemoryAuditLog(), item=ITEM, client_user_ids=[a], channel="wecom", now=NOW)
    assert db.scalar(select(func.count()).select_from(SendArchiveRow)) == before  # refused whole: nothing written
