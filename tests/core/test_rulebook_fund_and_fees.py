"""Rulebook API for the backtester's fund settlement, fund tick and the pre-2015 SSE per-share transfer fee."""

from __future__ import annotations

from datetime import date

import numpy as np

from tandem.core import rulebook
from tandem.core.models import Board, FundType

DAYS = np.array(["2012-08-31", "2012-09-03", "2015-07-31", "2015-08-03"], dtype="datetime64[D]")


def test_per_share_fee_by_day_shanghai_only_and_funds_exempt() -> None:
    fee, floor = rulebook.per_share_fee_panel(["600036.SH", "000001.SZ", "510050.SH"], DAYS)
    assert fee[:, 0].tolist() == [0.001, 0.0006, 0.0006, 0.0]
    assert floor[:, 0].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert (fee[:, 1:] == 0).all() and (floor[:, 1:] == 0).all()


def test_t_plus_by_fund_type() -> None:
    kinds = [FundType.BOND, FundType.GOLD, FundType.CROSS_BORDER, FundType.MONEY_MARKET, FundType.EQUITY, None]
    codes = ["511010.SH", "518880.SH", "513100.SH", "511990.SH", "510300.SH", "600519.SH"]
    out = rulebook.t_plus_panel(codes, DAYS[-1:], kinds)
    assert out.tolist() == [[0.0, 0.0, 0.0, 0.0, 1.0, 1.0]]
    assert rulebook.rules_for("511010.SH", date(2023, 3, 1), fund_type=FundType.BOND).t_plus == 0


def test_funds_tick_and_limit_prices_round_to_it() -> None:
    assert rulebook.tick_of(Board.FUND, date(2015, 7, 6)) == 0.001
    assert rulebook.tick_of(Board.SSE_MAIN, date(2015, 7, 6)) == 0.01
    up, down = rulebook.limit_prices([[2.579, 10.0]], [[0.10, 0.10]], [[0.001, 0.01]])
    assert up.tolist() == [[2.837, 11.0]] and down.tolist() == [[2.321, 9.0]]
    assert rulebook.rules_for("510050.SH", date(2015, 7, 6)).tick == 0.001


def test_bse_fee_says_it_is_unverified() -> None:
    assert all(r.source.startswith("UNVERIFIED") for r in rulebook.BSE_TRANSFER_FEE)
