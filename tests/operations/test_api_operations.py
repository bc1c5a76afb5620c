"""The operations and partner API over the real app: roles, the partner's scope, suppression, and the CSV export."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from ops_fixtures import T, ev, link, store
from sqlalchemy import func, select

from tandem.compliance.models import AuditLogRow
from tandem.core.settings import Settings
from tandem.engagement.event_factory import event_store_root
from tandem.identity import User, issue_token
from tandem.identity.accounts import create_user
from tandem.marketdata.store import MarketStore
from tandem.operations.campaign_form import BEIJING
from tandem.operations.models import PartnerMember
from tandem.operations.referrals import create_link
from tandem.wealth.models import RiskAssessmentRow
from tandem.web.app import create_app

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SPAN = {"from": "2026-11-01", "to": "2026-11-08"}


@pytest.fixture
def api(tmp_path: Path, sample_store: MarketStore) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], str]]:
    settings = Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789abcdef-0123456789")
    app = create_app(settings, store=sample_store)
    state = app.state.tandem
    headers: dict[str, dict[str, str]] = {}
    with state.sessions() as db:
        ths = create_link(db, source="partner_app", partner="ths")
        create_link(db, source="partner_app", partner="xueqiu")
        for name, role, partner in (("ops@x.cn", "operations", None), ("inv@x.cn", "investor", None),
                                    ("ths@x.cn", "partner", "ths"), ("xq@x.cn", "partner", "xueqiu"),
                                    ("lone@x.cn", "partner", None)):  # fmt: skip
            user = create_user(db, state.keys, username=name, password="Correct-horse-42", role=role)  # type: ignore[arg-type]
            if partner:
                db.add(PartnerMember(user_id=user.id, partner=partner))
            token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
            headers[name.split("@")[0]] = {"Authorization": f"Bearer {token}"}
        db.commit()
    events = []
    for c in range(7_000_100, 7_000_115):  # 15 ths landings, 4 sign-ups
        events.append(ev(c, "landing", T, link(ths.code, "partner_app", "ths")))
        if c < 7_000_104:
            events.append(ev(c, "sign_up", T + timedelta(hours=1)))
    for c in range(8_000_200, 8_000_212):
        events += [ev(c, "landing", T, link("xq0000", "partner_app", "xueqiu")), ev(c, "first_deposit", T)]
    store(event_store_root(settings), events)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, headers, ths.code


def test_operations_sees_funnel_attribution_and_cohorts(api: tuple[TestClient, dict[str, dict[str, str]], str]) -> None:
    client, h, _ = api
    r = client.get("/api/v1/ops/funnel", params=SPAN, headers=h["ops"])
    assert r.status_code == 200, r.text
    assert [s["clients"] for s in r.json()["steps"]][:2] == [27, 4]
    r = client.get("/api/v1/ops/attribution", params={**SPAN, "by": "partner"}, headers=h["ops"])
    assert r.status_code == 200 and r.json()["conversions"] == 12
    assert client.get("/api/v1/ops/cohorts", params=SPAN, headers=h["ops"]).status_code == 200
    bad = client.get("/api/v1/ops/funnel", params={"from": "2026-11-09", "to": "2026-11-01"}, headers=h["ops"])
    assert bad.status_code == 400 and "after its end" in bad.text  # the app maps ValidationFailed to 400
    assert client.get("/api/v1/ops/funnel", params={**SPAN, "partner": "../x"}, headers=h["ops"]).status_code == 422


@pytest.mark.parametrize("who", ["inv", "ths", None])
def test_ops_routes_refuse_other_roles(api: tuple[TestClient, dict[str, dict[str, str]], str], who: str | None) -> None:
    client, h, _ = api
    for path in ("/api/v1/ops/funnel", "/api/v1/ops/cohorts", "/api/v1/ops/attribution"):
        r = client.get(path, params=SPAN, headers=h[who] if who else {})
        assert r.status_code == (403 if who else 401)
        assert "7000" not in r.text and "8000" not in r.text


def test_partner_sees_only_its_suppressed_aggregates(api: tuple[TestClient, dict[str, dict[str, str]], str]) -> None:
    client, h, own = api
    r = client.get("/api/v1/partner/funnel", params=SPAN, headers=h["ths"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["partner"] == "ths" and body["k"] == 10
    assert {(c["step"], c["clients"]) for c in body["cells"]} == {("landing", 15), ("sign_up", None)}
    csv = client.get("/api/v1/partner/funnel", params={**SPAN, "format": "csv"}, headers=h["ths"])
    assert csv.status_code == 200 and csv.text.splitlines()[1:] == ["2026-11-02,landing,15", "2026-11-02,sign_up,<10"]
    for text in (r.text, csv.text):
        assert "7000" not in text and "8000" not in text and "xueqiu" not in text
    xq = client.get("/api/v1/partner/funnel", params=SPAN, headers=h["xq"]).json()
    # xueqiu's clients deposited without the earlier steps: the ordered funnel stops at landing
    assert {(c["step"], c["clients"]) for c in xq["cells"]} == {("landing", 12)}
    assert client.get("/api/v1/partner/funnel", params={**SPAN, "link": own}, headers=h["ths"]).status_code == 200


def test_partner_probing_other_links_or_ops_routes_gets_nothing(
    api: tuple[TestClient, dict[str, dict[str, str]], str],
) -> None:
    client, h, own = api
    probe = client.get("/api/v1/partner/funnel", params={**SPAN, "link": own}, headers=h["xq"])
    ghost = client.get("/api/v1/partner/funnel", params={**SPAN, "link": "zzzzzz123"}, headers=h["xq"])
    assert probe.status_code == ghost.status_code == 409
    assert probe.json()["detail"].replace(own, "X") == ghost.json()["detail"].replace("zzzzzz123", "X")
    assert client.get("/api/v1/partner/funnel", params=SPAN, headers=h["lone"]).status_code == 404
    assert client.get("/api/v1/partner/funnel", params=SPAN, headers=h["ops"]).status_code == 403
    assert (
        client.get("/api/v1/partner/funnel", params={"partner": "xueqiu", **SPAN}, headers=h["ths"]).json()["partner"]
        == "ths"
    )  # a partner parameter is ignored: the scope comes from the account


def test_pages_render_for_their_roles_only(api: tuple[TestClient, dict[str, dict[str, str]], str]) -> None:
    client, h, _ = api
    page = client.get("/ops", params=SPAN, headers=h["ops"])
    assert page.status_code == 200 and "ops-funnel-chart" in page.text and "echarts.min.js" in page.text
    assert "<td>27</td>" in page.text
    assert client.get("/ops", params=SPAN, headers=h["ths"]).status_code == 403
    partner = client.get("/partner", params=SPAN, headers=h["ths"])
    assert partner.status_code == 200 and "&lt;10" in partner.text and "<td>15</td>" in partner.text
    assert "7000" not in partner.text and "xueqiu" not in partner.text
    assert client.get("/partner", params=SPAN, headers=h["ops"]).status_code == 403


def test_operations_creates_links_with_urls_and_qr_codes(
    api: tuple[TestClient, dict[str, dict[str, str]], str],
) -> None:
    client, h, _ = api
    made = client.post("/api/v1/ops/links", json={"source": "wechat", "partner": "ths"}, headers=h["ops"])
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["url"] == f"http://testserver/r/{link['code']}?utm_source=wechat&utm_content=ths"
    assert client.get(link["url"]).status_code == 200  # the URL opens the landing page it names
    qr = client.get(link["qr"], headers=h["ops"])
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml" and b"<svg" in qr.content
    listed = client.get("/api/v1/ops/links", params={"partner": "ths"}, headers=h["ops"]).json()
    assert listed[0]["code"] == link["code"] and {k["partner"] for k in listed} == {"ths"}
    bad = client.post("/api/v1/ops/links", json={"source": "tv", "partner": "THS!"}, headers=h["ops"])
    assert bad.status_code == 400 and "not a source" in bad.json()["detail"]
    ghost = client.post("/api/v1/ops/links", json={"source": "wechat", "campaign": "ghost"}, headers=h["ops"])
    assert ghost.status_code == 400 and "no campaign 'ghost'" in ghost.json()["detail"]
    assert len(client.get("/api/v1/ops/links", headers=h["ops"]).json()) == 3  # the refused ones created nothing
    assert client.post("/api/v1/ops/links", json={"source": "wechat"}, headers=h["ths"]).status_code == 403
    assert client.get(f"/api/v1/ops/links/{link['code']}/qr.svg", headers=h["inv"]).status_code == 403


def test_a_partner_gets_its_own_links_and_qr_codes_only(api: tuple[TestClient, dict[str, dict[str, str]], str]) -> None:
    client, h, own = api
    mine = client.get("/api/v1/partner/links", headers=h["ths"]).json()
    assert [k["code"] for k in mine] == [own] and mine[0]["qr"] == f"/api/v1/partner/links/{own}/qr.svg"
    assert client.get(mine[0]["qr"], headers=h["ths"]).headers["content-type"] == "image/svg+xml"
    probe = client.get(f"/api/v1/partner/links/{own}/qr.svg", headers=h["xq"])
    ghost = client.get("/api/v1/partner/links/zzzzzz123/qr.svg", headers=h["xq"])
    assert probe.status_code == ghost.status_code == 409


def test_campaigns_are_defined_launched_and_measured_through_the_api(
    api: tuple[TestClient, dict[str, dict[str, str]], str],
) -> None:
    from datetime import UTC

    from tandem.advisor.access import require_staff
    from tandem.advisor.content import create_item, review, submit
    from tandem.compliance.audit import MemoryAuditLog
    from tandem.compliance.disclaimers import risk_disclaimer

    client, h, _ = api
    state = client.app.state.tandem  # type: ignore[attr-defined]
    with state.sessions() as db:
        ops = create_user(db, state.keys, username="writer@x.cn", password="Correct-horse-42", role="operations")
        comp = create_user(db, state.keys, username="comp@x.cn", password="Correct-horse-42", role="compliance")
        v = create_item(db, require_staff(user_id=ops.id, role="operations"), kind="article", title="认识指数基金",
                        category="投教", tags=[], audience_risk="R1",
                        body="指数基金分散持有一篮子股票。\n" + risk_disclaimer("zh", kind="fund"))  # fmt: skip
        submit(db, require_staff(user_id=ops.id, role="operations"), item_id=v.item_id)
        review(db, require_staff(user_id=comp.id, role="compliance"), MemoryAuditLog(), version_id=v.id,
               approve=True, reasons=[])  # fmt: skip
        investor = db.scalar(select(User.id).where(User.role == "investor"))
        stamp = datetime.now(UTC)  # a valid assessment: the launch audits a suitability check mid-transaction
        until = stamp + timedelta(days=300)
        db.add(RiskAssessmentRow(client_id=f"user:{investor}", questionnaire_version="t", answers={}, score=50,
                                 category="C3", assessed_at=stamp, valid_until=until))  # fmt: skip
        db.commit()
    now = datetime.now(UTC)
    body = {
        "code": "idx-week",
        "name": "指数基金投教周",
        "content_id": v.item_id,
        "target_step": "first_deposit",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(),
    }
    assert client.post("/api/v1/ops/campaigns", json=body, headers=h["inv"]).status_code == 403
    bad = client.post("/api/v1/ops/campaigns", json={**body, "channel": "fax", "content_id": 999}, headers=h["ops"])
    assert bad.status_code == 400
    assert "channel" in bad.text and "content_id" in bad.text
    assert client.get("/api/v1/ops/campaigns", headers=h["ops"]).json() == []  # nothing stored
    made = client.post("/api/v1/ops/campaigns", json=body, headers=h["ops"])
    assert made.status_code == 201 and made.json()["status"] == "ready" and made.json()["content_version"] == 1
    assert client.get("/api/v1/ops/campaigns/idx-week/uplift", headers=h["ops"]).status_code == 409
    launched = client.post("/api/v1/ops/campaigns/idx-week/launch", headers=h["ops"])
    assert launched.status_code == 200, launched.text
    out = launched.json()
    assert out["treated"] + out["control"] == 1  # the one investor account of the fixture
    with state.sessions() as db:
        checks = db.scalar(
            select(func.count()).select_from(AuditLogRow).where(AuditLogRow.action == "suitability.check")
        )
        assert checks == out["treated"]  # audited in the launch's own transaction
    assert client.post("/api/v1/ops/campaigns/idx-week/launch", headers=h["ops"]).status_code == 409
    up = client.get("/api/v1/ops/campaigns/idx-week/uplift", headers=h["ops"]).json()
    assert up["warning"] and up["treated"] + up["control"] == 1
    assert client.get("/api/v1/ops/campaigns/nope", headers=h["ops"]).status_code == 404
    assert client.get("/api/v1/ops/campaigns/idx-week", headers=h["ths"]).status_code == 403


def test_the_campaign_page_defines_launches_and_lists_links(
    api: tuple[TestClient, dict[str, dict[str, str]], str],
) -> None:
    from tandem.advisor.access import require_staff
    from tandem.advisor.content import create_item, review, submit
    from tandem.compliance.audit import MemoryAuditLog
    from tandem.compliance.disclaimers import risk_disclaimer

    client, h, ths_code = api
    assert client.get("/ops/campaigns", headers=h["inv"]).status_code == 403
    empty = client.get("/ops/campaigns", headers=h["ops"])
    assert empty.status_code == 200 and "还没有活动" in empty.text and "通过合规审核的内容" in empty.text
    assert ths_code in empty.text and f"/api/v1/ops/links/{ths_code}/qr.svg" in empty.text
    state = client.app.state.tandem  # type: ignore[attr-defined]
    with state.sessions() as db:
        ops = create_user(db, state.keys, username="w2@x.cn", password="Correct-horse-42", role="operations")
        comp = create_user(db, state.keys, username="c2@x.cn", password="Correct-horse-42", role="compliance")
        v = create_item(db, require_staff(user_id=ops.id, role="operations"), kind="article", title="指数基金入门",
                        category="投教", tags=[], audience_risk="R1",
                        body="指数基金分散持有一篮子股票。\n" + risk_disclaimer("zh", kind="fund"))  # fmt: skip
        submit(db, require_staff(user_id=ops.id, role="operations"), item_id=v.item_id)
        review(db, require_staff(user_id=comp.id, role="compliance"), MemoryAuditLog(), version_id=v.id,
               approve=True, reasons=[])  # fmt: skip
        db.commit()
    form = {
        "code": "idx-page",
        "name": "指数基金入门周",
        "content_id": str(v.item_id),
        "channel": "inapp",
        "target_step": "first_deposit",
        "starts_at": "2020-01-01T09:00",
        "ends_at": "2020-01-05T18:00",
        "control_share": "0.2",
        "window_days": "14",
        "tags": "",
        "min_active_days_30": "0",
    }
    bad = client.post("/ops/campaigns", data={**form, "control_share": "lots", "window_days": "x"}, headers=h["ops"])
    assert "control_share" in bad.text and "window_days" in bad.text and "未保存" in bad.text
    assert client.get("/api/v1/ops/campaigns", headers=h["ops"]).json() == []
    made = client.post("/ops/campaigns", data=form, headers=h["ops"])
    assert "已创建活动 idx-page" in made.text and "已结束" in made.text  # a 2020 campaign has ended: no launch button
    assert 'hx-post="/ops/campaigns/idx-page/launch"' not in made.text
    ended = client.post("/ops/campaigns/idx-page/launch", headers=h["ops"])
    assert "ended at" in ended.text
    now = datetime.now(BEIJING)
    running = {**form, "code": "idx-now", "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
               "ends_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    listed = client.post("/ops/campaigns", data=running, headers=h["ops"])
    assert 'hx-post="/ops/campaigns/idx-now/launch"' in listed.text
    done = client.post("/ops/campaigns/idx-now/launch", headers=h["ops"])
    assert "idx-now 已投放" in done.text and "样本不足" in done.text
    new_link = {"source": "wechat", "partner": "", "campaign": "idx-now"}
    linked = client.post("/ops/links", data=new_link, headers=h["ops"])
    assert "已创建推广链接" in linked.text and "idx-now" in linked.text
    refused = client.post("/ops/links", data={"source": "fax"}, headers=h["ops"])
    assert "未保存" in refused.text
