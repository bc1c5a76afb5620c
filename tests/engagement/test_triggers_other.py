"""Level-2 flow anomalies, plan drift (suitability re-checked) and assessment-expiry reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from delivery_fixtures import NOON, client
from delivery_fixtures import policy as _policy

from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.engagement.delivery.policy import PushHistory
from tandem.engagement.delivery.records import Reason
from tandem.engagement.triggers.assessment import expiry_candidates
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.flow import MainForceAnomalyDetector, flow_candidates
from tandem.engagement.triggers.plan_drift import drift_candidates
from tandem.engagement.triggers.records import AssessmentStatus, ClientBook, PlanPosition
from tandem.level2.live import MinuteUpdate

DAY = date(2024, 3, 5)


def _minute(i: int, main_net: float, code: str = "600000.SH") -> MinuteUpdate:
    traded = {"large": abs(main_net) + 1.0}
    return MinuteUpdate(code, f"09:{30 + i:02d}", traded, traded, {}, main_net, 0.0, 10.0, 9.99, 10.01, False)


def test_main_force_anomaly_needs_warmup_and_a_real_outlier() -> None:
    det = MainForceAnomalyDetector(day=DAY, window=20, warmup=10, z=4.0, min_amount=1e6)
    idle = MinuteUpdate("600000.SH", "09:20", {}, {}, {}, 0.0, 0.0, 10.0, 9.99, 10.01, False)
    quiet = [idle] * 20 + [_minute(i, 4e5 * (-1) ** i) for i in range(12)]
    assert det.observe_all(quiet) == []
    assert det.observe(_minute(12, 1.5e6)) is None  # above min_amount but under 4 x 400k
    [a] = det.observe_all([_minute(13, -2.5e6)])
    assert (a.minute, a.main_net) == ("09:43", -2.5e6) and a.baseline > 4e5
    early = MainForceAnomalyDetector(day=DAY)
    assert early.observe(_minute(0, 9e9)) is None  # no history yet: nothing to compare against
    [c] = flow_candidates([a], HolderIndex([ClientBook("c1", holdings=frozenset({"600000.SH"}))]), names={})
    assert "净流出 250 万元" in c.body and c.source_events == ("l2:600000.SH:2024-03-05:09:43",)


def _plan(values: dict[str, float]) -> PlanPosition:
    return PlanPosition(
        "c1", "p1", {"F_BOND": 0.6, "F_EQ": 0.4}, values, {"F_BOND": ProductRisk.R2, "F_EQ": ProductRisk.R4}, 0.05, DAY
    )


def test_plan_drift_pushes_beyond_the_band_and_suitability_is_rechecked() -> None:
    assert drift_candidates([_plan({"F_BOND": 62_000, "F_EQ": 38_000})]) == []  # 2% drift, band 5%
    [cand] = drift_candidates([_plan({"F_BOND": 70_000, "F_EQ": 30_000})])
    assert cand.product_code == "F_EQ" and cand.product_risk is ProductRisk.R4  # the fund it would buy
    assert "F_EQ 当前 30% / 目标 40%" in cand.body
    for category, reason in ((InvestorCategory.C4, Reason.OK), (InvestorCategory.C2, Reason.SUITABILITY)):
        [d] = _policy().decide(
            candidates=[cand], clients={"c1": client(risk_category=category)}, history=PushHistory(), now=NOON
        )
        assert d.reason is reason


def test_assessment_reminders_at_thresholds_once_each() -> None:
    now = datetime(2024, 3, 5, 1, tzinfo=UTC)
    statuses = [
        AssessmentStatus("far", now + timedelta(days=45)),
        AssessmentStatus("month", now + timedelta(days=20)),
        AssessmentStatus("week", now + timedelta(days=6, hours=2)),
        AssessmentStatus("gone", now - timedelta(days=1)),
    ]
    got = {c.client_id: c for c in expiry_candidates(statuses, now=now)}
    assert set(got) == {"month", "week", "gone"}
    assert got["month"].evidence["threshold_days"] == 30 and got["week"].evidence["threshold_days"] == 7
    assert got["gone"].title == "风险测评已过期" and "不会向您推荐任何产品" in got["gone"].body
    history = PushHistory()
    policy = _policy()
    first = policy.decide(candidates=[got["week"]], clients={"week": client("week")}, history=history, now=NOON)
    again = expiry_candidates([statuses[2]], now=now + timedelta(hours=20))
    second = policy.decide(candidates=again, clients={"week": client("week")}, history=history, now=NOON)
    assert (first[0].reason, second[0].reason) == (Reason.OK, Reason.DUPLICATE)


def test_anomalies_on_a_real_level2_replay_skip_the_idle_pre_open() -> None:
    from pathlib import Path

    from tandem.level2.book import price_band
    from tandem.level2.live import LiveEngine
    from tandem.level2.readers import read_events
    from tandem.level2.thresholds import threshold_set

    zip_path = Path(__file__).resolve().parents[1] / "level2" / "fixtures" / "sse_600519_20230201_0950.zip"
    ev = read_events([zip_path])["600519.SH"]
    engine = LiveEngine(ev.code, price_band(ev), threshold_set("eastmoney"), rules=ev.rules, date=ev.date)
    updates = engine.process(ev) + engine.flush()
    assert updates[0].minute == "09:15"  # ten idle pre-open minutes come first
    day = date(2023, 2, 1)
    assert MainForceAnomalyDetector(day=day).observe_all(updates) == []  # a calm morning at the defaults
    found = MainForceAnomalyDetector(day=day, warmup=5, z=2.0).observe_all(updates)
    assert [(a.minute, round(a.main_net / 1e4)) for a in found] == [("09:36", -1704), ("09:46", 1299)]
    assert all(a.baseline > 0 for a in found)
