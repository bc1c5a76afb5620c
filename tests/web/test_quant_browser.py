"""Browser journeys (Debian chromium): build a screen → run a backtest → see the tear sheet; the Level-2 panel.

Saves docs/screenshots/quant.png (a finished backtest) and docs/screenshots/level2.png (the live panel mid-replay).
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
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PASSWORD = "Journey-pass-2025"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> Iterator[str]:
    """The real app under uvicorn with its lifespan on (the backtest job service runs in it)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (make test does this as root)")
    import uvicorn

    from tandem.web.app import create_app

    settings = Settings(home=tmp_path_factory.mktemp("quant-live"), secret_key="quant-browser-secret-0123456789ab")
    app = create_app(settings, store=sample_store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def page(live_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(f"{live_url}/signup")
        pg.fill("input[name=username]", "quant.journey@example.com")
        pg.fill("input[name=display_name]", "量化用户")
        pg.fill("input[name=password]", PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_url(re.compile(r".*/(wealth|market|quant)"))
        yield pg
        assert not errors, errors
        browser.close()


def _fonts_ready(page: Any) -> None:
    page.evaluate("""() => document.fonts.load('16px "Tandem CJK"', '量化回测资金流向')""")
    page.evaluate("() => document.fonts.ready")


def test_screen_then_backtest_then_tear_sheet(page: Any, live_url: str) -> None:
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
    _fonts_ready(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky bars stay at the top and bottom of the shot
    page.screenshot(path=str(SHOTS / "quant.png"), full_page=True)
    with page.expect_popup() as popup:
        page.click("#report-link")
    report = popup.value
    report.wait_for_load_state()
    assert "回测报告" in report.inner_text("h1") and report.locator("img[alt=equity]").count() == 1
    report.close()


def test_level2_panel_updates_live_during_replay(page: Any, live_url: str) -> None:
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
    _fonts_ready(page)
    page.set_viewport_size({"width": 390, "height": 2000})  # the whole card, clear of the sticky bars
    page.locator("#l2-card").scroll_into_view_if_needed()
    page.locator("#l2-card").screenshot(path=str(SHOTS / "level2.png"))
    page.set_viewport_size({"width": 390, "height": 844})
