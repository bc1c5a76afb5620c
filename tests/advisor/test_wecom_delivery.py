"""WeCom links and delivery from the send path: the advisor records a client's WeCom id (own clients only, valid
ids only), the delivery is off without settings, and one dispatcher round delivers a send's outbox rows to the
emulator — a linked client in numbered parts, an unlinked one dead-lettered with the reason."""

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
from tandem.advisor.wecom.delivery import wecom_delivery
from tandem.advisor.wecom.directory import SqlContactDirectory, link_client, linked_userid
from tandem.advisor.wecom.split import APP_TEXT_LIMIT, join_parts
from tandem.advisor.workbench import assignment_segment, plan_view, segment_ids
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
    assign_clients(db, ops, client_user_ids=[linked, unlinked], advisor_id=adv.user_id, reason="分配")
    assign_clients(db, ops, client_user_ids=[theirs], advisor_id=other.user_id, reason="分配")
    for c in (linked, unlinked, theirs):
        add_assessment(db, c, "C4", assessed=NOW - timedelta(days=5))
    return ops, adv, other, linked, unlinked, theirs


def test_link_is_object_level_and_validated(db: Session) -> None:
    _, adv, _, linked, _, theirs = people(db)
    with pytest.raises(NotFoundError):
        link_client(db, adv, client_user_id=theirs, wecom_userid="wm_x")
    with pytest.raises(ValidationFailed, match="is not valid"):
        link_client(db, adv, client_user_id=linked, wecom_userid="has space")
    link_client(db, adv, client_user_id=linked, wecom_userid=" wm_zhang ")
    link_client(db, adv, client_user_id=linked, wecom_userid="wm_zhang2")
    assert linked_userid(db, client_user_id=linked) == "wm_zhang2"
    assert linked_userid(db, client_user_id=theirs) is None


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


def test_one_round_delivers_a_send_in_parts_and_dead_letters_the_unlinked(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as db:
        _, adv, _, linked, unlinked, _ = people(db)
        link_client(db, adv, client_user_id=linked, wecom_userid="wm_zhang")
        text = "\n".join(f"第 {i} 段：贵州茅台的估值、盈利与资金面说明，数据以收盘为准。" for i in range(60))
        item = item_from_brief(
            code="600519.SH", name="贵州茅台", text=text, data_date=NOW.date(), product_risk=ProductRisk.R3,
            ai_generated=True,
        )  # fmt: skip
        report = send(db, adv, MemoryAuditLog(), item=item, client_user_ids=[linked, unlinked], channel="wecom")
        db.commit()
        assert sorted(report.sent) == sorted([linked, unlinked])
    with running_emulator(time.monotonic) as (url, state), httpx.Client(timeout=5) as http:
        settings = Settings(wecom_corp_id=CORP_ID, wecom_secret=SECRET, wecom_agent_id=7, wecom_base_url=url)
        delivery = wecom_delivery(settings, sessions, http)
        assert delivery is not None
        round_ = delivery.deliver_due()
        assert (round_.leased, round_.sent, round_.dead) == (2, 1, 1)
        assert delivery.deliver_due().leased == 0  # nothing left, nothing sent twice
    parts = [m["markdown"]["content"] for m in state.delivered]
    assert len(parts) >= 2 and all(len(p.encode()) <= APP_TEXT_LIMIT for p in parts)
    assert {m["touser"] for m in state.delivered} == {"wm_zhang"}
    with sessions() as db:
        rows = {r.client_id: r for r in db.scalars(select(OutboxRow))}
    assert join_parts(parts) == rows[f"user:{linked}"].body and rows[f"user:{linked}"].status == "sent"
    dead = rows[f"user:{unlinked}"]
    assert dead.status == "dead" and "not linked to a WeCom contact" in (dead.last_error or "")
    assert SqlContactDirectory(sessions=sessions).wecom_user_of(f"user:{linked}") == "wm_zhang"
    assert SqlContactDirectory(sessions=sessions).wecom_user_of("nobody") is None
