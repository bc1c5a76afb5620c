"""A visitor without an account in Debian's chromium: the market landing, search, K-line, then signing up."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tandem.core.i18n import translate

pytestmark = pytest.mark.browser
JOURNEY_PASSWORD = "Visitor-journey-2025"


def test_visitor_searches_opens_kline_sees_why_diagnosis_needs_login_and_signs_up(
    phone_page: Any, live_url: str
) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_url}/")
    assert page.url == f"{live_url}/"  # no redirect to the login form
    page.wait_for_selector(".index-card .spark svg path")  # the landing state: CSI 300 line and movers
    assert page.locator("#gainers li").count() > 0 and page.locator("#top-scores").count() == 0
    assert page.locator(".top-scores [data-need='scores']").is_visible()
    page.fill("#q", "贵州茅台")
    page.click("#search-results a[data-code='600519.SH']")
    page.wait_for_selector(".kline svg")
    assert page.inner_text(".quote h1").startswith("贵州茅台")
    assert page.locator(".kline svg path").count() > 50  # candles, MAs and volume bars drawn
    page.reload()  # the full stock page as a visitor, now in the browser's cache (public, max-age=60)
    page.wait_for_selector(".kline svg")
    line = page.locator("#diagnosis [data-need='diagnosis']")
    assert translate("zh", "login.why.diagnosis") in line.inner_text()
    assert page.locator(".brief").count() == 0 and page.locator("#watch-btn").count() == 0
    page.click("#diagnosis [data-signup]")
    page.wait_for_url(re.compile(r".*/signup\?next=.*"))
    page.fill("input[name=username]", "visitor.journey@example.com")
    page.fill("input[name=password]", JOURNEY_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/market\?code=600519\.SH$"))  # back on the stock, signed in
    page.wait_for_selector(".brief", timeout=60_000)  # not the visitor's cached copy: Vary names the cookie
    assert page.locator("#watch-btn").count() == 1 and page.locator("[data-need]").count() == 0
    page.click("a[data-tab='quant']")
    page.wait_for_selector("#screener")
    assert not errors, errors


def test_visitor_tabs_say_why_they_need_login(phone_page: Any, live_url: str) -> None:
    page = phone_page
    for tab in ("quant", "wealth"):
        page.goto(f"{live_url}/market")
        page.click(f"a[data-tab='{tab}']")
        page.wait_for_selector("#login-needed-page")
        assert page.url == f"{live_url}/{tab}"  # no redirect loop through the login form
        assert translate("zh", f"login.why.{tab}") in page.inner_text("#login-needed-page")
    page.click("#login-needed-page [data-login]")
    page.wait_for_url(re.compile(r".*/login\?next=/wealth$"))
