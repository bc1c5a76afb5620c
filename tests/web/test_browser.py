"""Journeys in Debian's chromium (headless, via Playwright), with screenshots of each tab into docs/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser
FONT_SAMPLE = "行情诊股"


def test_search_quote_kline_diagnosis_brief(
    phone_page: Any, signup: Callable[..., None], live_url: str, snap: Callable[..., None]
) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    signup(page, "search.journey@example.com")
    page.goto(f"{live_url}/market")
    page.wait_for_selector(".index-card .spark svg path")  # the landing state: CSI 300 line, movers, top scores
    assert page.locator("#gainers li").count() > 0 and page.locator("#top-scores li").count() == 5
    snap(page, "market_home.png", FONT_SAMPLE)
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
    page.click("[data-l2-speed='600']")  # the screenshot shows the Level-2 panel replaying, not its empty axes
    page.wait_for_function("() => +document.querySelector('[data-l2]').dataset.minutes >= 90", timeout=60_000)
    page.evaluate("() => window.scrollTo(0, 0)")
    snap(page, "market.png", FONT_SAMPLE)
    page.goto(f"{live_url}/lang/en?next=/market%3Fcode%3D600519.SH")
    page.wait_for_selector(".kline svg")
    assert "Daily K-line" in page.inner_text(".chart-card h2")
    page.goto(f"{live_url}/lang/zh?next=/news")
    assert not errors, errors


def test_feed_switch_persists_and_tabs_render(
    phone_page: Any, signup: Callable[..., None], live_url: str, snap: Callable[..., None]
) -> None:
    page = phone_page
    signup(page, "13700001234")
    assert page.locator("#wealth-q").count() == 1  # new clients land on the questionnaire; see test_wealth_browser
    page.goto(f"{live_url}/news")
    box = page.locator("#feed-switch input[type=checkbox]")
    assert not box.is_checked()
    with page.expect_response("**/news/settings"):  # the click ticks the box at once; wait for the stored answer
        page.click("#feed-switch label")
    page.wait_for_selector("#feed-switch input:checked")
    page.reload()
    assert page.locator("#feed-switch input[type=checkbox]").is_checked()
    snap(page, "news.png", FONT_SAMPLE)
    page.goto(f"{live_url}/quant")  # quant.png is the finished backtest of test_quant_browser, not this empty tab
    page.wait_for_selector("#screener")
    page.goto(f"{live_url}/me")
    assert "137****1234" in page.inner_text("#profile")
    assert "13700001234" not in page.content()


def test_second_user_cannot_open_first_users_objects(
    new_phone: Callable[[], Any], signup: Callable[..., None], live_url: str
) -> None:
    first = new_phone()
    p1 = first.new_page()
    signup(p1, "owner@example.com")
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
    second = new_phone()
    p2 = second.new_page()
    signup(p2, "intruder@example.com")
    resp = p2.request.get(f"{live_url}/api/v1/watchlist/{item_id}")
    assert resp.status == 404 and resp.headers["content-type"].startswith("application/problem+json")
    no_csrf = p2.request.delete(f"{live_url}/api/v1/watchlist/{item_id}")
    assert no_csrf.status == 403  # cookie auth without the CSRF header is refused before anything else
    p2.goto(f"{live_url}/market")
    assert "贵州茅台" not in p2.inner_text(".watchlist") if p2.locator(".watchlist").count() else True
    first.close()
    second.close()
