"""The 财富 tab's server-rendered pages and htmx fragments (bearer auth; the browser journey is test_wealth_browser)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tandem.core.i18n import keys, translate
from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from test_wealth_api import ANSWERS, PASSWORD  # tests/web is on sys.path (rootdir-relative imports)


@pytest.fixture(scope="module")
def papp(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> FastAPI:
    home: Path = tmp_path_factory.mktemp("wealth-pages")
    return create_app(Settings(home=home, secret_key="wealth-pages-secret-0123456789abcdef"), store=sample_store)


@pytest.fixture(scope="module")
def pclient(papp: FastAPI) -> Iterator[TestClient]:
    with TestClient(papp, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def user(papp: FastAPI, request: pytest.FixtureRequest) -> dict[str, str]:
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    state = papp.state.tandem
    with state.sessions() as db:
        u = create_user(db, state.keys, username=f"{request.node.name[:40]}@example.com", password=PASSWORD)
        db.commit()
        token, _ = issue_token(state.keys.jwt, user_id=u.id, token_version=u.token_version)
    return {"Authorization": f"Bearer {token}", "Accept": "text/html"}


def _form(level: str, drop: str | None = None) -> dict[str, str]:
    return {f"q_{k}": v for k, v in ANSWERS[level].items() if k != drop}


def test_new_client_sees_the_questionnaire(pclient: TestClient, user: dict[str, str]) -> None:
    page = pclient.get("/wealth", headers=user)
    assert page.status_code == 200
    assert page.text.count('<fieldset class="q') == 8 and "风险承受能力测评" in page.text
    assert "wealth.pending" not in page.text and "尚未上线" not in page.text
    en = pclient.get("/wealth?lang=en", headers=user).text
    assert "Risk tolerance questionnaire" in en and "How old are you?" in en


def test_missing_answers_are_marked_and_nothing_stored(pclient: TestClient, user: dict[str, str]) -> None:
    r = pclient.post("/wealth/assess", headers=user, data=_form("C3", drop="horizon"))
    assert r.status_code == 200
    assert 'id="q-missing"' in r.text and 'class="q missing" id="q-horizon"' in r.text
    assert 'value="b" checked' in r.text  # the other answers are kept
    assert pclient.get("/api/v1/wealth/level", headers=user).json()["assessed"] is False


def test_c2_journey_shows_only_matching_strategies_plan_and_holdings(pclient: TestClient, user: dict[str, str]) -> None:
    r = pclient.post("/wealth/assess", headers=user, data=_form("C2"))
    assert 'data-level="C2"' in r.text and "谨慎型" in r.text and "有效期至" in r.text
    assert set(re.findall(r'<article class="strat" data-strategy="(\w+)" data-risk="(R\d)"', r.text)) == {
        ("cash", "R1"),
        ("steady", "R2"),
    }
    assert "积极进取" not in r.text and "均衡配置" not in r.text
    assert "年化收益" in r.text and "最大回撤" in r.text and "回测区间" in r.text and "<polyline" in r.text
    small = pclient.post("/wealth/plan", headers=user, data={"amount": "1000", "strategy": "steady", "horizon": "3"})
    assert "金额不足：该方案至少需要投入 ¥" in small.text and 'data-submit="1"' in small.text
    above = pclient.post("/wealth/plan", headers=user, data={"amount": "500000", "strategy": "growth", "horizon": "3"})
    assert "特别风险警示" in above.text and "<table" not in above.text
    plan = pclient.post("/wealth/plan", headers=user, data={"amount": "200,000", "strategy": "", "horizon": "3"})
    risks = re.findall(r'<tr data-code="[^"]+" data-risk="(R\d)"', plan.text)
    assert risks and set(risks) <= {"R1", "R2"}
    assert "方案说明" in plan.text and "风险提示" in plan.text and "数据区间" in plan.text
    plan_id = re.search(r'data-plan-id="(\d+)"', plan.text).group(1)  # type: ignore[union-attr]
    accepted = pclient.post(f"/wealth/plans/{plan_id}/accept", headers=user)
    assert 'id="plan-accepted"' in accepted.text and 'hx-swap-oob="true"' in accepted.text
    assert set(re.findall(r'<li data-code="[^"]+" data-risk="(R\d)"', accepted.text)) <= {"R1", "R2"}
    page = pclient.get("/wealth", headers=user).text
    assert "模拟持仓" in page and "持仓市值" in page and "没有发生真实资金划转" in page


def test_bad_amounts_and_injection_are_shown_as_text(pclient: TestClient, user: dict[str, str]) -> None:
    pclient.post("/wealth/assess", headers=user, data=_form("C3"))
    r = pclient.post("/wealth/plan", headers=user, data={"amount": "<script>alert(1)</script>", "strategy": ""})
    assert r.status_code == 200 and "请输入大于0的投资金额" in r.text and "<script>alert" not in r.text
    r = pclient.post("/wealth/plan", headers=user, data={"amount": "100000", "strategy": "<b>x</b>"})
    assert "&lt;b&gt;x&lt;/b&gt;" in r.text and "<b>x</b>" not in r.text
    other = pclient.post("/wealth/plans/999999/accept", headers=user)
    assert "no plan 999999" in other.text


def test_plan_from_1000_shows_channel_units_and_minimum_source(pclient: TestClient, user: dict[str, str]) -> None:
    pclient.post("/wealth/assess", headers=user, data=_form("C3"))
    plan = pclient.post("/wealth/plan", headers=user, data={"amount": "1000", "strategy": "", "horizon": "3"})
    assert plan.status_code == 200 and "金额不足" not in plan.text
    rows = re.findall(r'<tr data-code="[^"]+" data-risk="R\d" data-channel="(\w+)">(.*?)</tr>', plan.text)
    assert rows and {c for c, _ in rows} == {"otc"}
    assert all("场外" in r and "默认值" in r and "10.00" in r for _, r in rows)
    assert "场外份额 = 金额 ÷ 最新净值，截取两位小数" in plan.text
    assert "默认值 ¥10（基金资料未载明" in plan.text
    plan_id = re.search(r'data-plan-id="(\d+)"', plan.text).group(1)  # type: ignore[union-attr]
    en = pclient.get("/wealth?lang=en", headers=user).text
    assert f'data-plan-id="{plan_id}"' in en and "Off-exchange" in en and "Minimum (CNY)" in en


def test_wealth_words_exist_in_both_languages() -> None:
    for key in (k for k in keys() if k.startswith("wealth.")):
        zh, en = translate("zh", key), translate("en", key)
        assert zh and en and zh != key and en != key


def test_store_without_funds_gives_a_clear_message(tmp_path: Path) -> None:
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    app = create_app(Settings(home=tmp_path / "home", secret_key="x" * 40), store=MarketStore.open(tmp_path / "empty"))
    state = app.state.tandem
    with state.sessions() as db:
        u = create_user(db, state.keys, username="nofunds@example.com", password=PASSWORD)
        db.commit()
        token, _ = issue_token(state.keys.jwt, user_id=u.id, token_version=u.token_version)
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/api/v1/wealth/assessments", headers=h, json={"answers": ANSWERS["C3"]}).status_code == 201
        r = c.get("/api/v1/wealth/strategies", headers=h)
        assert r.status_code == 400 and "no funds" in r.json()["detail"]
        page = c.get("/wealth", headers=h | {"Accept": "text/html"})
        assert page.status_code == 200 and "tandem data import" in page.text
