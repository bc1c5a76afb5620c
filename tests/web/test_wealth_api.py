"""Wealth API: questionnaire, level, suitability-gated strategies and plans, simulated holdings, isolation."""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from tandem.compliance.audit import SqlAuditLog
from tandem.core.db import utcnow
from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "Correct-horse-42"
# Answers scoring into each category (see src/tandem/wealth/questionnaire.yaml); C1 via "no loss at all".
ANSWERS = {
    "C1": {"age": "b", "income": "c", "assets": "c", "debts": "a", "experience": "d", "horizon": "d",
           "loss_tolerance": "a", "purpose": "c"},
    "C2": {"age": "b", "income": "a", "assets": "a", "debts": "c", "experience": "b", "horizon": "a",
           "loss_tolerance": "b", "purpose": "b"},
    "C3": {"age": "b", "income": "b", "assets": "b", "debts": "b", "experience": "b", "horizon": "b",
           "loss_tolerance": "b", "purpose": "b"},
    "C4": {"age": "b", "income": "b", "assets": "b", "debts": "a", "experience": "c", "horizon": "c",
           "loss_tolerance": "c", "purpose": "c"},
    "C5": {"age": "b", "income": "d", "assets": "d", "debts": "a", "experience": "d", "horizon": "d",
           "loss_tolerance": "d", "purpose": "d"},
}  # fmt: skip
RANK = {f"R{i}": i for i in range(1, 6)}
_names = itertools.count()


@pytest.fixture(scope="module")
def wapp(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> FastAPI:
    """One app for the module: the catalogue is built once (as in production), not per test."""
    home: Path = tmp_path_factory.mktemp("wealth-api")
    return create_app(Settings(home=home, secret_key="wealth-test-secret-0123456789abcdef"), store=sample_store)


@pytest.fixture(scope="module")
def wclient(wapp: FastAPI) -> Iterator[TestClient]:
    with TestClient(wapp, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def new_user(wapp: FastAPI) -> Callable[[], dict[str, str]]:
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    state = wapp.state.tandem

    def make() -> dict[str, str]:
        with state.sessions() as db:
            user = create_user(db, state.keys, username=f"w{next(_names)}@example.com", password=PASSWORD)
            db.commit()
            token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
        return {"Authorization": f"Bearer {token}"}

    return make


def _problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["detail"]
    return body


def _assessed(c: TestClient, h: dict[str, str], level: str) -> None:
    r = c.post("/api/v1/wealth/assessments", headers=h, json={"answers": ANSWERS[level]})
    assert r.status_code == 201, r.text
    assert r.json()["level"] == level


def _audit(wapp: FastAPI, h: dict[str, str], c: TestClient) -> list[object]:
    uid = c.get("/api/v1/me", headers=h).json()["id"]
    log: SqlAuditLog = wapp.state.wealth.audit
    return list(log.query(subject=f"client:user:{uid}"))


def test_every_wealth_endpoint_needs_authentication(wclient: TestClient) -> None:
    for method, path in [
        ("GET", "/api/v1/wealth/questionnaire"),
        ("POST", "/api/v1/wealth/assessments"),
        ("GET", "/api/v1/wealth/level"),
        ("GET", "/api/v1/wealth/strategies"),
        ("POST", "/api/v1/wealth/plans"),
        ("GET", "/api/v1/wealth/plans"),
        ("GET", "/api/v1/wealth/plans/1"),
        ("POST", "/api/v1/wealth/plans/1/accept"),
        ("GET", "/api/v1/wealth/holdings"),
    ]:
        _problem(wclient.request(method, path, json={}), 401)


def test_questionnaire_languages_and_no_scores(wclient: TestClient, new_user: Callable[[], dict[str, str]]) -> None:
    h = new_user()
    zh = wclient.get("/api/v1/wealth/questionnaire", headers=h).json()
    en = wclient.get("/api/v1/wealth/questionnaire", headers=h | {"Accept-Language": "en-US,en;q=0.9"}).json()
    forced = wclient.get("/api/v1/wealth/questionnaire?lang=zh", headers=h | {"Accept-Language": "en"}).json()
    assert zh["lang"] == "zh" and zh["questions"][0]["text"] == "您的年龄是？"
    assert en["lang"] == "en" and en["questions"][0]["text"] == "How old are you?"
    assert forced["lang"] == "zh"
    assert {q["id"] for q in zh["questions"]} == set(ANSWERS["C3"])
    assert "score" not in str(zh["questions"]) and "force_lowest" not in str(zh)


def test_incomplete_or_invalid_answers_name_the_questions_and_store_nothing(
    wclient: TestClient, new_user: Callable[[], dict[str, str]]
) -> None:
    h = new_user()
    partial = {k: v for k, v in ANSWERS["C3"].items() if k not in ("debts", "purpose")}
    body = _problem(wclient.post("/api/v1/wealth/assessments", headers=h, json={"answers": partial}), 400)
    assert "debts" in str(body["detail"]) and "purpose" in str(body["detail"])
    wrong = ANSWERS["C3"] | {"age": "z"}
    body = _problem(wclient.post("/api/v1/wealth/assessments", headers=h, json={"answers": wrong}), 400)
    assert "age" in str(body["detail"])
    _problem(wclient.post("/api/v1/wealth/assessments", headers=h, json={"answers": "C5"}), 422)
    level = wclient.get("/api/v1/wealth/level", headers=h).json()
    assert level == level | {"assessed": False, "reassessment_needed": True, "level": None}


def test_level_validity_and_lowest_category(wclient: TestClient, new_user: Callable[[], dict[str, str]]) -> None:
    h = new_user()
    _assessed(wclient, h, "C1")
    lv = wclient.get("/api/v1/wealth/level", headers=h).json()
    assert lv["level"] == "C1" and lv["lowest_category"] and "R1" in lv["lowest_category_note"]
    assert lv["days_left"] in (364, 365) and not lv["expired"] and not lv["reassessment_needed"]
    _assessed(wclient, h, "C4")
    lv = wclient.get("/api/v1/wealth/level?lang=en", headers=h).json()
    assert lv["level"] == "C4" and not lv["lowest_category"] and lv["label"] == "growth"


def test_expired_assessment_needs_reassessment(
    wapp: FastAPI, wclient: TestClient, new_user: Callable[[], dict[str, str]]
) -> None:
    h = new_user()
    uid = wclient.get("/api/v1/me", headers=h).json()["id"]
    svc = wapp.state.wealth
    svc.assessments.submit(
        actor="test", client_id=f"user:{uid}", answers=ANSWERS["C5"], now=utcnow() - timedelta(days=400)
    )
    lv = wclient.get("/api/v1/wealth/level", headers=h).json()
    assert lv["level"] == "C5" and lv["expired"] and lv["reassessment_needed"]
    assert "过期" in str(_problem(wclient.get("/api/v1/wealth/strategies", headers=h), 409)["detail"])
    _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 100000}), 409)


@pytest.mark.parametrize("level", ["C1", "C2", "C3", "C4", "C5"])
def test_strategies_never_above_the_level(
    wapp: FastAPI, wclient: TestClient, new_user: Callable[[], dict[str, str]], level: str
) -> None:
    h = new_user()
    _problem(wclient.get("/api/v1/wealth/strategies", headers=h), 409)  # no level yet: no performance shown
    _assessed(wclient, h, level)
    body = wclient.get("/api/v1/wealth/strategies", headers=h).json()
    assert body["level"] == level and body["items"]
    for s in body["items"]:
        assert RANK[s["risk_level"]] <= int(level[1]), s["key"]
        bt = s["backtest"]
        assert bt["start"] < bt["end"] and bt["observations"] > 200 and len(bt["curve"]) >= 20
        assert bt["volatility"] > 0 and bt["max_drawdown"] <= 0
    keys = {s["key"] for s in body["items"]}
    assert ("growth" in keys) == (int(level[1]) >= 4)
    checks = [e for e in _audit(wapp, h, wclient) if e.action == "suitability.check"]  # type: ignore[attr-defined]
    assert len(checks) >= 4  # every strategy was checked and audited, shown or not


def test_c2_client_is_never_shown_or_recommended_an_r4_fund(
    wapp: FastAPI, wclient: TestClient, new_user: Callable[[], dict[str, str]]
) -> None:
    h = new_user()
    _assessed(wclient, h, "C2")
    strategies = wclient.get("/api/v1/wealth/strategies", headers=h).json()["items"]
    assert {s["key"] for s in strategies} == {"cash", "steady"}
    growth = {"amount": 500000, "strategy": "growth"}
    refused = _problem(wclient.post("/api/v1/wealth/plans", headers=h, json=growth), 409)
    assert "R4" in str(refused["detail"]) and "特别风险警示" in str(refused["detail"])
    _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 500000, "strategy": "balanced"}), 409)
    assert wclient.get("/api/v1/wealth/plans", headers=h).json()["total"] == 0  # nothing stored
    actions = [(e.action, e.decision) for e in _audit(wapp, h, wclient)]  # type: ignore[attr-defined]
    assert ("suitability.warning_shown", "needs_warning_and_confirmation") in actions
    for amount in (200_000, 1_000_000):
        plan = wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": amount}).json()
        assert plan["level"] == "C2" and plan["strategy"] in ("cash", "steady")
        assert all(RANK[x["risk_level"]] <= 2 for x in plan["holdings"]), plan["holdings"]
        assert sum(x["amount"] for x in plan["holdings"]) == pytest.approx(plan["invested"])
    accepted = wclient.post(f"/api/v1/wealth/plans/{plan['id']}/accept", headers=h)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    holdings = wclient.get("/api/v1/wealth/holdings", headers=h).json()
    assert holdings["simulated"] and holdings["plan_id"] == plan["id"] and holdings["items"]
    assert all(RANK[x["risk_level"]] <= 2 and not x["above_level"] for x in holdings["items"])
    assert holdings["total_cost"] == pytest.approx(plan["invested"])


def test_lowest_category_is_blocked_above_r1(
    wapp: FastAPI, wclient: TestClient, new_user: Callable[[], dict[str, str]]
) -> None:
    h = new_user()
    _assessed(wclient, h, "C1")
    body = _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 50000, "strategy": "steady"}), 409)
    assert "最低" in str(body["detail"])
    decisions = [e.decision for e in _audit(wapp, h, wclient) if e.action == "suitability.check"]  # type: ignore[attr-defined]
    assert "blocked" in decisions
    plan = wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 50000}).json()
    assert plan["strategy"] == "cash" and {x["risk_level"] for x in plan["holdings"]} == {"R1"}


def test_plan_flow_pagination_and_errors(wclient: TestClient, new_user: Callable[[], dict[str, str]]) -> None:
    h = new_user()
    _assessed(wclient, h, "C4")
    small = _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 100}), 400)
    assert "needs at least ¥" in str(small["detail"]) and "minimum purchase" in str(small["detail"])
    _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 1000.005}), 400)  # not whole fen
    _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": -5}), 422)
    _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 1e5, "strategy": "moon"}), 400)
    _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 1e5, "extra": 1}), 422)
    ids = [wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 100000 + i}).json()["id"] for i in range(3)]
    page = wclient.get("/api/v1/wealth/plans?offset=1&limit=1", headers=h).json()
    assert page["total"] == 3 and [p["id"] for p in page["items"]] == [ids[1]]
    assert wclient.get(f"/api/v1/wealth/plans/{ids[0]}", headers=h).json()["status"] == "superseded"
    _problem(wclient.post(f"/api/v1/wealth/plans/{ids[0]}/accept", headers=h), 409)
    en = wclient.get(f"/api/v1/wealth/plans/{ids[2]}?lang=en", headers=h).json()
    assert en["explanation"].startswith("Your risk category is C4") and en["disclaimer"].startswith("Risk notice")
    assert en["data_line"].startswith("Data 20") and all("低于" not in n for n in en["notes"])
    assert wclient.post(f"/api/v1/wealth/plans/{ids[2]}/accept", headers=h).status_code == 200
    _problem(wclient.post(f"/api/v1/wealth/plans/{ids[2]}/accept", headers=h), 409)  # accepted once only
    # a second plan is built on top of the simulated holdings: targets cover holdings plus the new money
    again = wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 50000}).json()
    held = wclient.get("/api/v1/wealth/holdings", headers=h).json()["total_value"]
    assert again["invested"] + again["cash_residual"] == pytest.approx(held + 50000, abs=0.05)


def test_another_clients_plans_are_not_found(wclient: TestClient, new_user: Callable[[], dict[str, str]]) -> None:
    alice, bob = new_user(), new_user()
    _assessed(wclient, alice, "C3")
    _assessed(wclient, bob, "C3")
    plan_id = wclient.post("/api/v1/wealth/plans", headers=alice, json={"amount": 100000}).json()["id"]
    _problem(wclient.get(f"/api/v1/wealth/plans/{plan_id}", headers=bob), 404)
    _problem(wclient.post(f"/api/v1/wealth/plans/{plan_id}/accept", headers=bob), 404)
    assert wclient.get("/api/v1/wealth/plans", headers=bob).json()["total"] == 0
    assert wclient.get(f"/api/v1/wealth/plans/{plan_id}", headers=alice).json()["status"] == "proposed"
    assert wclient.post(f"/api/v1/wealth/plans/{plan_id}/accept", headers=alice).status_code == 200
    assert wclient.get("/api/v1/wealth/holdings", headers=bob).json()["items"] == []
    assert wclient.get("/api/v1/wealth/holdings", headers=alice).json()["items"]
    _problem(wclient.get("/api/v1/wealth/plans/999999", headers=alice), 404)


def test_catalogue_is_built_once_per_store_version(wapp: FastAPI) -> None:
    svc = wapp.state.wealth
    assert svc.bundle() is svc.bundle()
    assert svc.bundle().version == wapp.state.tandem.store.versioned.current_version()


@pytest.mark.postgres
def test_suitability_and_isolation_on_postgresql(pg_schema_url: str, tmp_path: Path, sample_store: MarketStore) -> None:
    """The same guarantees on the real PostgreSQL (own schema, dropped afterwards)."""
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    settings = Settings(home=tmp_path / "home", secret_key="x" * 40, database_url=pg_schema_url)
    app = create_app(settings, store=sample_store)
    state = app.state.tandem
    headers = []
    for name in ("pg.alice@example.com", "pg.bob@example.com"):
        with state.sessions() as db:
            user = create_user(db, state.keys, username=name, password=PASSWORD)
            db.commit()
            token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
        headers.append({"Authorization": f"Bearer {token}"})
    alice, bob = headers
    with TestClient(app, raise_server_exceptions=False) as c:
        _assessed(c, alice, "C2")
        assert {s["key"] for s in c.get("/api/v1/wealth/strategies", headers=alice).json()["items"]} == {
            "cash",
            "steady",
        }
        _problem(c.post("/api/v1/wealth/plans", headers=alice, json={"amount": 5e5, "strategy": "growth"}), 409)
        plan = c.post("/api/v1/wealth/plans", headers=alice, json={"amount": 300000}).json()
        assert all(RANK[x["risk_level"]] <= 2 for x in plan["holdings"])
        _problem(c.get(f"/api/v1/wealth/plans/{plan['id']}", headers=bob), 404)
        _problem(c.post(f"/api/v1/wealth/plans/{plan['id']}/accept", headers=bob), 404)
        assert c.post(f"/api/v1/wealth/plans/{plan['id']}/accept", headers=alice).status_code == 200
        held = c.get("/api/v1/wealth/holdings", headers=alice).json()["items"]
        assert held and all(RANK[x["risk_level"]] <= 2 for x in held)
        assert c.get("/api/v1/wealth/holdings", headers=bob).json()["items"] == []
    state.sessions.kw["bind"].dispose()  # close the app's pooled connections before the schema goes


def test_a_questionnaire_is_a_funnel_step_and_an_engagement_event(
    wapp: FastAPI, wclient: TestClient, new_user: Callable[[], dict[str, str]]
) -> None:
    from tandem.engagement.event_factory import event_store_root
    from tandem.engagement.event_store import ParquetEventStore

    h = new_user()
    me = wclient.get("/api/v1/me", headers=h).json()["id"]
    _assessed(wclient, h, "C4")
    store = ParquetEventStore(event_store_root(wapp.state.tandem.settings), durable=False)
    mine = [(r["type"], json.loads(r["properties"])) for r in store.read(client_ids=[me]).iter_rows(named=True)]
    assert ("risk_questionnaire", {}) in mine
    assert ("assessment_completed", {"category": "C4"}) in mine


@pytest.mark.parametrize(("level", "amount"), [("C2", 100_000), ("C3", 1_000), ("C4", 1_000), ("C5", 1_000)])
def test_ordinary_amounts_build_with_channel_units_and_minimum(
    wclient: TestClient, new_user: Callable[[], dict[str, str]], level: str, amount: int
) -> None:
    """Issue 11 item 2 on the bundled sample: lots on the exchange, fen and fractional units off it."""
    h = new_user()
    _assessed(wclient, h, level)
    res = wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": amount})
    assert res.status_code == 201, res.text
    plan = res.json()
    fen = round(plan["cash_residual"] * 100) + sum(round(x["amount"] * 100) for x in plan["holdings"])
    assert fen == amount * 100
    for x in plan["holdings"]:
        assert RANK[x["risk_level"]] <= RANK[level.replace("C", "R")]
        assert x["amount"] >= x["min_purchase"] and x["channel"] in ("exchange", "otc")
        if x["channel"] == "exchange":
            assert x["lots"] >= 1 and x["units"] == x["lots"] * 100 and x["min_purchase_source"] == "exchange_lot"
        else:
            assert x["lots"] is None and x["min_purchase_source"] == "default"
            assert 0 <= x["amount"] - x["units"] * x["nav"] < x["nav"] / 100 + 1e-9


def test_c1_at_1000_gets_the_exact_minimum(wclient: TestClient, new_user: Callable[[], dict[str, str]]) -> None:
    h = new_user()
    _assessed(wclient, h, "C1")
    body = _problem(wclient.post("/api/v1/wealth/plans", headers=h, json={"amount": 1000}), 400)
    assert "this plan needs at least ¥17,774" in str(body["detail"])
