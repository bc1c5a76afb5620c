"""Plans for ordinary amounts (issue 11 item 2) on the bundled real sample: channels, minimums, lots, units, fen.

Figures quoted in comments are the sample's (src/tandem/sample_data, catalogue as of 2021-01-06): the only R1
products are three exchange-traded money-market ETFs at about ¥10,000 a lot, so C1 (R1 only) and C2 (steady:
at most 30% per fund, and the sample has two off-exchange bond funds) cannot be built from ¥1,000 — they get the
exact-minimum message; C3–C5 build from ¥1,000 on off-exchange funds at the documented ¥10 default minimum.
"""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore
from tandem.wealth.catalogue import Catalogue, build_catalogue
from tandem.wealth.datasource import ParquetFundSource
from tandem.wealth.fund_master import load_fund_master, parse_min_amount
from tandem.wealth.plans import AmountTooSmallError, Plan, PlanBuilder
from tandem.wealth.product_rules import (
    OTC_DEFAULT_MINIMUM,
    UNIT_DECIMALS,
    Channel,
    is_exchange_traded,
    minimum_purchase,
)
from tandem.wealth.services import WealthServices
from tandem.wealth.strategies import strategy_by_key

C = InvestorCategory
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"


@pytest.fixture(scope="module")
def sample_catalogue() -> Catalogue:
    source = ParquetFundSource(funds_path=SAMPLE / "funds.parquet", nav_path=SAMPLE / "fund_nav.parquet")
    return build_catalogue(source)


@pytest.fixture(scope="module")
def sample_builder(sample_catalogue: Catalogue) -> PlanBuilder:
    return PlanBuilder(catalogue=sample_catalogue, suitability=SuitabilityService(audit=MemoryAuditLog()))


def _fen(value: float) -> int:
    cents = round(value * 100)
    assert abs(value * 100 - cents) < 1e-6, f"{value} is not a whole number of fen"
    return cents


def check_purchase_rules(plan: Plan, catalogue: Catalogue, category: InvestorCategory) -> None:
    """Every holding: within the client's level, at or above its minimum, lots or fen, units from its channel."""
    new_money = _fen(plan.amount)
    assert _fen(plan.cash_residual) + sum(_fen(h.amount) for h in plan.holdings) == new_money
    assert plan.cash_residual >= 0
    for h in plan.holdings:
        p = catalogue.products[h.code]
        assert ProductRisk(h.risk_level).rank <= category.rank, h
        assert h.channel == p.channel.value and h.min_purchase == p.min_purchase
        assert h.amount >= h.min_purchase, h
        if h.channel == Channel.EXCHANGE.value:
            assert h.lots is not None and h.lots >= 1 and h.units == h.lots * 100
            assert _fen(h.amount) == h.lots * _fen(p.min_purchase)
            assert h.min_purchase == pytest.approx(100 * p.last_nav, abs=0.005)
            assert h.min_purchase_source == "exchange_lot"
        else:
            assert h.lots is None and h.min_purchase_source in ("fund_master", "default")
            scale = 10**UNIT_DECIMALS
            assert h.units == math.floor(h.amount / p.last_nav * scale + 1e-9) / scale
            assert 0 <= h.amount - h.units * p.last_nav < p.last_nav / scale + 1e-9


# --- the ETF classification bug: bare codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "fund_type", "expected"),
    [
        ("511990", "华宝现金添益A", "货币型", True),  # money-market ETF, bare code, no "ETF" in name or type
        ("511880", "银华日利A", "货币型", True),
        ("511660", "建信现金添益货币H", "货币型", True),
        ("159926", "嘉实中证中期国债", "债券型", True),  # SZSE ETF range, bare
        ("588000", "华夏上证科创板50成份", "指数型", True),
        ("519697", "交银优势行业混合", "混合型", False),  # 519xxx: SSE off-exchange open-end range
        ("160124", "南方中债10年期国债C", "债券指数", False),  # LOF range, off-exchange NAV series
        ("217011", "招商安心收益债券C", "债券型", False),
        ("511990.SZ", "华宝现金添益A", "货币型", False),  # SSE range with a SZSE suffix
        ("511990.OF", "华宝现金添益A", "货币型", False),  # Tushare's off-exchange suffix
        ("012345.OF", "某某ETF发起式", "股票型", False),  # the suffix wins over the name
        ("150019", "银华锐进", "分级杠杆", True),  # SZSE graded share, exchange-listed
        ("110011", "易方达中小盘混合", "混合型", False),
    ],
)
def test_bare_exchange_codes_are_exchange_traded(code: str, name: str, fund_type: str, expected: bool) -> None:
    assert is_exchange_traded(code, name=name, fund_type=fund_type) is expected


def test_sample_money_market_etfs_are_bought_in_lots(sample_catalogue: Catalogue) -> None:
    for code in ("511990", "511880", "511660"):
        p = sample_catalogue.products[code]
        assert p.channel is Channel.EXCHANGE and p.exchange_traded and p.lot_units == 100
        assert p.min_purchase == round(100 * p.last_nav, 2) and p.min_purchase > 9_000
    otc = sample_catalogue.products["217011"]
    assert otc.channel is Channel.OTC and otc.min_purchase == OTC_DEFAULT_MINIMUM
    assert otc.min_purchase_source == "default" and otc.lot_units is None


# --- fund master minimums, in 万元 -------------------------------------------------------------------------

# Real rows of the staged Tushare fund_basic master (funds/tushare_fund_basic_2022/fund_name_list.csv.gz),
# reduced to the columns read, plus two made-up broken rows (marked) to exercise the problem report.
MASTER = """ts_code,fund_name,min_amount,market
015345.OF,嘉实养老目标日期2055五年持有,0.0001,O
013571.OF,天弘养老目标2030一年持有,0.0001,O
008404.OF,华泰紫金泰盈A,0.0,O
012132.OF,华泰保兴价值成长A,10.0,O
110011.OF,易方达优质精选,,O
BAD.OF,made-up broken row,0.001,O
999999.OF,made-up broken row,-0.01,O
"""


@pytest.mark.parametrize(
    ("raw", "yuan"),
    [("0.0001", 1.0), ("0.001", 10.0), ("0.01", 100.0), ("0.1", 1_000.0), ("10.0", 100_000.0), ("", None), ("0", None)],
)
def test_min_amount_is_in_wan_yuan(raw: str, yuan: float | None) -> None:
    assert parse_min_amount(raw, where="f.csv:2") == yuan


@pytest.mark.parametrize("raw", ["-0.01", "abc", "inf"])
def test_bad_min_amount_names_file_line_and_field(raw: str) -> None:
    with pytest.raises(UserError, match=r"^f\.csv:7: min_amount: "):
        parse_min_amount(raw, where="f.csv:7")


def test_fund_master_file(tmp_path: Path) -> None:
    path = tmp_path / "fund_name_list.csv.gz"
    path.write_bytes(gzip.compress(MASTER.encode("utf-8")))
    master = load_fund_master(path)
    assert master.minimums == {"015345": 1.0, "013571": 1.0, "012132": 100_000.0}
    assert master.problems == (
        "fund_name_list.csv.gz:7: ts_code: 'BAD.OF' is not a six-digit fund code",
        "fund_name_list.csv.gz:8: min_amount: '-0.01' must be a finite amount ≥ 0 in 万元",
    )
    (tmp_path / "x.csv").write_text("code,min\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match="lacks min_amount, ts_code"):
        load_fund_master(tmp_path / "x.csv")


def test_stated_minimum_reaches_the_plan(fund_source: ParquetFundSource) -> None:
    """A fund the master lists uses its own minimum: it holds at least that, and the smallest plan moves with it."""
    catalogue = build_catalogue(fund_source, minimums={"217011": 1_000.0})
    p = catalogue.products["217011"]
    assert (p.min_purchase, p.min_purchase_source, p.channel) == (1_000.0, "fund_master", Channel.OTC)
    builder = PlanBuilder(catalogue=catalogue, suitability=SuitabilityService(audit=MemoryAuditLog()))
    big = builder.build(actor="t", client_id="m", category=C.C3, amount=100_000)
    row = next(h for h in big.holdings if h.code == "217011")
    assert row.min_purchase == 1_000.0 and row.min_purchase_source == "fund_master" and row.amount >= 1_000
    # balanced needs 217011 (bond band) at its 20% cap: ¥1,000 / 20% → ¥5,001 (¥609 at the ¥10 default)
    assert builder.minimum_amount(strategy_by_key("balanced")) == 5_001
    small = builder.build(actor="t", client_id="m", category=C.C3, amount=5_001)
    assert next(h for h in small.holdings if h.code == "217011").amount >= 1_000
    assert minimum_purchase(exchange_traded=True, last_nav=1.234, stated=5.0).amount == 123.4  # lots ignore it


# --- plans from ¥1,000 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [C.C3, C.C4, C.C5])
@pytest.mark.parametrize("amount", [1_000, 100_000])
def test_c3_to_c5_build_from_1000(
    sample_builder: PlanBuilder, sample_catalogue: Catalogue, level: InvestorCategory, amount: int
) -> None:
    plan = sample_builder.build(actor="t", client_id="s", category=level, amount=amount)
    check_purchase_rules(plan, sample_catalogue, level)
    assert plan.cash_residual < max(0.05 * amount, 1.0)  # the fen rounding leaves almost nothing idle
    if amount == 1_000:
        assert {h.channel for h in plan.holdings} == {"otc"}  # every exchange lot is above a small plan's share


@pytest.mark.parametrize("level", [C.C1, C.C2])
def test_c1_c2_build_at_100000(sample_builder: PlanBuilder, sample_catalogue: Catalogue, level: C) -> None:
    plan = sample_builder.build(actor="t", client_id="s", category=level, amount=100_000)
    check_purchase_rules(plan, sample_catalogue, level)
    lots = [h.min_purchase for h in plan.holdings if h.channel == "exchange"]
    assert lots  # the money-market ETFs, in whole lots
    assert plan.cash_residual < max(lots)  # lots short of their targets by over half a lot are bought


@pytest.mark.parametrize(("level", "key", "minimum"), [(C.C1, "cash", 17_774), (C.C2, "steady", 57_958)])
def test_c1_c2_at_1000_get_the_exact_minimum(
    sample_builder: PlanBuilder, level: InvestorCategory, key: str, minimum: int
) -> None:
    """No off-exchange R1 fund in the sample's real data: C1/C2 need exchange lots, and the figure is exact."""
    assert sample_builder.minimum_amount(strategy_by_key(key)) == minimum
    with pytest.raises(AmountTooSmallError) as info:
        sample_builder.build(actor="t", client_id="s", category=level, amount=1_000)
    assert info.value.minimum == minimum
    text = str(info.value)
    assert re.match(r"amount ¥1,000 is too small: fund (511|159)\d{3} ", text), text
    assert "(one lot of 100 units on the exchange)" in text
    assert text.endswith(f"this plan needs at least ¥{minimum:,}")
    sample_builder.build(actor="t", client_id="s", category=level, amount=minimum)
    with pytest.raises(AmountTooSmallError):
        sample_builder.build(actor="t", client_id="s", category=level, amount=minimum - 1)


def test_genuinely_small_amount_keeps_the_exact_minimum(sample_builder: PlanBuilder) -> None:
    n = sample_builder.minimum_amount(strategy_by_key("balanced"))
    assert 1 < n <= 1_000
    with pytest.raises(AmountTooSmallError) as info:
        sample_builder.build(actor="t", client_id="s", category=C.C3, amount=n - 1)
    assert info.value.minimum == n and str(info.value).endswith(f"needs at least ¥{n:,}")
    assert "(off-exchange, default)" in str(info.value)
    sample_builder.build(actor="t", client_id="s", category=C.C3, amount=n)


def test_amounts_in_fractions_of_a_fen_are_refused(sample_builder: PlanBuilder) -> None:
    with pytest.raises(UserError, match="fractions of a fen"):
        sample_builder.build(actor="t", client_id="s", category=C.C3, amount=1_000.005)
    plan = sample_builder.build(actor="t", client_id="s", category=C.C3, amount=1_234.56)
    assert _fen(plan.invested) + _fen(plan.cash_residual) == 123_456


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=st.sampled_from(list(C)), fen=st.integers(min_value=100_000, max_value=300_000_000))
def test_cash_plus_holdings_is_the_amount_to_the_fen(
    sample_builder: PlanBuilder, sample_catalogue: Catalogue, level: InvestorCategory, fen: int
) -> None:
    """Random amounts ≥ ¥1,000: the plan adds up to the fen and keeps every rule — or names an exact minimum above
    the amount (C1/C2 below their exchange-lot minimums)."""
    amount = fen / 100
    try:
        plan = sample_builder.build(actor="t", client_id="p", category=level, amount=amount)
    except AmountTooSmallError as exc:
        assert level in (C.C1, C.C2) and exc.minimum > amount
        return
    check_purchase_rules(plan, sample_catalogue, level)


def test_configured_fund_master_reaches_the_web_services(
    tmp_path: Path, sample_store: MarketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TANDEM_FUND_MASTER → Settings.fund_master → WealthServices: the catalogue uses the stated minimum."""
    master = tmp_path / "fund_basic.csv"
    master.write_text("ts_code,min_amount\n217011.OF,0.01\n", encoding="utf-8")  # 0.01 万元 = ¥100
    monkeypatch.setenv("TANDEM_FUND_MASTER", str(master))
    configured = Settings(home=tmp_path / "home").fund_master
    assert configured == master
    sessions = make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'app.db'}"))
    services = WealthServices(sessions=sessions, store=sample_store, fund_master=configured)
    products = services.bundle().catalogue.products
    assert (products["217011"].min_purchase, products["217011"].min_purchase_source) == (100.0, "fund_master")
    assert products["160124"].min_purchase_source == "default"
