"""Issue 17 corrections on the rulebook API: stamp-duty history, pre-2015 Shanghai transfer fee, fund rules,
the IPO regime chosen by the listing date, and the minimum commission as dated data (issue 10 item 4)."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np

from tandem.core import rulebook
from tandem.core.models import Board, FundType, fund_type_of_name
from tandem.core.rulebook import fee_rate_panel, price_limit, price_limit_pct_array, rules_for


def test_stamp_duty_history_1991_to_2001() -> None:
    assert rules_for("600519.SH", date(1996, 3, 1)).stamp_duty_sell == 0.003
    assert rules_for("600519.SH", date(1997, 5, 11)).stamp_duty_buy == 0.003
    assert rules_for("600519.SH", date(1997, 5, 12)).stamp_duty_sell == 0.005
    assert rules_for("600519.SH", date(1998, 6, 12)).stamp_duty_sell == 0.004
    assert rules_for("600519.SH", date(2001, 11, 15)).stamp_duty_sell == 0.004
    assert rules_for("600519.SH", date(2001, 11, 16)).stamp_duty_sell == 0.002


def test_every_rate_rule_names_its_source_and_tables_do_not_overlap() -> None:
    for table in (rulebook.STAMP_DUTY, rulebook.TRANSFER_FEE, rulebook.BSE_TRANSFER_FEE):
        for prev, nxt in itertools.pairwise(table):
            assert prev.end == nxt.start
        assert all(r.source for r in table)


def test_shanghai_transfer_fee_per_share_before_2015() -> None:
    r = rules_for("600000.SH", date(2010, 6, 1))
    assert (r.transfer_fee_per_1000_shares, r.transfer_fee_min, r.transfer_fee_rate) == (1.0, 1.0, 0.0)
    r = rules_for("600000.SH", date(2012, 9, 3))
    assert (r.transfer_fee_per_1000_shares, r.transfer_fee_min) == (0.6, 1.0)
    assert rules_for("600000.SH", date(2015, 7, 31)).transfer_fee_per_1000_shares == 0.6
    after = rules_for("600000.SH", date(2015, 8, 3))
    assert (after.transfer_fee_per_1000_shares, after.transfer_fee_rate) == (0.0, 0.00002)
    assert rules_for("000001.SZ", date(2010, 6, 1)).transfer_fee_per_1000_shares == 0.0


def test_bse_has_its_own_transfer_fee_table() -> None:
    assert rulebook.transfer_fee_table("830799.BJ") is rulebook.BSE_TRANSFER_FEE
    assert rulebook.transfer_fee_table("600000.SH") is rulebook.TRANSFER_FEE


def test_funds_pay_no_stamp_duty_or_transfer_fee() -> None:
    r = rules_for("510300.SH", date(2023, 3, 9))
    assert (r.stamp_duty_sell, r.transfer_fee_rate, r.transfer_fee_per_1000_shares) == (0.0, 0.0, 0.0)
    assert "78号" in next(e.source for e in rulebook.FEE_EXEMPTIONS if e.fee == "stamp_duty")
    days = np.array(["2023-03-09"], dtype="datetime64[D]")
    stamp = fee_rate_panel("stamp_duty", ["510300.SH", "159915.SZ", "600519.SH"], days)
    assert stamp.tolist() == [[0.0, 0.0, 0.001]]


def test_fund_bands_and_t0_by_product_type() -> None:
    day = date(2023, 3, 9)
    assert price_limit(Board.FUND, day, is_st=False) == (0.10, rulebook.FUND_RULES[0].source)
    assert price_limit(Board.FUND, day, is_st=False, fund_type=FundType.STAR_CHINEXT_INDEX)[0] == 0.20
    assert rules_for("159915.SZ", day, fund_type=FundType.STAR_CHINEXT_INDEX).price_limit_pct == 0.20
    assert rules_for("511010.SH", day, fund_type=FundType.BOND).t_plus == 0
    assert rules_for("518880.SH", day, fund_type=FundType.GOLD).t_plus == 0
    assert rules_for("510300.SH", day).t_plus == 1
    got = price_limit_pct_array(
        np.array(["FUND", "FUND", "FUND"]),
        np.array([day] * 3, dtype="datetime64[D]"),
        np.zeros(3, dtype=bool),
        fund_types=np.array(["", "STAR_CHINEXT_INDEX", "MONEY_MARKET"]),
    )
    assert got.tolist() == [0.10, 0.20, 0.10]


def test_fund_type_from_real_exchange_names() -> None:
    assert fund_type_of_name("华泰柏瑞沪深300ETF") == FundType.EQUITY
    assert fund_type_of_name("易方达创业板ETF") == FundType.STAR_CHINEXT_INDEX
    assert fund_type_of_name("华夏科创50ETF") == FundType.STAR_CHINEXT_INDEX
    assert fund_type_of_name("国泰黄金ETF") == FundType.GOLD
    assert fund_type_of_name("华宝添益货币ETF") == FundType.MONEY_MARKET
    assert fund_type_of_name("国泰上证5年期国债ETF") == FundType.BOND
    assert fund_type_of_name("国泰纳斯达克100ETF") == FundType.CROSS_BORDER
    assert fund_type_of_name(None) == FundType.EQUITY


def test_ipo_regime_follows_the_listing_date() -> None:
    # Listed 2023-04-03 under the approval regime (day 1 only special): ordinary 10% band on 2023-04-10.
    assert (
        price_limit(Board.SSE_MAIN, date(2023, 4, 10), is_st=False, session_no=5, list_date=date(2023, 4, 3))[0] == 0.10
    )
    # Listed 2023-04-10 under registration: sessions 1..5 without a band.
    assert (
        price_limit(Board.SSE_MAIN, date(2023, 4, 14), is_st=False, session_no=5, list_date=date(2023, 4, 10))[0]
        is None
    )
    # ChiNext listed 2020-08-20 (before the reform) gets no new 5-day window on 2020-08-25: the new 20% band.
    assert rules_for("300860.SZ", date(2020, 8, 25), session_no=4, list_date=date(2020, 8, 20)).price_limit_pct == 0.20
    got = price_limit_pct_array(
        np.array(["SSE_MAIN", "CHINEXT"]),
        np.array(["2023-04-10", "2020-08-25"], dtype="datetime64[D]"),
        np.zeros(2, dtype=bool),
        np.array([5, 4]),
        np.array(["2023-04-03", "2020-08-20"], dtype="datetime64[D]"),
    )
    assert got.tolist() == [0.10, 0.20]


def test_minimum_commission_is_dated_data() -> None:
    assert rulebook.min_commission(date(2024, 1, 2)) == 5.0
    assert rules_for("600519.SH", date(2024, 1, 2)).min_commission == rulebook.MIN_COMMISSION[0].yuan
