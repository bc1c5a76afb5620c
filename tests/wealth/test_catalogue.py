from __future__ import annotations

from datetime import date

import empyrical
import numpy as np
import pytest

from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import NotFoundError, UserError
from tandem.wealth.catalogue import Catalogue, build_catalogue
from tandem.wealth.datasource import ParquetFundSource
from tandem.wealth.product_rules import FEE_SOURCE, FundType, classify_fund, grade_risk, is_exchange_traded
from tandem.wealth.stats import annual_return, annual_volatility, calmar_ratio, max_drawdown, sharpe_ratio


@pytest.mark.parametrize(
    ("fund_type", "name", "expected"),
    [
        ("货币型", "银华日利A", FundType.MONEY_MARKET),
        ("ETF-场内", "嘉实中证中期国债ETF", FundType.BOND),
        ("债券指数", "南方中债10年期国债C", FundType.BOND),
        ("混合型", "交银优势行业混合", FundType.MIXED),
        ("股票型", "易方达消费行业股票", FundType.EQUITY),
        ("ETF-场内", "嘉实沪深300ETF", FundType.INDEX),
        ("联接基金", "华泰柏瑞沪深300ETF联接A", FundType.INDEX),
        ("QDII-ETF", "国泰纳斯达克100ETF", FundType.QDII),
        ("ETF-场内", "华安黄金易ETF", FundType.COMMODITY),
        ("分级杠杆", "某某B", FundType.LEVERAGED),
    ],
)
def test_classify(fund_type: str, name: str, expected: FundType) -> None:
    assert classify_fund(fund_type, name) is expected


def test_grading_only_raises() -> None:
    assert grade_risk(FundType.MONEY_MARKET, 0.003)[0] is ProductRisk.R1
    assert grade_risk(FundType.BOND, 0.02)[0] is ProductRisk.R2
    risk, rule = grade_risk(FundType.BOND, 0.09)
    assert risk is ProductRisk.R3 and "vol 9.0%>6%" in rule
    assert grade_risk(FundType.EQUITY, 0.01)[0] is ProductRisk.R4
    assert grade_risk(FundType.MIXED, 0.40)[0] is ProductRisk.R5


def test_catalogue_from_real_navs(catalogue: Catalogue) -> None:
    assert catalogue.end == date(2020, 12, 31)
    assert {"511880.SH", "217011", "110022", "513100.SH"} <= set(catalogue.products)
    mm = catalogue.product("511880.SH")
    assert mm.risk is ProductRisk.R1 and mm.fund_type is FundType.MONEY_MARKET
    assert catalogue.product("110022").risk is ProductRisk.R4
    assert all(p.fees.source == FEE_SOURCE for p in catalogue.products.values())
    assert all(p.size_cny is None and "size_cny" in p.unknown for p in catalogue.products.values())
    assert not catalogue.returns.isna().any().any()


def test_short_and_stale_histories_are_excluded_with_reason(catalogue: Catalogue) -> None:
    assert "history too short" in catalogue.excluded["006649"]
    assert "stale" in catalogue.excluded["460300"]
    with pytest.raises(UserError, match="006649 is not in the catalogue: history too short"):
        catalogue.product("006649")
    with pytest.raises(NotFoundError):
        catalogue.product("999999")


def test_eligible_respects_max_risk(catalogue: Catalogue) -> None:
    assert all(p.risk.rank <= 2 for p in catalogue.eligible(max_risk=ProductRisk.R2))
    assert len(catalogue.eligible(max_risk=ProductRisk.R5)) == len(catalogue.products)


def test_stats_match_empyrical(catalogue: Catalogue) -> None:
    r = catalogue.returns["110022"]
    assert annual_return(r) == pytest.approx(empyrical.annual_return(r), rel=1e-10)
    assert annual_volatility(r) == pytest.approx(empyrical.annual_volatility(r), rel=1e-10)
    assert max_drawdown(r) == pytest.approx(empyrical.max_drawdown(r), rel=1e-10)
    assert calmar_ratio(r) == pytest.approx(empyrical.calmar_ratio(r), rel=1e-10)
    daily_rf = (1.02) ** (1 / 252) - 1
    assert sharpe_ratio(r, 0.02) == pytest.approx(empyrical.sharpe_ratio(r, risk_free=daily_rf), rel=1e-10)
    assert np.isnan(calmar_ratio(np.array([0.01, 0.01])))


def test_empty_source_is_a_user_error(fund_source: ParquetFundSource) -> None:
    with pytest.raises(UserError, match="no fund NAV"):
        build_catalogue(fund_source, end=date(2000, 1, 1))


@pytest.mark.parametrize(
    ("code", "name", "fund_type", "expected"),
    [
        ("510300.SH", "华泰柏瑞沪深300ETF", "ETF-场内", True),
        ("511880.SH", "银华日利A", "货币型", True),
        ("460300", "华泰柏瑞沪深300ETF联接A", "联接基金", False),
        ("110011.SH", "易方达中小盘混合", "混合型", False),
        ("217011", "招商安心收益债券C", "债券型", False),
    ],
)
def test_exchange_traded_detection(code: str, name: str, fund_type: str, expected: bool) -> None:
    assert is_exchange_traded(code, name=name, fund_type=fund_type) is expected


def test_market_store_is_a_fund_data_source(sample_store) -> None:  # type: ignore[no-untyped-def]
    if sample_store.funds().empty:
        pytest.skip("the bundled sample store has no fund NAVs yet")
    catalogue = build_catalogue(sample_store, min_history=250)
    assert catalogue.products and all(p.stats.observations >= 250 for p in catalogue.products.values())
