"""Browser journeys (Debian chromium): build a screen → run a backtest → see the tear sheet; the Level-2 panel.

Saves docs/screenshots/quant.png (a finished backtest) and docs/screenshots/level2.png (the live panel mid-replay).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.browser
FONT_SAMPLE = "量化回测资金流向"


@pytest.fixture(scope="module")
def page(new_phone: Callable[[], Any], signup: Callable[..., None]) -> Iterator[Any]:
    """A signed-up investor's phone-sized page; no page error may occur in either journey."""
    ctx = new_phone()
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    signup(pg, "quant.journey@example.com", display_name="量化用户", lands_on=r".*/(wealth|market|quant)")
    yield pg
    assert not errors, errors
    ctx.close()


def test_screen_then_backtest_then_tear_sheet(page: Any, live_url: str, snap: Callable[..., None]) -> None:
    page.goto(f"{live_url}/quant")
    page.click("button.chip[data-example^='pb < 1.5']")
    page.wait_for_selector("#screen-table tbody tr")
    assert int(page.get_attribute(".screen-res", "data-count")) > 0
    page.click(".screen-res [data-use-screen]")
    assert page.input_value("#bt-screen") == "pb < 1.5 and roe > 0.02"
    page.fill("#builder input[name=name]", "低估值高ROE")
    page.select_option("select[name=rank_by]", "pb")
    page.fill("input[name=start]", "2022-01-01")
    page.fill("input[name=end]", "2023-12-29")
    page.click("#run-backtest")
    page.wait_for_selector(".job[data-status='done']", timeout=120_000)
    page.wait_for_function("() => document.querySelectorAll('.equity svg path').length > 5")
    assert page.locator(".metrics dd").count() == 6
    assert "%" in page.inner_text(".metrics dd >> nth=0")
    assert page.locator(".jobs li.st-done").count() >= 1  # the list refreshed when the job finished
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky bars stay at the top and bottom of the shot
    snap(page, "quant.png", FONT_SAMPLE)
    with page.expect_popup() as popup:
        page.click("#report-link")
    report = popup.value
    report.wait_for_load_state()
    assert "回测报告" in report.inner_text("h1") and report.locator("img[alt=equity]").count() == 1
    report.close()


def test_level2_panel_updates_live_during_replay(page: Any, live_url: str, snap: Callable[..., None]) -> None:
    page.goto(f"{live_url}/market?code=600519.SH")
    page.wait_for_selector("[data-l2] svg")
    page.click("[data-l2-speed='600']")
    page.wait_for_function("() => +document.querySelector('[data-l2]').dataset.minutes >= 40", timeout=60_000)
    first = page.inner_text("#l2-minute")
    page.wait_for_function(
        "m => document.querySelector('#l2-minute').textContent !== m", arg=first, timeout=30_000
    )  # still updating: a live feed, not a static chart
    assert float(page.inner_text("#l2-price")) > 1700
    assert page.locator(".l2-daily tbody tr").count() == 5  # four classes + 主力
    page.wait_for_function("() => +document.querySelector('[data-l2]').dataset.minutes >= 120", timeout=60_000)
    page.set_viewport_size({"width": 390, "height": 2000})  # the whole card, clear of the sticky bars
    page.locator("#l2-card").scroll_into_view_if_needed()
    snap(page, "level2.png", FONT_SAMPLE, element="#l2-card")
    page.set_viewport_size({"width": 390, "height": 844})
