"""The 财富 journey in Debian's chromium (headless, Playwright): sign up → questionnaire → plan → accept → holdings.

Leaves docs/screenshots/wealth.png (the tab after accepting a plan, on a phone-sized viewport).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "Journey-pass-2025"
C3 = {"age": "b", "income": "b", "assets": "b", "debts": "b", "experience": "b", "horizon": "b",
      "loss_tolerance": "b", "purpose": "b"}  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (make test does this as root)")
    import uvicorn

    from tandem.web.app import create_app

    home = tmp_path_factory.mktemp("wealth-live")
    app = create_app(Settings(home=home, secret_key="wealth-browser-secret-0123456789abcdef"), store=sample_store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(live_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
        yield ctx.new_page()
        browser.close()


def test_signup_questionnaire_plan_accept_holdings(page: Any, live_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_url}/signup")
    page.fill("input[name=username]", "wealth.journey@example.com")
    page.fill("input[name=display_name]", "王女士")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/wealth$"))
    assert page.locator("fieldset.q").count() == len(C3)

    # submitting with a question left out marks it and keeps the other answers
    for qid, key in list(C3.items())[:-1]:
        page.click(f"#q-{qid} .opt:has(input[value='{key}'])")
    page.click("#q-submit")
    page.wait_for_selector("#q-purpose.missing")
    assert page.locator("#q-age input[value='b']").is_checked()
    page.click("#q-purpose .opt:has(input[value='b'])")
    page.click("#q-submit")
    page.wait_for_selector(".level-badge[data-level='C3']")
    assert "稳健型" in page.inner_text("#wealth-level")
    shown = page.eval_on_selector_all("article.strat", "els => els.map(e => e.dataset.risk)")
    assert shown and all(int(r[1]) <= 3 for r in shown)
    assert "积极进取" not in page.inner_text("#wealth-strategies")

    # a too-small amount gets the minimum from the service and a one-tap retry
    page.click("[data-use-strategy='balanced']")
    page.fill("#plan-amount", "500")
    page.click("#plan-submit")
    page.wait_for_selector(".plan-error")
    assert "至少需要投入" in page.inner_text(".plan-error")
    page.click(".plan-error [data-submit]")
    page.wait_for_selector(".plan[data-status='proposed']")
    page.fill("#plan-amount", "100000")
    page.click("#plan-submit")
    page.wait_for_selector(".plan[data-status='proposed'] .plan-amount:has-text('100,000.00')")
    risks = page.eval_on_selector_all(".holdings-table tr[data-risk]", "els => els.map(e => e.dataset.risk)")
    assert risks and all(int(r[1]) <= 3 for r in risks)
    assert "风险提示" in page.inner_text(".plan .risk-note")

    page.click("#accept-plan")
    page.wait_for_selector("#plan-accepted")
    page.wait_for_selector("#wealth-holdings .holdings li")
    assert page.locator("#wealth-holdings .holdings li").count() == len(risks)
    page.reload()
    page.wait_for_selector("#wealth-holdings .holdings li")
    page.evaluate("""() => document.fonts.load('16px "Tandem CJK"', '财富规划模拟持仓')""")
    page.evaluate("() => document.fonts.ready")
    assert page.locator("#plan-accepted").count() == 1  # the accepted plan stays on the tab with its explanation
    page.evaluate("() => window.scrollTo(0, 0)")
    page.add_style_tag(content=".tabbar { position: static; }")  # full-page capture: tab bar at the end, not mid-page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "wealth.png"), full_page=True)

    page.goto(f"{live_url}/lang/en?next=/wealth")
    page.wait_for_selector("#wealth-strategies")
    assert "Strategies matching your level" in page.inner_text("#wealth-strategies")
    page.goto(f"{live_url}/lang/zh?next=/wealth")
    assert not errors, errors
