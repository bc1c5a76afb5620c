"""The staff HTML pages: role landing after login, HTML 403 / 404 on staff paths, PII masked, the advisor's book,
client, tasks and send form, compliance review / audit / archive / sample, and operations' workload and assignment."""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tandem.advisor.access import Staff
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.content import create_item, review, submit
from tandem.advisor.models import (
    AdvisorTask,
    ClientAssignment,
    ContentVersion,
    SendArchiveRow,
    ServiceRecord,
    WeComContactRow,
)
from tandem.advisor.wecom.client import WeComClient, WeComConfig
from tandem.advisor.wecom.directory import set_member_userid, sync
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.settings import Settings
from tandem.engagement.models import WatchItem
from tandem.identity import User
from tandem.identity.accounts import create_user, find_user, update_profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "advisor"))
from advisor_people import add_assessment, add_user
from wecom_emulator import CORP_ID, SECRET, EmulatorState, running_emulator

from conftest import PASSWORD

HTML = {"Accept": "text/html"}
NOW = datetime.now(UTC)


class World:
    """Staff, two advisors' books and headers, built through the services."""

    def __init__(self, app: FastAPI, make_user: Callable[..., dict[str, str]]) -> None:
        self.app = app
        self.h = {
            name: make_user(f"{name}@example.com", role) | HTML
            for name, role in (("ops", "operations"), ("adv", "advisor"), ("other", "advisor"),
                               ("comp", "compliance"), ("inv", "investor"))
        }  # fmt: skip
        self.id = {name: self.user_id(f"{name}@example.com") for name in self.h}
        with self.sessions() as db:
            keys = self.app.state.tandem.keys
            rich = create_user(db, keys, username="13812345678", password=PASSWORD, display_name="张三丰")
            update_profile(db, keys, user=rich, id_number="11010519491231002X")
            self.mine = rich.id
            self.low = add_user(db, "investor", "李四").id
            self.theirs = add_user(db, "investor", "王五").id
            add_assessment(db, self.mine, "C4", assessed=NOW - timedelta(days=10))
            add_assessment(db, self.low, "C1", assessed=NOW - timedelta(days=10))
            add_assessment(db, self.theirs, "C3", assessed=NOW - timedelta(days=10))
            ops = self.staff("ops")
            set_registration_no(db, ops, advisor_id=self.id["adv"], registration_no="A0123456789012")
            assign_clients(
                db, ops, client_user_ids=[self.mine, self.low], advisor_id=self.id["adv"], reason="新客户分配"
            )
            assign_clients(db, ops, client_user_ids=[self.theirs], advisor_id=self.id["other"], reason="新客户分配")
            db.add(WatchItem(user_id=self.mine, code="600519.SH"))
            db.add(
                AdvisorTask(
                    rule_key=f"first_contact:{self.mine}:x", kind="first_contact", client_user_id=self.mine,
                    advisor_id=self.id["adv"], title="新分配客户尚未首次联系，请尽快联系",
                    due_at=NOW + timedelta(days=1),
                )
            )  # fmt: skip
            db.commit()

    def sessions(self) -> Any:
        return self.app.state.tandem.sessions()

    def user_id(self, login: str) -> int:
        with self.sessions() as db:
            user = find_user(db, self.app.state.tandem.keys, username=login)
            assert user is not None
            return user.id

    def staff(self, name: str) -> Staff:
        role = {"ops": "operations", "adv": "advisor", "other": "advisor", "comp": "compliance"}[name]
        return Staff(user_id=self.id[name], role=role)

    def approved(self, title: str, risk: str = "R2") -> int:
        with self.sessions() as db:
            v = create_item(
                db, self.staff("adv"), kind="article", title=title, category="投教", tags=["基金"],
                audience_risk=risk, body="定投分散买入时点。\n" + risk_disclaimer("zh", kind="fund"),
            )  # fmt: skip
            submit(db, self.staff("adv"), item_id=v.item_id)
            review(db, self.staff("comp"), MemoryAuditLog(), version_id=v.id, approve=True, reasons=[])
            db.commit()
            return v.item_id


@pytest.fixture
def emulated_wecom() -> Iterator[tuple[str, EmulatorState]]:
    """The WeCom emulator on loopback (on the monotonic clock the app's WeCom client uses)."""
    with running_emulator(time.monotonic) as served:
        yield served


@pytest.fixture
def web_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """conftest's settings; a test marked ``wecom_on`` gets the WeCom channel pointed at the emulator."""
    base = {"home": tmp_path / "home", "secret_key": "test-secret-key-0123456789abcdef-0123456789"}
    if request.node.get_closest_marker("wecom_on") is None:
        return Settings(**base)
    url, _ = request.getfixturevalue("emulated_wecom")
    return Settings(**base, wecom_corp_id=CORP_ID, wecom_secret=SECRET, wecom_agent_id=1000002, wecom_base_url=url)


@pytest.fixture
def w(app: FastAPI, make_user: Callable[..., dict[str, str]]) -> World:
    return World(app, make_user)


@pytest.mark.parametrize(
    ("role", "lands"),
    [("advisor", "/advisor/clients"), ("compliance", "/compliance/reviews"), ("operations", "/ops"),
     ("investor", "/market")],
)  # fmt: skip
def test_login_lands_each_role_on_its_home(
    role: str, lands: str, client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    make_user(f"{role}@example.com", role)
    r = client.post("/login", data={"username": f"{role}@example.com", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == lands
    r = client.post(
        "/login",
        data={"username": f"{role}@example.com", "password": PASSWORD, "next": "/news"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/news"  # a page the user asked for still wins
    assert client.get("/login", follow_redirects=False).headers["location"] == lands


def test_staff_nav_per_role(w: World, client: TestClient) -> None:
    adv = client.get("/advisor/clients", headers=w.h["adv"]).text
    assert 'href="/advisor/tasks"' in adv and 'href="/compliance/reviews"' not in adv
    comp = client.get("/compliance/reviews", headers=w.h["comp"]).text
    assert 'href="/compliance/audit"' in comp and 'href="/advisor/clients"' not in comp
    ops = client.get("/ops/workload", headers=w.h["ops"]).text
    assert 'href="/ops"' in ops and 'href="/advisor/send"' not in ops
    assert 'class="tabbar"' not in adv  # the investor tab bar is not on staff pages


@pytest.mark.parametrize(
    ("who", "path"),
    [("inv", "/advisor/clients"), ("comp", "/advisor/clients"), ("ops", "/advisor/tasks"),
     ("adv", "/compliance/reviews"), ("ops", "/compliance/archive"), ("adv", "/ops/workload"),
     ("comp", "/ops/workload"), ("inv", "/compliance/audit"),
     ("adv", "/compliance/archive.csv"), ("adv", "/ops")],
)  # fmt: skip
def test_wrong_role_gets_the_html_403_page(w: World, client: TestClient, who: str, path: str) -> None:
    r = client.get(path, headers=w.h[who])
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert 'data-status="403"' in r.text and "无权访问" in r.text


def test_api_answers_stay_problem_json(w: World, client: TestClient) -> None:
    r = client.get("/api/v1/advisor/clients", headers=w.h["inv"])
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    r = client.get(f"/api/v1/advisor/clients/{w.theirs}", headers=w.h["adv"])
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_other_advisors_client_is_the_html_404_page_and_nothing_is_written(w: World, client: TestClient) -> None:
    for path in (f"/advisor/clients/{w.theirs}", "/advisor/clients/999999", f"/advisor/send?client_id={w.theirs}"):
        r = client.get(path, headers=w.h["adv"])
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), path
        assert 'data-status="404"' in r.text and "王五" not in r.text and "王*" not in r.text
    posts = [
        (f"/advisor/clients/{w.theirs}/contacts", {"kind": "call", "note": "试探"}),
        (f"/advisor/clients/{w.theirs}/wecom-binding", {}),
        ("/advisor/send", {"source": "brief", "code": "600519", "client_id": str(w.theirs), "channel": "inapp"}),
    ]
    for path, data in posts:
        assert client.post(path, headers=w.h["adv"], data=data).status_code == 404, path
    with w.sessions() as db:
        assert db.scalar(select(func.count()).select_from(ServiceRecord)) == 0
        assert db.scalar(select(func.count()).select_from(SendArchiveRow)) == 0
        assert db.scalar(select(func.count()).select_from(WeComContactRow)) == 0  # no code issued for theirs
    assert client.get(f"/advisor/clients/{w.mine}", headers=w.h["other"]).status_code == 404


def test_book_masks_names_filters_and_shows_alerts(w: World, client: TestClient) -> None:
    r = client.get("/advisor/clients", headers=w.h["adv"])
    assert r.status_code == 200
    assert "张**" in r.text and "李*" in r.text and "张三丰" not in r.text and "王*" not in r.text
    assert "600519.SH" in r.text and "新分配客户" not in r.text  # watched code shown; the task count, not its text
    only = client.get("/advisor/clients", params={"category": "C4"}, headers=w.h["adv"]).text
    assert "张**" in only and "李*" not in only
    found = client.get("/advisor/clients", params={"search": str(w.low)}, headers=w.h["adv"]).text
    assert "李*" in found and "张**" not in found
    tasks_only = client.get("/advisor/clients", params={"open_tasks": "true"}, headers=w.h["adv"]).text
    assert "张**" in tasks_only and "李*" not in tasks_only
    bad = client.get("/advisor/clients", params={"category": "C9"}, headers=w.h["adv"])
    assert bad.status_code == 400 and "category must be one of C1–C5" in bad.text and "张**" not in bad.text


def test_book_paginates_fifty_a_page(w: World, client: TestClient) -> None:
    with w.sessions() as db:
        extra = [add_user(db, "investor", f"客户{i:03d}").id for i in range(60)]
        assign_clients(db, w.staff("ops"), client_user_ids=extra, advisor_id=w.id["adv"], reason="批量")
        db.commit()
    first = client.get("/advisor/clients", params={"sort": "name"}, headers=w.h["adv"]).text
    second = client.get("/advisor/clients", params={"sort": "name", "page": 2}, headers=w.h["adv"]).text
    assert first.count("<tr data-client=") == 50 and second.count("<tr data-client=") == 12
    assert "1 / 2" in first and 'rel="next"' in first and 'rel="prev"' in second
    assert "共 62" in first


def test_client_page_masks_pii_and_shows_risk_history_tasks(w: World, client: TestClient) -> None:
    r = client.get(f"/advisor/clients/{w.mine}", headers=w.h["adv"])
    assert r.status_code == 200
    html = r.text
    assert "13812345678" not in html and "138****5678" in html
    assert "11010519491231002X" not in html and "张三丰" not in html and "张**" in html
    assert "C4" in html and "新分配客户尚未首次联系" in html and "600519.SH" in html
    assert 'data-bound="no"' in html and "未绑定" in html and 'id="wecom-issue"' in html  # no code until asked
    with w.sessions() as db:
        assert db.get(WeComContactRow, w.mine) is None
    r = client.post(f"/advisor/clients/{w.mine}/wecom-binding", headers=w.h["adv"])
    with w.sessions() as db:
        row = db.get(WeComContactRow, w.mine)
        assert row is not None and row.external_userid is None
    assert r.status_code == 200 and "绑定码已生成" in r.text and f'id="wecom-code">{row.binding_code}<' in r.text
    assert 'id="wecom-issue"' not in r.text and "联系我" in r.text
    again = client.post(f"/advisor/clients/{w.mine}/wecom-binding", headers=w.h["adv"]).text
    assert f'id="wecom-code">{row.binding_code}<' in again  # issued once: the same code again
    r = client.post(f"/advisor/clients/{w.mine}/contacts", headers=w.h["adv"], data={"kind": "call", "note": " "})
    assert r.status_code == 400 and "1–500 characters" in r.text
    r = client.post(
        f"/advisor/clients/{w.mine}/contacts", headers=w.h["adv"], data={"kind": "call", "note": "已电话沟通"}
    )
    assert r.status_code == 200 and "已电话沟通" in r.text
    en = client.get(f"/advisor/clients/{w.mine}", params={"lang": "en"}, headers=w.h["adv"]).text
    assert "Profile (masked)" in en and "Service history" in en


def test_task_done_needs_a_note_and_snooze_a_future_date(w: World, client: TestClient) -> None:
    page = client.get("/advisor/tasks", headers=w.h["adv"]).text
    with w.sessions() as db:
        task_id = db.scalar(select(AdvisorTask.id))
    assert f'id="task-{task_id}"' in page and "张**" in page
    r = client.post(f"/advisor/tasks/{task_id}", headers=w.h["adv"], data={"action": "done", "note": ""})
    assert r.status_code == 400 and "write a note" in r.text
    past = (NOW - timedelta(days=1)).date().isoformat()
    r = client.post(
        f"/advisor/tasks/{task_id}", headers=w.h["adv"], data={"action": "snooze", "note": "等", "until": past}
    )
    assert r.status_code == 400 and "is not in the future" in r.text
    assert (
        client.post(f"/advisor/tasks/{task_id}", headers=w.h["other"], data={"action": "done", "note": "x"}).status_code
        == 404
    )
    later = (NOW + timedelta(days=3)).date().isoformat()
    r = client.post(
        f"/advisor/tasks/{task_id}", headers=w.h["adv"], data={"action": "snooze", "note": "客户出差", "until": later}
    )
    assert r.status_code == 200 and "任务已推迟" in r.text and f'id="task-{task_id}"' not in r.text
    with w.sessions() as db:
        task = db.get(AdvisorTask, task_id)
        assert task is not None and (task.status, task.note) == ("snoozed", "客户出差")


def test_team_lead_sees_the_teams_overdue_tasks(w: World, client: TestClient) -> None:
    from tandem.advisor.models import AdvisorProfile

    with w.sessions() as db:
        profile = db.get(AdvisorProfile, w.id["adv"])
        assert profile is not None
        profile.team_lead_id = w.id["other"]
        db.get(AdvisorTask, db.scalar(select(AdvisorTask.id))).due_at = NOW - timedelta(days=2)  # type: ignore[union-attr]
        db.commit()
    lead = client.get("/advisor/tasks", headers=w.h["other"]).text
    assert 'id="overdue-table"' in lead and "新分配客户尚未首次联系" in lead
    assert 'id="overdue-table"' not in client.get("/advisor/tasks", headers=w.h["adv"]).text


def test_send_to_a_segment_shows_each_recipients_suitability(w: World, client: TestClient) -> None:
    item = w.approved("基金定投入门")
    form = client.get("/advisor/send", headers=w.h["adv"]).text
    assert "基金定投入门" in form and "企业微信通道未开启" in form and "TANDEM_WECOM_CORP_ID" in form
    refused = client.post(
        "/advisor/send",
        headers=w.h["adv"],
        data={"source": "content", "item_id": str(item), "segment": "all", "channel": "wecom"},
    )
    assert refused.status_code == 400 and "WeCom channel off" in refused.text
    with w.sessions() as db:
        assert db.scalar(select(func.count()).select_from(SendArchiveRow)) == 0
    sent = client.post(
        "/advisor/send",
        headers=w.h["adv"],
        data={"source": "content", "item_id": str(item), "segment": "all", "channel": "inapp"},
    )
    assert sent.status_code == 200
    html = sent.text
    assert 'id="sent-count">1<' in html and 'id="rejected-count">1<' in html
    assert "李*" in html and "李四" not in html  # the C1 client was refused the R2 item, with the reason
    with w.sessions() as db:
        rows = {r.client_user_id: r for r in db.scalars(select(SendArchiveRow))}
    assert rows[w.mine].decision == "sent" and rows[w.low].decision == "rejected"
    assert rows[w.low].reason in html
    assert "执业编号 A0123456789012" in (rows[w.mine].body or "")


@pytest.mark.wecom_on
def test_wecom_send_binds_through_the_directory_and_refuses_unbound_and_used_up_recipients(
    w: World, client: TestClient, emulated_wecom: tuple[str, EmulatorState]
) -> None:
    url, state = emulated_wecom
    item = w.approved("基金定投入门")
    with w.sessions() as db:
        unbound = add_user(db, "investor", "孙七").id
        add_assessment(db, unbound, "C4", assessed=NOW - timedelta(days=10))
        assign_clients(db, w.staff("ops"), client_user_ids=[unbound], advisor_id=w.id["adv"], reason="新客户分配")
        db.commit()
    data = {"source": "content", "item_id": str(item), "segment": "all", "channel": "wecom"}
    no_member = client.post("/advisor/send", headers=w.h["adv"], data=data)
    assert no_member.status_code == 400 and "WeCom member account (成员账号) is not on file" in no_member.text
    with w.sessions() as db:
        set_member_userid(db, w.staff("ops"), advisor_id=w.id["adv"], userid="adv.member")
        db.commit()
    page = client.post(f"/advisor/clients/{w.mine}/wecom-binding", headers=w.h["adv"]).text
    code = page.split('id="wecom-code">', 1)[1].split("<", 1)[0]
    state.add_contact("adv.member", "wmZhangSanFeng88", state=code, createtime=int(NOW.timestamp()))
    with httpx.Client(timeout=5) as http, w.sessions() as db:  # what `tandem advisor wecom-sync` runs
        assert sync(db, WeComClient(WeComConfig(CORP_ID, SECRET, 1000002, url), http=http)).bound == (w.mine,)
        db.commit()
    bound = client.get(f"/advisor/clients/{w.mine}", headers=w.h["adv"]).text
    assert 'data-bound="yes"' in bound and 'id="wecom-external">wmZh****88<' in bound
    assert "wmZhangSanFeng88" not in bound and "您本人" in bound and 'id="wecom-code"' not in bound
    for n in range(1, 6):
        r = client.post("/advisor/send", headers=w.h["adv"], data=data)
        assert r.status_code == 200, r.text
        rows = {int(x.split('"', 1)[0]): x for x in r.text.split('data-client="')[1:]}
        assert "not bound to a WeCom contact" in rows[unbound] and "rejected" in rows[w.low]  # C1: R2 refused
        if n <= 4:
            assert 'id="sent-count">1<' in r.text and "已送达" in rows[w.mine]
        else:  # the default rule: 4 mass messages a customer a calendar month
            assert 'id="sent-count">0<' in r.text and "allowance exhausted until" in rows[w.mine]
    assert [m["external_userid"] for m in state.mass] == ["wmZhangSanFeng88"] * 4
    assert all("定投分散买入时点" in m["content"] and m["sender"] == "adv.member" for m in state.mass)
    with w.sessions() as db:
        decisions = [
            r.decision for r in db.scalars(select(SendArchiveRow).where(SendArchiveRow.client_user_id == w.mine))
        ]
    assert decisions == ["sent"] * 4 + ["rejected"]


def test_send_bad_input_names_the_field_and_sends_nothing(w: World, client: TestClient) -> None:
    cases = [
        ({"source": "content", "segment": "all", "channel": "inapp"}, "pick an approved library item"),
        (
            {"source": "content", "item_id": "abc", "segment": "all", "channel": "inapp"},
            "item_id: &#39;abc&#39; is not an id",
        ),
        ({"source": "plan", "segment": "all", "channel": "inapp"}, "a plan is personal"),
        ({"source": "brief", "code": "600519", "channel": "inapp"}, "send to one client"),
        ({"source": "content", "item_id": "999", "segment": "all", "channel": "inapp"}, "has no approved version"),
        ({"source": "brief", "code": "600519", "segment": "C5", "channel": "inapp"}, "none of your clients"),
    ]
    for data, words in cases:
        r = client.post("/advisor/send", headers=w.h["adv"], data=data)
        assert r.status_code == 400 and words in r.text, (data, r.text[-800:])
    with w.sessions() as db:
        assert db.scalar(select(func.count()).select_from(SendArchiveRow)) == 0


def test_compliance_review_queue_guard_and_reject_with_reason(w: World, client: TestClient) -> None:
    with w.sessions() as db:
        v = create_item(
            db, w.staff("adv"), kind="article", title="稳健理财", category="投教", tags=[], audience_risk="R2",
            body="本产品保证年化收益 8%。\n" + risk_disclaimer("zh", kind="fund"),
        )  # fmt: skip
        submit(db, w.staff("adv"), item_id=v.item_id)
        db.commit()
        vid = v.id
    page = client.get("/compliance/reviews", headers=w.h["comp"]).text
    assert f'data-version="{vid}"' in page and "保证年化收益" in page and 'data-guard="clean"' in page
    r = client.post(f"/compliance/reviews/{vid}", headers=w.h["comp"], data={"decision": "reject", "reason": ""})
    assert r.status_code == 400 and "a rejection needs at least one reason" in r.text
    with w.sessions() as db:
        assert db.get(ContentVersion, vid).status == "submitted"  # type: ignore[union-attr]
    r = client.post(
        f"/compliance/reviews/{vid}",
        headers=w.h["comp"],
        data={"decision": "reject", "reason": "承诺收益，违反销售规定"},
    )
    assert r.status_code == 200 and "已驳回" in r.text and f'data-version="{vid}"' not in r.text
    with w.sessions() as db:
        row = db.get(ContentVersion, vid)
        assert row is not None and (row.status, row.review_reasons) == ("rejected", ["承诺收益，违反销售规定"])
    audit = client.get("/compliance/audit", headers=w.h["comp"], params={"advisor": str(w.id["comp"])}).text
    assert "内容审核" in audit and f"content:{v.item_id}:v1" in audit
    bad = client.get("/compliance/audit", headers=w.h["comp"], params={"from": "2026-13-01"})
    assert bad.status_code == 400 and "write it as YYYY-MM-DD" in bad.text
    assert (
        client.post("/compliance/reviews/999999", headers=w.h["comp"], data={"decision": "approve"}).status_code == 404
    )


def test_archive_search_csv_and_seeded_sample(w: World, client: TestClient) -> None:
    item = w.approved("基金定投入门")
    client.post(
        "/advisor/send",
        headers=w.h["adv"],
        data={"source": "content", "item_id": str(item), "segment": "all", "channel": "inapp"},
    )
    page = client.get("/compliance/archive", headers=w.h["comp"], params={"client": str(w.low)}).text
    assert page.count("<tr data-send=") == 1 and "李*" in page and "李四" not in page
    r = client.get("/compliance/archive.csv", headers=w.h["comp"], params={"advisor": str(w.id["adv"])})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sorted(x["decision"] for x in rows) == ["rejected", "sent"]
    assert all("张三丰" not in v and "13812345678" not in v for x in rows for v in x.values())
    day = NOW.date().isoformat()
    one = client.get("/compliance/sample", headers=w.h["comp"], params={"from": day, "to": day, "size": 5, "seed": 7})
    again = client.get("/compliance/sample", headers=w.h["comp"], params={"from": day, "to": day, "size": 5, "seed": 7})
    assert 'id="sample-count">抽中条数 1<' in one.text and "执业编号 A0123456789012" in one.text
    assert one.text.count("data-archive=") == again.text.count("data-archive=") == 1
    half = client.get("/compliance/sample", headers=w.h["comp"], params={"from": day})
    assert half.status_code == 400 and "give both from and to" in half.text


def test_ops_workload_and_bulk_assignment_by_segment(w: World, client: TestClient) -> None:
    with w.sessions() as db:
        fresh = [add_user(db, "investor", f"新客{i}").id for i in range(3)]
        add_assessment(db, fresh[0], "C2", assessed=NOW)
        db.commit()
    page = client.get("/ops/workload", headers=w.h["ops"]).text
    assert f'data-advisor="{w.id["adv"]}"' in page and "A0123456789012" in page and "未登记" in page
    bad = client.post(
        "/ops/workload/assign",
        headers=w.h["ops"],
        data={"to_advisor": str(w.id["inv"]), "client_ids": str(fresh[0]), "reason": "x"},
    )
    assert bad.status_code == 400 and "no advisor with user id" in bad.text
    none = client.post(
        "/ops/workload/assign", headers=w.h["ops"], data={"to_advisor": str(w.id["other"]), "reason": "x"}
    )
    assert none.status_code == 400 and "list client ids" in none.text
    r = client.post(
        "/ops/workload/assign",
        headers=w.h["ops"],
        data={"to_advisor": str(w.id["other"]), "from_book": "unassigned", "category": "C2", "reason": "新客户分配"},
    )
    assert r.status_code == 200 and "1 / 1" in r.text
    r = client.post(
        "/ops/workload/assign",
        headers=w.h["ops"],
        data={"to_advisor": str(w.id["other"]), "from_book": str(w.id["adv"]), "reason": "投顾离职交接"},
    )
    assert r.status_code == 200 and "2 / 2" in r.text
    with w.sessions() as db:
        owners = dict(db.execute(select(ClientAssignment.client_user_id, ClientAssignment.advisor_id)).all())
        users = {u.id for u in db.scalars(select(User).where(User.id.in_(fresh)))}
    assert owners[fresh[0]] == w.id["other"] and fresh[1] not in owners and users == set(fresh)
    assert owners[w.mine] == owners[w.low] == w.id["other"]
