"""Staff journeys in Debian's chromium (headless, Playwright) against the app seeded with the demo accounts.

The app's WeCom settings point at the local WeCom emulator (tests/advisor/wecom_emulator.py), so a send from the
page really goes through the WeCom channel: the client is bound through the external-contact directory (the code the
page issues, carried by the emulator's contact, and the sync), and the emulator receives the customer mass message
in numbered parts within the 4,000-byte limit.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from tandem.core.settings import Settings
from tandem.identity.accounts import create_user, find_user
from tandem.identity.demo import DEMO_PASSWORD, seed_demo_accounts
from tandem.marketdata.store import MarketStore
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
