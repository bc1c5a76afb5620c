"""Each scorer on real fixture data: scores in range, evidence equal to the store's numbers, missing data named."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tandem.core.rulebook import limit_prices
from tandem.diagnosis.composite import WEIGHTS, composite_scores
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

AS_OF = date(2023, 9, 1)  # same day as conftest.AS_OF


def _ev(service: DiagnosisService, code: str, dim: str, key: str, as_of: date = AS_OF) -> float:
    d = service.diagnose(code, as_of).dimension(dim)
    return float(next(e.value for e in d.evidence if e.key == key))


def test_every_dimension_is_scored_or_says_why(service: DiagnosisService) -> None:
    for code in ("600519.SH", "600036.SH", "300750.SZ", "688981.SH", "000625.SZ"):
        diag = service.diagnose(code, AS_OF)
        assert [d.key for d in diag.dimensions] == list(WEIGHTS)
        for d in diag.dimensions:
            if d.score is None:
                assert d.missing and not d.evidence, (code, d.key)
            else:
                assert 0 <= d.score <= 100
                assert 2 <= len(d.evidence) <= 4 or d.key == "capital_flow", (code, d.key, d.evidence)


def test_valuation_pe_and_percentile_match_the_store(service: DiagnosisService, diag_store: MarketStore) -> None:
    bars = diag_store.daily_bars("600519.SH", start=date(2018, 8, 27), end=AS_OF)
    pe = bars["pe_ttm"].where(~bars["suspended"])
    assert _ev(service, "600519.SH", "valuation", "pe") == pytest.approx(pe.iloc[-1])
    hist = pe[pe > 0]
    assert _ev(service, "600519.SH", "valuation", "pe_own_pct") == pytest.approx((hist <= pe.iloc[-1]).mean())


def test_profitability_and_growth_use_last_report(service: DiagnosisService, diag_store: MarketStore) -> None:
    hist = diag_store.fundamentals_history("600519.SH", as_of=AS_OF)
    roe = hist[hist["field"] == "roe_avg"].iloc[0]
    period = pd.Timestamp(roe["report_period"])
    assert pd.Timestamp(roe["announce_date"]).date() <= AS_OF
    assert _ev(service, "600519.SH", "profitability", "roe_avg") == pytest.approx(roe["value"])
    assert _ev(service, "600519.SH", "profitability", "roe_ann") == pytest.approx(roe["value"] * 12 / period.month)
    yoy = hist[hist["field"] == "yoy_ni"]
    assert _ev(service, "600519.SH", "growth", "accel") == pytest.approx(yoy["value"].iloc[0] - yoy["value"].iloc[1])


def test_health_says_cash_flow_is_missing(service: DiagnosisService) -> None:
    d = service.diagnose("600036.SH", AS_OF).dimension("health")
    assert d.score is None
    assert d.missing is not None and "no cash-flow data for this period" in d.missing


def test_technical_moving_average_matches_a_plain_mean(service: DiagnosisService, diag_store: MarketStore) -> None:
    bars = diag_store.daily_bars("600036.SH", end=AS_OF, adjust="qfq")
    closes = bars.loc[~bars["suspended"], "close"]
    assert _ev(service, "600036.SH", "technical", "ma20") == pytest.approx(closes.iloc[-20:].mean())
    assert _ev(service, "600036.SH", "technical", "close") == pytest.approx(closes.iloc[-1])


def test_relative_strength_excess_vs_csi300(service: DiagnosisService, diag_store: MarketStore) -> None:
    bars = diag_store.daily_bars("300750.SZ", end=AS_OF, adjust="qfq")
    closes = bars.loc[~bars["suspended"], "close"]
    idx = diag_store.index_bars("000300.SH", end=AS_OF)["close"]
    expected = (closes.iloc[-1] / closes.iloc[-21] - 1) - (idx.iloc[-1] / idx.iloc[-21] - 1)
    assert _ev(service, "300750.SZ", "relative_strength", "excess20") == pytest.approx(expected)


def test_capital_flow_without_level2_is_labelled_a_proxy(service: DiagnosisService) -> None:
    d = service.diagnose("688981.SH", AS_OF).dimension("capital_flow")
    assert d.is_proxy and d.score is not None
    assert any("proxy" in e.source for e in d.evidence)


def test_risk_counts_limit_down_days_with_the_rulebook(diag_store: MarketStore) -> None:
    service = DiagnosisService(diag_store)
    day = date(2025, 4, 7)
    n = _ev(service, "000625.SZ", "risk", "limit_down", day)
    bars = diag_store.daily_bars("000625.SZ", end=day).iloc[-250:]
    _, down = limit_prices(bars["preclose"], np.full(len(bars), 0.10))
    expected = int(((bars["close"] <= down + 1e-9) & ~bars["suspended"]).sum())
    assert n == expected >= 1
    vol = _ev(service, "000625.SZ", "risk", "vol120", day)
    assert 0.05 < vol < 1.5


def test_industry_standing_ranks_by_market_value(service: DiagnosisService) -> None:
    d = service.diagnose("600519.SH", AS_OF).dimension("industry")
    ev = {e.key: e.value for e in d.evidence}
    assert ev["mcap_rank"] == 1 and ev["peers"] == 3  # Moutai is the largest of the three liquor stocks
    lone = service.diagnose("300750.SZ", AS_OF).dimension("industry")
    assert lone.score is None and lone.missing is not None and "fewer than 3 stocks" in lone.missing


def test_composite_reweights_over_available_dimensions() -> None:
    scores = pd.DataFrame({"valuation": [80.0], "profitability": [60.0], "growth": [40.0], "risk": [20.0]}, index=["X"])
    comp = composite_scores(scores)
    w = {k: WEIGHTS[k] for k in scores.columns}
    expected = sum(scores.iloc[0][k] * v for k, v in w.items()) / sum(w.values())
    assert comp.loc["X", "composite"] == pytest.approx(expected)
    assert math.isnan(composite_scores(scores[["valuation", "growth"]]).loc["X", "composite"])


def test_composite_rank_is_consistent_with_scores(service: DiagnosisService) -> None:
    table = service.table(AS_OF)
    comp = table.composite.dropna(subset=["composite"]).sort_values("rank")
    assert comp["rank"].iloc[0] == 1
    assert comp["composite"].is_monotonic_decreasing
    diag = service.diagnose("600519.SH", AS_OF)
    assert diag.composite.rank == int(table.composite.loc["600519.SH", "rank"])
    assert diag.composite.universe == len(comp)
