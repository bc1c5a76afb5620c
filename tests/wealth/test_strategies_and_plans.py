from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.phrase_guard import find_forbidden_phrases
from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ConflictError, UserError
from tandem.wealth.catalogue import Catalogue, build_catalogue
from tandem.wealth.datasource import FundDataSource
from tandem.wealth.plans import PlanBuilder
from tandem.wealth.strategies import STRATEGIES, strategy_by_key
from tandem.wealth.strategy_service import StrategyService

C = InvestorCategory


@pytest.fixture(scope="module")
def audit() -> MemoryAuditLog:
    return MemoryAuditLog()


@pytest.fixture(scope="module")
def builder(catalogue: Catalogue, audit: MemoryAuditLog) -> PlanBuilder:
    return PlanBuilder(catalogue=catalogue, suitability=SuitabilityService(audit=audit))


@pytest.fixture(scope="module")
def strategy_service(catalogue: Catalogue, audit: MemoryAuditLog) -> StrategyService:
    return StrategyService(catalogue=catalogue, suitability=SuitabilityService(audit=audit))


def test_c2_strategy_list_never_shows_r4(strategy_service: StrategyService, catalogue: Catalogue) -> None:
    views = strategy_service.list_for(actor="app", client_id="c2", category=C.C2)
    assert [v.strategy.key for v in views] == ["cash", "steady"]
    for v in views:
        assert v.strategy.risk.rank <= 2
        assert v.backtest.stats.observations > 400 and v.backtest.rebalances >= 7
    with pytest.raises(ConflictError, match="growth"):
        strategy_service.performance(actor="app", client_id="c2", category=C.C2, key="growth")


def test_strategy_checks_are_audited(strategy_service: StrategyService, audit: MemoryAuditLog) -> None:
    strategy_service.list_for(actor="app", client_id="audited", category=C.C3)
    entries = audit.query(subject="client:audited")
    assert {e.detail["product"] for e in entries if e.detail} == {f"strategy:{s.key}" for s in STRATEGIES}
    assert {e.decision for e in entries} == {"allowed", "needs_warning_and_confirmation"}


def test_backtest_costs_and_walk_forward(strategy_service: StrategyService) -> None:
    bt = strategy_service.performance(actor="app", client_id="c5", category=C.C5, key="growth")
    assert bt.costs > 0 and "walk-forward" in bt.method
    assert str(bt.curve.index[0]) > "2019-01-01"  # first year used for estimation only
    assert -1 < bt.stats.max_drawdown < 0 and bt.stats.volatility > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cat=st.sampled_from(list(C)),
    amount=st.integers(min_value=15_000_000, max_value=500_000_000).map(lambda fen: fen / 100),
    horizon=st.floats(min_value=0.2, max_value=15),
)
def test_plan_never_holds_a_product_above_the_client(
    builder: PlanBuilder, cat: InvestorCategory, amount: float, horizon: float
) -> None:
    plan = builder.build(actor="t", client_id="p", category=cat, amount=amount, horizon_years=horizon)
    assert all(ProductRisk(h.risk_level).rank <= cat.rank for h in plan.holdings)
    assert sum(h.weight for h in plan.holdings) == pytest.approx(1.0)
    assert plan.invested + plan.cash_residual == pytest.approx(amount)
    for h in plan.holdings:
        assert h.amount >= h.min_purchase - 1e-6
        if h.channel == "exchange":  # whole board lots; off the exchange any amount to the fen
            assert (h.amount / h.min_purchase) == pytest.approx(round(h.amount / h.min_purchase), abs=1e-6)
        else:
            assert h.amount * 100 == pytest.approx(round(h.amount * 100), abs=1e-6)
    if horizon < 1:
        assert plan.strategy in ("cash", "steady")


def test_c2_plan_has_no_r4_fund_even_when_asked(builder: PlanBuilder) -> None:
    plan = builder.build(actor="t", client_id="c2", category=C.C2, amount=300_000)
    assert plan.strategy == "steady"
    assert {h.risk_level for h in plan.holdings} <= {"R1", "R2"}
    with pytest.raises(UserError, match="does not match category C2"):
        builder.build(actor="t", client_id="c2", category=C.C2, amount=300_000, strategy="growth")


def test_c1_gets_cash_only(builder: PlanBuilder) -> None:
    plan = builder.build(actor="t", client_id="c1", category=C.C1, amount=100_000)
    assert [h.code for h in plan.holdings] == ["511880.SH"]


def test_plan_text_json_and_guard(builder: PlanBuilder) -> None:
    plan = builder.build(actor="t", client_id="c3", category=C.C3, amount=500_000)
    explanation_zh, explanation_en = plan.explanation.render("zh"), plan.explanation.render("en")
    assert "C3" in explanation_zh and "均衡配置" in explanation_zh and "Balanced" in explanation_en
    assert find_forbidden_phrases(explanation_zh + explanation_en + plan.disclaimer.render("zh")) == []
    data = json.loads(json.dumps(plan.to_dict()))
    assert set(data["expected"]) >= {"return", "volatility", "max_drawdown"}
    assert data["level"] == "C3" and data["strategy"] == "balanced" and data["disclaimer"]
    assert plan.data_line.startswith("数据区间")


def test_small_amount_names_fund_and_minimum(builder: PlanBuilder) -> None:
    with pytest.raises(UserError, match=r"too small: fund 511880\.SH .* needs at least ¥"):
        builder.build(actor="t", client_id="c1", category=C.C1, amount=5_000)
    with pytest.raises(UserError, match="positive"):
        builder.build(actor="t", client_id="c1", category=C.C1, amount=-1)


def test_amount_drops_funds_below_minimum_and_notes_it(builder: PlanBuilder) -> None:
    plan = builder.build(actor="t", client_id="c4", category=C.C4, amount=60_000)
    assert plan.notes and all("below its minimum purchase" in n for n in plan.notes)
    assert all(h.amount >= h.min_purchase for h in plan.holdings)


def test_rebalance_suggestions_on_drift(builder: PlanBuilder) -> None:
    plan = builder.build(actor="t", client_id="h", category=C.C2, amount=100_000, holdings={"110022": 100_000})
    sells = [r for r in plan.rebalance if r.action == "sell"]
    assert [r.code for r in sells] == ["110022"] and sells[0].amount == pytest.approx(100_000)
    # no buy suggestion is ever for a fund above the client's level
    assert all(r.code in {h.code for h in plan.holdings} for r in plan.rebalance if r.action == "buy")
    steady = builder.build(actor="t", client_id="h2", category=C.C2, amount=100_000)
    assert steady.rebalance == ()


def test_unknown_strategy() -> None:
    with pytest.raises(UserError, match="choose one of cash"):
        strategy_by_key("moon")
    assert strategy_by_key("稳健理财").key == "steady"


class _WithoutMoneyMarket:
    """The fixture minus its only money-market fund (as in a store that lacks one)."""

    def __init__(self, inner: FundDataSource) -> None:
        self._inner = inner

    def funds(self) -> pd.DataFrame:
        f = self._inner.funds()
        return f[f["code"] != "511880.SH"]

    def fund_nav(
        self, codes: list[str] | None = None, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        return self._inner.fund_nav(codes, start, end)


def test_missing_r1_fund_is_named(fund_source: FundDataSource) -> None:
    cat = build_catalogue(_WithoutMoneyMarket(fund_source))
    builder = PlanBuilder(catalogue=cat, suitability=SuitabilityService(audit=MemoryAuditLog()))
    with pytest.raises(UserError, match=r"^strategy cash: the catalogue has no fund graded R1"):
        builder.build(actor="t", client_id="c1", category=C.C1, amount=100_000)


def test_plan_quotes_the_window_its_statistics_used_and_invested_weights(
    builder: PlanBuilder, catalogue: Catalogue
) -> None:
    """Issue 17 item 10: the window in the text is the plan's own return series, not the catalogue's span."""
    plan = builder.build(actor="t", client_id="c3w", category=C.C3, amount=100_000)
    codes = [h.code for h in plan.holdings]
    weights = pd.Series({h.code: h.weight for h in plan.holdings})
    port = (catalogue.returns[codes] @ weights).dropna()
    start, end = str(port.index[0]), str(port.index[-1])
    assert plan.expected.basis == f"historical {start}..{end}"
    assert f"{start} 至 {end}" in plan.explanation.render("zh") and f"from {start} to {end}" in plan.explanation.render(
        "en"
    )
    assert start in plan.data_line and end in plan.data_line
    for h in plan.holdings:
        assert h.invested_weight == round(h.amount / plan.amount, 4)
    assert sum(h.invested_weight for h in plan.holdings) <= 1.0 + 1e-9
    assert "invested_weight" in json.loads(json.dumps(plan.to_dict()))["holdings"][0]
