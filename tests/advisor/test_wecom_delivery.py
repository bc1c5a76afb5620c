"""The client page's WeCom binding view and delivery from the send path: the view reads main's directory (own
clients only; the code before the sync, the masked contact and whose it is after), the delivery is off without
settings, and one dispatcher round delivers a send's outbox rows to the emulator — a client bound through the 联系我
code and the sync in numbered customer mass-message parts, an unbound one refused at send time with the gate's
reason, and one who left the advisor's customers after the send dead-lettered by the channel."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from advisor_people import add_assessment, add_holding, add_plan, add_user
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from wecom_emulator import CORP_ID, SECRET, running_emulator

from tandem.advisor.access import Staff
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.sending import item_from_brief, send
from tandem.advisor.wecom.client import WeComClient, WeComConfig
from tandem.advisor.wecom.delivery import wecom_delivery
from tandem.advisor.wecom.directory import SqlContactDirectory, binding, set_member_userid, sync
from tandem.advisor.wecom.split import CUSTOMER_TEXT_LIMIT, join_parts
from tandem.advisor.workbench import assignment_segment, mask_wecom_id, plan_view, segment_ids, wecom_binding_view
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import ProductRisk
from tandem.core.db import make_sessionmaker
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.core.settings import Settings
from tandem.engagement.delivery.models import OutboxRow

NOW = datetime.now(UTC)


def people(db: Session) -> tuple[Staff, Staff, Staff, int, int, int]:
    ops = Staff(add_user(db, "operations").id, "operations")
    adv = Staff(add_user(db, "advisor", "王顾问").id, "advisor")
    other = Staff(add_user(db, "advisor").id, "advisor")
    linked, unlinked, theirs = (add_user(db, "investor", n).id for n in ("张三", "李四", "王五"))
    set_registration_no(db, ops, advisor_id=adv.user_id, registration_no="A0150620080001")
    set_member_userid(db, ops, advisor_id=adv.user_id, userid="wang.advisor")
    assign_clients(db, ops, client_user_ids=[linked, unlinked], advisor_id=adv.user_id, reason="分配")
    assign_clients(db, ops, client_user_ids=[theirs], advisor_id=other.user_id, reason="分配")
    for c in (linked, unlinked, theirs):
        add_assessment(db, c, "C4", assessed=NOW - timedelta(days=5))
    return ops, adv, other, linked, unlinked, theirs


def test_binding_view_is_object_level_and_reads_the_directory(db: Session) -> None:
    ops, adv, other, linked, unlinked, theirs = people(db)
    with pytest.raises(NotFoundError):
        wecom_binding_view(db, adv, client_user_id=theirs)
    fresh = wecom_binding_view(db, adv, client_user_id=linked)
    assert not fresh.bound and fresh.binding_code is None  # nothing issued by looking
    code = binding(db, adv, client_user_id=linked).binding_code
    issued = wecom_binding_view(db, adv, client_user_id=linked)
    assert not issued.bound and issued.binding_code == code and code.startswith("tdm-")
    set_registration_no(db, ops, advisor_id=other.user_id, registration_no="A0150620080002")
    set_member_userid(db, ops, advisor_id=other.user_id, userid="li.advisor")
    with running_emulator(time.monotonic) as (url, state), httpx.Client(timeout=5) as http:
        state.add_contact("wang.advisor", "wmZhangSan0001", state=code, createtime=int(NOW.timestamp()))
        state.add_contact("li.advisor", "wmLiSi000002", state=binding(db, adv, client_user_id=unlinked).binding_code)
        report = sync(db, WeComClient(WeComConfig(CORP_ID, SECRET, 7, url), http=http))
    assert sorted(report.bound) == sorted([linked, unlinked])
    mine = wecom_binding_view(db, adv, client_user_id=linked)
    assert mine.bound and mine.mine and mine.binding_code is None
    assert mine.external_masked == "wmZh****01" and "ZhangSan" not in (mine.external_masked or "")
    assert (mine.member_userid, mine.advisor_id, mine.advisor_name) == ("wang.advisor", adv.user_id, "王**")
    assert mine.follow_at is not None
    elsewhere = wecom_binding_view(db, adv, client_user_id=unlinked)  # added the other advisor's member
    assert elsewhere.bound and not elsewhere.mine and elsewhere.advisor_id == other.user_id
    assert mask_wecom_id("wm1") == "w**"


def test_workbench_views_plan_drift_and_segments(db: Session) -> None:
    ops, adv, other, linked, unlinked, theirs = people(db)
    plan = add_plan(db, linked, {"F1": 0.6, "F2": 0.4})
    add_holding(db, linked, plan.id, "F1", value=70_000, cost=60_000)
    add_holding(db, linked, plan.id, "F2", value=30_000, cost=40_000)
    view = plan_view(db, adv, client_user_id=linked)
    assert view is not None and view.total_value == 100_000
    assert [(f.code, round(f.drift, 2)) for f in view.lines] == [("F1", 0.1), ("F2", -0.1)]
    assert plan_view(db, adv, client_user_id=unlinked) is None
    with pytest.raises(NotFoundError):
        plan_view(db, adv, client_user_id=theirs)
    assert segment_ids(db, adv, segment="C4") == sorted([linked, unlinked])
    with pytest.raises(ValidationFailed, match="none of your clients"):
        segment_ids(db, adv, segment="C1")
    with pytest.raises(ValidationFailed, match="segment must be one of"):
        segment_ids(db, adv, segment="vip")
    fresh = add_user(db, "investor").id
    add_assessment(db, fresh, "C2", assessed=NOW)
    assert assignment_segment(db, ops, from_advisor_id=None, category="C2") == [fresh]
    assert assignment_segment(db, ops, from_advisor_id=other.user_id, category=None) == [theirs]
    with pytest.raises(NotFoundError, match="nothing was assigned"):
        assignment_segment(db, ops, from_advisor_id=None, category="C5")


def test_delivery_is_off_without_settings(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with httpx.Client() as http:
        assert wecom_delivery(Settings(wecom_corp_id="ww1"), make_sessionmaker(engine), http) is None
    engine.dispose()


def test_one_round_delivers_a_send_in_parts_and_dead_letters_a_client_unbound_since(
    sessions: sessionmaker[Session],
) -> None:
    text = "\n".join(f"第 {i} 段：贵州茅台的估值、盈利与资金面说明，数据以收盘为准。" for i in range(60))
    item = item_from_brief(
        code="600519.SH", name="贵州茅台", text=text, data_date=NOW.date(), product_risk=ProductRisk.R3,
        ai_generated=True,
    )  # fmt: skip
    with running_emulator(time.monotonic) as (url, state), httpx.Client(timeout=5) as http:
        settings = Settings(wecom_corp_id=CORP_ID, wecom_secret=SECRET, wecom_agent_id=7, wecom_base_url=url)
        with sessions() as db:
            ops, adv, _, linked, unlinked, _ = people(db)
            leaver = add_user(db, "investor", "赵六").id
            assign_clients(db, ops, client_user_ids=[leaver], advisor_id=adv.user_id, reason="分配")
            add_assessment(db, leaver, "C4", assessed=NOW - timedelta(days=5))
            binding(db, adv, client_user_id=unlinked)  # code issued, but the client never added the advisor
            for cid, ext in ((linked, "wmZhang"), (leaver, "wmZhao")):
                state.add_contact("wang.advisor", ext, state=binding(db, adv, client_user_id=cid).binding_code)
            api = WeComClient(WeComConfig(CORP_ID, SECRET, 7, url), http=http)
            assert sorted(sync(db, api).bound) == sorted([linked, leaver])
            report = send(
                db, adv, MemoryAuditLog(), item=item, client_user_ids=[linked, unlinked, leaver], channel="wecom"
            )
            assert sorted(report.sent) == sorted([linked, leaver])
            (refused,) = report.rejected
            assert refused.client_user_id == unlinked and "not bound to a WeCom contact" in refused.reason
            db.commit()
            state.remove_contact("wang.advisor", "wmZhao")  # deleted the advisor after the send
            assert sync(db, api).lost == (leaver,)
            db.commit()
        delivery = wecom_delivery(settings, sessions, http)
        assert delivery is not None
        round_ = delivery.deliver_due()
        assert (round_.leased, round_.sent, round_.dead) == (2, 1, 1)
        assert delivery.deliver_due().leased == 0  # nothing left, nothing sent twice
    parts = [m["content"] for m in state.mass]
    assert len(parts) >= 2 and all(len(p.encode()) <= CUSTOMER_TEXT_LIMIT for p in parts)
    assert {(m["sender"], m["external_userid"]) for m in state.mass} == {("wang.advisor", "wmZhang")}
    with sessions() as db:
        rows = {r.client_id: r for r in db.scalars(select(OutboxRow))}
    assert f"user:{unlinked}" not in rows  # refused at send time: nothing queued
    assert join_parts(parts) == rows[f"user:{linked}"].body and rows[f"user:{linked}"].status == "sent"
    dead = rows[f"user:{leaver}"]
    assert dead.status == "dead" and "not bound to a WeCom contact" in (dead.last_error or "")
    contact = SqlContactDirectory(sessions=sessions).contact_of(f"user:{linked}")
    assert contact is not None and (contact.member_userid, contact.external_userid) == ("wang.advisor", "wmZhang")
    assert SqlContactDirectory(sessions=sessions).contact_of(f"user:{leaver}") is None
