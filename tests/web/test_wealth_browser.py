"""The 财富 journey in Debian's chromium (headless, Playwright): sign up → questionnaire → plan → accept → holdings.

Leaves docs/screenshots/wealth.png (the tab after accepting a plan, on a phone-sized viewport).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

C3 = {"age": "b", "income": "b", "assets": "b", "debts": "b", "experience": "b", "horizon": "b",
      "loss_tolerance": "b", "purpose": "b"}  # fmt: skip

pytestmark = pytest.mark.browser


def test_signup_questionnaire_plan_accept_holdings(
    phone_page: Any, signup: Callable[..., None], live_url: str, snap: Callable[..., None]
) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    signup(page, "wealth.journey@example.com", display_name="王女士")  # lands on /wealth
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
    assert page.locator("#plan-accepted").count() == 1  # the accepted plan stays on the tab with its explanation
    page.evaluate("() => window.scrollTo(0, 0)")
    snap(page, "wealth.png", "财富规划模拟持仓")

    page.goto(f"{live_url}/lang/en?next=/wealth")
    page.wait_for_selector("#wealth-strategies")
    assert "Strategies matching your level" in page.inner_text("#wealth-strategies")
    page.goto(f"{live_url}/lang/zh?next=/wealth")
    assert not errors, errors
