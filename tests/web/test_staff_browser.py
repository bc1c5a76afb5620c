"""Staff journeys in Debian's chromium (headless, Playwright) against the app seeded with the demo accounts.

The app's WeCom settings point at the local WeCom emulator (tests/advisor/wecom_emulator.py), so a send from the
page really goes through the WeCom channel: the client is bound through the external-contact directory (the code the
page issues, carried by the emulator's contact, and the sync), and the emulator receives the customer mass message
in numbered parts within the 4,000-byte limit.

The operations journey reads the dashboard, assigns a new investor on the workload page, makes a referral link (its QR
image loads) and defines and launches a campaign whose treated pushes pass the delivery policy's suitability checks.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from tandem.advisor.access import Staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.content import create_item, review, submit
from tandem.advisor.demo import seed_advisor_demo
from tandem.advisor.models import ContentVersion, SendArchiveRow
from tandem.advisor.wecom.client import WeComClient, WeComConfig
from tandem.advisor.wecom.directory import set_member_userid, sync
from tandem.advisor.wecom.split import CUSTOMER_TEXT_LIMIT, join_parts
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.compliance.models import AuditLogRow
from tandem.core.settings import Settings
from tandem.engagement.event_factory import event_store_root
from tandem.identity import DEMO_PASSWORD, seed_demo_accounts
from tandem.identity.accounts import create_user, find_user
from tandem.marketdata.store import MarketStore
from tandem.operations.campaign_service import campaign_rows
from tandem.operations.scan import EventScan
from tandem.operations.steps import STEP_NAMES
from tandem.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "advisor"))
from wecom_emulator import CORP_ID, SECRET, EmulatorState, running_emulator

from conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
BRIEF_TITLE = "自选股诊断合辑（已审核）"
PROMISE = "本组合保证年化收益 8%，到期还本。"
MEMBER = "demo.advisor"  # the demo advisor's WeCom member account


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[str, EmulatorState]]:
    """The WeCom emulator on loopback, on the real monotonic clock the app's WeCom client uses."""
    with running_emulator(time.monotonic) as served:
        yield served


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore, emulator: tuple[str, EmulatorState]
) -> Iterator[dict[str, Any]]:
    """The live app with WeCom on, the demo accounts and their working day, a long approved brief and a draft."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (make test does this as root)")
    import uvicorn

    url, _ = emulator
    settings = Settings(
        home=tmp_path_factory.mktemp("staff-live"),
        secret_key="staff-browser-secret-0123456789abcdef",
        wecom_corp_id=CORP_ID,
        wecom_secret=SECRET,
        wecom_agent_id=1000002,
        wecom_base_url=url,
    )
    live = create_app(settings, store=sample_store)
    state = live.state.tandem
    out: dict[str, Any] = {"app": live}
    with state.sessions() as db:
        seed_demo_accounts(db, state.keys)
        seed_advisor_demo(db, state.keys, password=DEMO_PASSWORD)
        ids = {n: find_user(db, state.keys, username=f"{n}@demo.tandem").id for n in ("advisor", "ops", "compliance")}  # type: ignore[union-attr]
        adv, comp, ops = (Staff(user_id=ids[n], role=r) for n, r in
                          (("advisor", "advisor"), ("compliance", "compliance"), ("ops", "operations")))  # fmt: skip
        codes = ["600519.SH", *[str(c) for c in sample_store.instruments("stock")["code"].head(2)]]
        briefs = [state.diagnosis.diagnose(c).brief.zh for c in codes]
        body = "\n\n".join(briefs) + "\n" + risk_disclaimer("zh", kind="stock")
        v = create_item(db, adv, kind="template", title=BRIEF_TITLE, category="诊断", tags=["诊断"],
                        audience_risk="R3", body=body)  # fmt: skip
        submit(db, adv, item_id=v.item_id)
        review(db, comp, MemoryAuditLog(), version_id=v.id, approve=True, reasons=[])
        set_member_userid(db, ops, advisor_id=adv.user_id, userid=MEMBER)
        draft = create_item(db, adv, kind="article", title="稳健增值计划", category="投教", tags=[], audience_risk="R2",
                            body=PROMISE + "\n" + risk_disclaimer("zh", kind="fund"))  # fmt: skip
        submit(db, adv, item_id=draft.item_id)
        other = create_user(db, state.keys, username="other.adv@example.com", password=DEMO_PASSWORD, role="advisor")
        stranger = create_user(db, state.keys, username="13900001111", password=DEMO_PASSWORD, display_name="赵六")
        assign_clients(db, ops, client_user_ids=[stranger.id], advisor_id=other.id, reason="新客户分配")
        client03 = find_user(db, state.keys, username="demo-client-03@demo.tandem")
        db.commit()
        out |= {"item": v.item_id, "draft": draft.id, "stranger": stranger.id, "client": client03.id, "body": body,  # type: ignore[union-attr]
                "wecom": WeComConfig(CORP_ID, SECRET, 1000002, url)}  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(live, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    out["url"] = f"http://127.0.0.1:{port}"
    yield out
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def chromium(world: dict[str, Any]) -> Iterator[Any]:
    """Debian's chromium, headless (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def desk(chromium: Any) -> Iterator[Any]:
    """A desktop-sized page in its own context (staff work at a desk), Chinese locale."""
    ctx = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    yield ctx.new_page()
    ctx.close()


def login(page: Any, url: str, username: str, lands: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(f".*{re.escape(lands)}$"))


def test_advisor_opens_a_client_sees_a_task_and_sends_a_brief_through_wecom(
    desk: Any, world: dict[str, Any], emulator: tuple[str, EmulatorState]
) -> None:
    page, url, cid = desk, world["url"], world["client"]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, url, "advisor@demo.tandem", "/advisor/clients")
    assert page.locator("#book-table tbody tr[data-client]").count() == 13  # 12 synthetic clients + the investor
    assert "模拟客户" not in page.inner_text("#book-table")  # names masked: 模*****
    page.click(f"tr[data-client='{cid}'] a")
    page.wait_for_url(re.compile(rf".*/advisor/clients/{cid}$"))
    assert page.locator("#tasks li.task").count() >= 1
    assert "风险测评将于" in page.inner_text("#tasks")  # client 03's assessment runs out within 30 days
    assert page.get_attribute("#wecom-binding", "data-bound") == "no"
    page.click("#wecom-issue")  # the binding code for the advisor's 联系我 link
    page.wait_for_selector("#wecom-code")
    code = page.inner_text("#wecom-code")
    _, state = emulator
    state.add_contact(MEMBER, "wmClient03Demo77", state=code, createtime=int(time.time()))  # added via that link
    with httpx.Client(timeout=5) as http, world["app"].state.tandem.sessions() as db:  # `tandem advisor wecom-sync`
        assert sync(db, WeComClient(world["wecom"], http=http)).bound == (cid,)
        db.commit()
    page.reload()
    assert page.get_attribute("#wecom-binding", "data-bound") == "yes"
    assert page.inner_text("#wecom-external") == "wmCl****77" and "wmClient03Demo77" not in page.content()
    page.click("#send-to-client")
    page.wait_for_url(re.compile(rf".*/advisor/send\?client_id={cid}$"))
    assert "企业微信通道已开启" in page.inner_text("#wecom-status")
    page.select_option("select[name=item_id]", value=str(world["item"]))
    page.click("#send-btn")
    page.wait_for_selector("#send-result")
    assert page.inner_text("#sent-count") == "1" and page.inner_text("#rejected-count") == "0"
    assert "已送达" in page.inner_text("#recipients .delivery")
    assert not errors, errors

    parts = [m["content"] for m in state.mass if (m["sender"], m["external_userid"]) == (MEMBER, "wmClient03Demo77")]
    assert len(parts) >= 2 and all(len(p.encode("utf-8")) <= CUSTOMER_TEXT_LIMIT for p in parts)
    assert [p.split("\n", 1)[0] for p in parts] == [f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
    with world["app"].state.tandem.sessions() as db:
        row = db.scalars(select(SendArchiveRow).where(SendArchiveRow.client_user_id == cid)).one()
    assert row.decision == "sent" and row.body is not None and join_parts(parts) == row.body
    assert "执业编号 DEMO0000000001" in row.body and "数据截至" in row.body


def test_compliance_rejects_a_draft_promising_returns_with_a_reason(desk: Any, world: dict[str, Any]) -> None:
    page, url, vid = desk, world["url"], world["draft"]
    login(page, url, "compliance@demo.tandem", "/compliance/reviews")
    card = page.locator(f"#review-{vid}")
    assert "保证年化收益" in card.inner_text() and card.locator(".guard").get_attribute("data-guard") == "clean"
    card.locator("button[value=reject]").click()  # no reason: refused, nothing changes
    page.wait_for_selector("#flash")
    assert "a rejection needs at least one reason" in page.inner_text("#flash")
    card = page.locator(f"#review-{vid}")
    card.locator("textarea[name=reason]").fill("承诺保证收益（保证年化收益 8%、到期还本），违反基金销售规定")
    card.locator("button[value=reject]").click()
    page.wait_for_selector("#flash:has-text('已驳回')")
    assert page.locator(f"#review-{vid}").count() == 0
    with world["app"].state.tandem.sessions() as db:
        v = db.get(ContentVersion, vid)
        assert v is not None and v.status == "rejected" and "承诺保证收益" in v.review_reasons[0]


def test_advisor_cannot_open_another_advisors_client(desk: Any, world: dict[str, Any]) -> None:
    page, url, sid = desk, world["url"], world["stranger"]
    login(page, url, "advisor@demo.tandem", "/advisor/clients")
    assert page.locator(f"tr[data-client='{sid}']").count() == 0
    resp = page.goto(f"{url}/advisor/clients/{sid}")
    assert resp is not None and resp.status == 404
    assert page.locator("#staff-error[data-status='404']").count() == 1
    assert "赵" not in page.content() and "13900001111" not in page.content()
    resp = page.goto(f"{url}/compliance/reviews")
    assert resp is not None and resp.status == 403 and "无权访问" in page.inner_text("#staff-error")


def test_operations_reads_the_funnel_assigns_a_client_makes_a_link_and_launches_a_campaign(
    desk: Any, world: dict[str, Any], snap: Any
) -> None:
    page, url, state = desk, world["url"], world["app"].state.tandem
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())  # the launch button's hx-confirm
    with state.sessions() as db:  # a new investor nobody serves yet, and a library item compliance has approved
        newcomer = create_user(db, state.keys, username="13700002222", password=DEMO_PASSWORD, display_name="钱七")
        other = find_user(db, state.keys, username="other.adv@example.com")
        ops = find_user(db, state.keys, username="ops@demo.tandem")
        comp = find_user(db, state.keys, username="compliance@demo.tandem")
        author, reviewer = Staff(user_id=ops.id, role="operations"), Staff(user_id=comp.id, role="compliance")  # type: ignore[union-attr]
        v = create_item(db, author, kind="article", title="指数基金入门", category="投教", tags=[], audience_risk="R1",
                        body="指数基金分散持有一篮子股票。\n" + risk_disclaimer("zh", kind="fund"))  # fmt: skip
        submit(db, author, item_id=v.item_id)
        review(db, reviewer, MemoryAuditLog(), version_id=v.id, approve=True, reasons=[])
        db.commit()
        newcomer_id, other_id, item_id = newcomer.id, other.id, v.item_id  # type: ignore[union-attr]

    login(page, url, "ops@demo.tandem", "/ops")  # the dashboard: funnel chart, attribution, cohorts
    page.wait_for_selector("#ops-funnel-chart canvas")  # ECharts drew the funnel from the embedded data
    chart = page.evaluate("() => JSON.parse(document.getElementById('ops-funnel-data').textContent)")
    assert len(chart["labels"]) == len(STEP_NAMES) and len(chart["values"]) == len(STEP_NAMES)
    rows = page.locator("#ops-funnel tbody tr")
    assert rows.count() == len(STEP_NAMES)
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == chart["labels"]
    assert re.search(r"转化 \d+，无触点 \d+", page.inner_text("section:has(#ops-attribution)"))
    assert page.locator("#ops-cohorts thead th").count() == 11  # 开户周, 人数, W0…W8

    page.goto(f"{url}/ops/workload")
    book = page.locator(f"#workload-table tr[data-advisor='{other_id}'] .clients")
    before = int(book.inner_text())
    page.select_option("select[name=to_advisor]", value=str(other_id))
    page.fill("textarea[name=client_ids]", str(newcomer_id))
    page.fill("input[name=reason]", "新客户分配")
    page.click("#workload ~ section button[type=submit]")
    page.wait_for_selector("#flash.ok")
    assert page.inner_text("#flash").endswith("1 / 1")
    assert int(page.locator(f"#workload-table tr[data-advisor='{other_id}'] .clients").inner_text()) == before + 1

    page.goto(f"{url}/ops")
    page.click("#ops-campaigns-link")
    page.wait_for_url(re.compile(r".*/ops/campaigns$"))
    assert "还没有推广链接" in page.inner_text("#ops-links") and "还没有活动" in page.inner_text("#ops-campaigns")

    page.select_option("#ops-link-form select[name=source]", value="wechat")
    page.fill("#ops-link-form input[name=partner]", "citybank")
    page.click("#ops-link-form button[type=submit]")
    page.wait_for_selector("#ops-campaign-message:has-text('已创建推广链接')")
    code = page.inner_text("#ops-campaign-message").rsplit(" ", 1)[1]
    row = page.locator("#ops-links tbody tr", has_text=code)
    assert row.count() == 1 and "wechat" in row.inner_text() and "citybank" in row.inner_text()
    qr = row.locator(f"img[src='/api/v1/ops/links/{code}/qr.svg']")
    assert qr.count() == 1
    qr.evaluate("img => img.complete || new Promise(r => { img.onload = img.onerror = r; })")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR image really loads for the staff session

    now = datetime.now(ZoneInfo("Asia/Shanghai"))

    def fill_campaign(code: str, control_share: str | None) -> None:
        form = page.locator("#ops-campaign-form")  # the board (form included) is swapped after every post
        form.locator("input[name=code]").fill(code)
        form.locator("input[name=name]").fill("指数基金入门周")
        form.locator("select[name=content_id]").select_option(value=str(item_id))
        form.locator("input[name=starts_at]").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        form.locator("input[name=ends_at]").fill((now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
        if control_share is not None:  # otherwise the form's default (0.1)
            form.locator("input[name=control_share]").fill(control_share)
        form.locator("button[type=submit]").click()

    fill_campaign("idx-bad", "lots")
    page.wait_for_selector("#ops-campaign-errors")
    assert "未保存" in page.inner_text("#ops-campaign-errors") and "control_share" in page.inner_text(
        "#ops-campaign-errors"
    )
    assert page.locator("#ops-campaigns tr[data-code]").count() == 0
    with state.sessions() as db:
        assert campaign_rows(db, scan=EventScan(event_store_root(state.settings)), now=datetime.now(UTC)) == []

    fill_campaign("idx-week", None)
    page.wait_for_selector("#ops-campaign-message:has-text('已创建活动 idx-week')")
    assert page.locator("#ops-campaign-errors").count() == 0
    campaign = page.locator("#ops-campaigns tr[data-code='idx-week']")
    assert campaign.locator("td").nth(2).inner_text() == "可投放" and "指数基金入门 v1" in campaign.inner_text()
    campaign.locator("button", has_text="投放").click()
    page.wait_for_selector("#ops-campaign-message:has-text('已投放')")
    launched = re.search(r"idx-week 已投放：实验组 (\d+)，对照组 (\d+)", page.inner_text("#ops-campaign-message"))
    assert launched is not None
    treated, control = int(launched[1]), int(launched[2])
    # the whole audience is every investor account: the demo investor, the 12 demo clients, 赵六 and 钱七
    assert treated + control == 15 and treated >= 1  # the control draw is seeded at random: its size varies
    outcomes = re.findall(r"([^\s，\d]+) (\d+)", page.inner_text("#ops-campaign-message").split("；", 1)[1])
    assert outcomes and sum(int(n) for _, n in outcomes) == treated  # one delivery decision per treated client
    campaign = page.locator("#ops-campaigns tr[data-code='idx-week']")
    cells = campaign.locator("td")
    assert cells.nth(2).inner_text() == "已投放" and cells.nth(5).inner_text() == f"{treated} / {control}"
    uplift = cells.nth(7).inner_text()
    assert "样本不足" in uplift and f"实验组 {treated} 人、对照组 {control} 人" in uplift
    assert campaign.locator("button").count() == 0  # launched once: no second 投放
    with state.sessions() as db:  # the suitability checks of the push were audited and committed with the launch
        checks = db.scalars(select(AuditLogRow).where(AuditLogRow.action == "suitability.check")).all()
        assert any((r.detail or {}).get("product") == f"content:{item_id}" for r in checks)
    snap(page, "ops_campaigns.png", "营销活动与推广链接已投放样本不足")
    assert not errors, errors
