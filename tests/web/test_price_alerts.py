"""Price alerts end to end: a client sets them through the API (owner-scoped, every bad value named), the session
triggers job fires the crossed ones once into the outbox through the delivery policy, and a rerun adds nothing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tandem.core.settings import Settings
from tandem.engagement.delivery.models import OutboxRow, PushDecisionRow
from tandem.engagement.models import PriceAlertRow
from tandem.identity import User
from tandem.marketdata.quote import quote
from tandem.marketdata.store import MarketStore
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import PlanRow, RiskAssessmentRow

CODE = "600519.SH"


def _last_json(out: str) -> dict[str, object]:
    """The command's JSON document (log lines may precede it on stdout)."""
    data: dict[str, object] = json.loads(out[out.rindex("\n{\n") + 1 :] if "\n{\n" in out else out)
    return data


def test_alerts_are_mine_and_bad_values_are_named(
    client: TestClient, alice: dict[str, str], bob: dict[str, str], sample_store: MarketStore
) -> None:
    close = quote(sample_store, CODE).close
    made = client.post("/api/v1/me/alerts", json={"code": "600519", "direction": "above", "price": close * 1.05},
                       headers=alice)  # fmt: skip
    assert made.status_code == 201 and made.json()["code"] == CODE and made.json()["fired_on"] is None
    alert_id = made.json()["id"]
    assert [a["id"] for a in client.get("/api/v1/me/alerts", headers=alice).json()] == [alert_id]
    assert client.get("/api/v1/me/alerts", headers=bob).json() == []
    assert client.delete(f"/api/v1/me/alerts/{alert_id}", headers=bob).status_code == 404  # not bob's
    typo = client.post("/api/v1/me/alerts", json={"code": CODE, "direction": "below", "price": close * 100},
                       headers=alice)  # fmt: skip
    assert typo.status_code == 400 and "tenfold" in typo.text and f"{close:.2f}" in typo.text
    assert client.post("/api/v1/me/alerts", json={"code": CODE, "direction": "sideways", "price": 1},
                       headers=alice).status_code == 422  # fmt: skip
    assert client.post("/api/v1/me/alerts", json={"code": "999999.SH", "direction": "above", "price": 1},
                       headers=alice).status_code == 404  # fmt: skip
    assert client.get("/api/v1/me/alerts").status_code == 401
    assert client.delete(f"/api/v1/me/alerts/{alert_id}", headers=alice).status_code == 204
    assert client.get("/api/v1/me/alerts", headers=alice).json() == []


def test_the_triggers_job_fires_crossed_alerts_once(
    app: FastAPI, client: TestClient, make_user: Callable[..., dict[str, str]], web_settings: Settings,
    sample_store: MarketStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from tandem.cli.main import main

    carol = make_user("carol@example.com")
    make_user("dave@example.com")  # assessed a year ago: expires in five days
    last = quote(sample_store, CODE)
    crossed = client.post("/api/v1/me/alerts", json={"code": CODE, "direction": "below", "price": last.close * 1.02},
                          headers=carol).json()  # fmt: skip
    armed = client.post("/api/v1/me/alerts", json={"code": CODE, "direction": "above", "price": last.close * 1.5},
                        headers=carol).json()  # fmt: skip
    assert client.post("/api/v1/watchlist", json={"code": CODE}, headers=carol).status_code == 201
    state = app.state.tandem
    with state.sessions() as db:
        dave, carol_id = db.scalars(select(User.id).order_by(User.id.desc()).limit(2)).all()
        now = datetime.now(UTC)
        db.add(RiskAssessmentRow(client_id=f"user:{carol_id}", questionnaire_version="t", answers={}, score=60,
                                 category="C3", assessed_at=now, valid_until=now + timedelta(days=365)))  # fmt: skip
        db.add(RiskAssessmentRow(client_id=f"user:{dave}", questionnaire_version="t", answers={}, score=60,
                                 category="C2", assessed_at=now - timedelta(days=360),
                                 valid_until=now + timedelta(days=5)))  # fmt: skip
        # carol holds an accepted 50/50 plan that drifted to 80/20 at the catalogue's NAVs (band: 5 points)
        navs = app.state.wealth.bundle().navs()
        a_code, b_code = sorted(navs)[:2]
        plan = PlanRow(client_id=f"user:{carol_id}", level="C3", strategy="balanced", amount=10_000.0,
                       status="accepted", rule_version="t",
                       payload={"holdings": [{"code": a_code, "weight": 0.5, "risk_level": "R2"},
                                             {"code": b_code, "weight": 0.5, "risk_level": "R2"}]})  # fmt: skip
        db.add(plan)
        db.flush()
        for code, value in ((a_code, 8_000.0), (b_code, 2_000.0)):
            db.add(SimHoldingRow(client_id=f"user:{carol_id}", plan_id=plan.id, code=code, name=code,
                                 risk_level="R2", asset_class="bond", units=value / navs[code], nav=navs[code],
                                 cost=value))  # fmt: skip
        db.commit()

    def run(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["tandem", *args])
        try:
            main()
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    monkeypatch.setenv("TANDEM_HOME", str(web_settings.home))
    monkeypatch.setenv("TANDEM_SECRET_KEY", web_settings.secret_key or "")
    (web_settings.home / "market").symlink_to(sample_store.root)
    assert run("engagement", "triggers", "--day", last.date.isoformat(), "--format", "json") == 0
    first = _last_json(capsys.readouterr().out)
    assert first["alerts_fired"] == 1 and first["candidates"].get("price_alert") == 1
    assert first["candidates"]["risk_assessment"] == 1  # dave's, 5 days before expiry (carol's is a year away)
    assert first["candidates"]["plan_drift"] == 1  # carol's 80/20 against 50/50
    with state.sessions() as db:
        fired = {r.id: r.fired_on for r in db.scalars(select(PriceAlertRow))}
        assert fired == {crossed["id"]: last.date, armed["id"]: None}
        outbox = db.scalar(select(func.count()).select_from(OutboxRow))
        assert db.scalar(select(func.count()).where(OutboxRow.client_id == str(dave))) == 1
        drift_rows = db.scalar(select(func.count()).where(PushDecisionRow.rule == "plan_drift.band/v1"))
        assert drift_rows == 1
        decisions = db.scalar(select(func.count()).select_from(PushDecisionRow))
        assert outbox and outbox >= 1
    assert run("engagement", "triggers", "--day", last.date.isoformat(), "--format", "json") == 0
    again = _last_json(capsys.readouterr().out)
    assert again["alerts_fired"] == 0 and again["candidates"].get("price_alert", 0) == 0
    with state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(OutboxRow)) == outbox  # nothing queued twice
        assert (db.scalar(select(func.count()).select_from(PushDecisionRow)) or 0) >= (decisions or 0)
