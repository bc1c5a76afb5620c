"""Journeys in Debian's chromium (headless, via Playwright), with screenshots of each tab into docs/screenshots/."""

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
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Journey-pass-2025"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> Iterator[str]:
    """The real app served by uvicorn on a free loopback port (module-scoped: one server for all journeys)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (make test does this as root)")
    import uvicorn

    from tandem.web.app import create_app

    home = tmp_path_factory.mktemp("web-live")
    app = create_app(Settings(home=home, secret_key="browser-test-secret-0123456789abcdef"), store=sample_store)
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
def browser(live_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _phone(browser: Any) -> Any:
    return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")


def _signup(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/signup")
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", "测试用户")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/wealth$"))


def _fonts_ready(page: Any) -> None:
    page.evaluate("""() => document.fonts.load('16px "Tandem CJK"', '行情诊股')""")
    page.evaluate("() => document.fonts.ready")


def test_search_quote_kline_diagnosis_brief(browser: Any, live_url: str) -> None:
    ctx = _phone(browser)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _signup(page, live_url, "search.journey@example.com")
    page.goto(f"{live_url}/market")
    page.fill("#q", "贵州茅台")
    page.click("a[data-code='600519.SH']")
    page.wait_for_selector(".kline svg")
    assert page.inner_text(".quote h1").startswith("贵州茅台")
    assert page.locator(".kline svg path").count() > 50  # candles, MAs and volume bars drawn
    page.wait_for_selector(".brief", timeout=60_000)
    brief = page.inner_text(".brief")
    assert len(brief) >= 100 and "茅台" in brief
    page.wait_for_selector(".radar svg")
    page.click("#watch-btn")
    page.wait_for_selector("#watch-btn:has-text('删自选')")
    page.wait_for_selector(".watchlist .nm")
    _fonts_ready(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "market.png"), full_page=True)
    page.goto(f"{live_url}/lang/en?next=/market%3Fcode%3D600519.SH")
    page.wait_for_selector(".kline svg")
    assert "Daily K-line" in page.inner_text(".chart-card h2")
    page.goto(f"{live_url}/lang/zh?next=/news")
    assert not errors, errors
    ctx.close()


def test_feed_switch_persists_and_tabs_render(browser: Any, live_url: str) -> None:
    ctx = _phone(browser)
    page = ctx.new_page()
    _signup(page, live_url, "13700001234")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.locator("#wealth-q").count() == 1  # new clients land on the questionnaire; see test_wealth_browser
    page.goto(f"{live_url}/news")
    box = page.locator("#feed-switch input[type=checkbox]")
    assert not box.is_checked()
    page.click("#feed-switch label")
    page.wait_for_selector("#feed-switch input:checked")
    page.reload()
    assert page.locator("#feed-switch input[type=checkbox]").is_checked()
    _fonts_ready(page)
    page.screenshot(path=str(SHOTS / "news.png"), full_page=True)
    page.goto(f"{live_url}/quant")
    _fonts_ready(page)
    page.screenshot(path=str(SHOTS / "quant.png"), full_page=True)
    page.goto(f"{live_url}/me")
    assert "137****1234" in page.inner_text("#profile")
    assert "13700001234" not in page.content()
    ctx.close()


def test_second_user_cannot_open_first_users_objects(browser: Any, live_url: str) -> None:
    first = _phone(browser)
    p1 = first.new_page()
    _signup(p1, live_url, "owner@example.com")
    created = p1.evaluate(
        """async () => {
            const csrf = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
            const r = await fetch('/api/v1/watchlist', {method: 'POST', headers: {'Content-Type': 'application/json',
                'X-CSRF-Token': csrf}, body: JSON.stringify({code: '600519', note: '<img src=x onerror=alert(1)>'})});
            return {status: r.status, body: await r.json()};
        }"""
    )
    assert created["status"] == 201, created
    item_id = created["body"]["id"]
    p1.goto(f"{live_url}/market")
    assert p1.locator(".watchlist .note").inner_text() == "<img src=x onerror=alert(1)>"  # shown as text
    assert p1.locator(".watchlist img").count() == 0
    second = _phone(browser)
    p2 = second.new_page()
    _signup(p2, live_url, "intruder@example.com")
    resp = p2.request.get(f"{live_url}/api/v1/watchlist/{item_id}")
    assert resp.status == 404 and resp.headers["content-type"].startswith("application/problem+json")
    no_csrf = p2.request.delete(f"{live_url}/api/v1/watchlist/{item_id}")
    assert no_csrf.status == 403  # cookie auth without the CSRF header is refused before anything else
    p2.goto(f"{live_url}/market")
    assert "贵州茅台" not in p2.inner_text(".watchlist") if p2.locator(".watchlist").count() else True
    first.close()
    second.close()
