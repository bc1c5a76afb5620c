from datetime import date

import numpy as np
import pytest

from tandem.core.models import Board
from tandem.core.rulebook import (
    STAMP_DUTY,
    buy_quantity,
    limit_prices,
    price_limit_pct_array,
    rate_array,
    round_price,
    rules_for,
)


@pytest.mark.parametrize(
    ("code", "day", "st", "expected"),
    [
        ("600519.SH", date(2020, 1, 2), False, 0.10),
        ("600519.SH", date(2020, 1, 2), True, 0.05),
        ("000001.SZ", date(2025, 7, 4), True, 0.05),
        ("000001.SZ", date(2025, 7, 7), True, 0.10),
        ("300750.SZ", date(2020, 8, 21), False, 0.10),
        ("300750.SZ", date(2020, 8, 24), False, 0.20),
        ("300001.SZ", date(2019, 5, 6), True, 0.05),
        ("300001.SZ", date(2021, 5, 6), True, 0.20),
        ("688981.SH", date(2021, 3, 1), False, 0.20),
        ("830799.BJ", date(2022, 3, 1), False, 0.30),
        ("920001.BJ", date(2025, 3, 1), False, 0.30),
    ],
)
def test_price_limit_by_board_st_and_date(code: str, day: date, st: bool, expected: float) -> None:
    assert rules_for(code, day, is_st=st).price_limit_pct == expected


def test_ipo_windows_by_board_and_date() -> None:
    # STAR: five sessions without a band, the sixth has 20%.
    assert rules_for("688981.SH", date(2020, 7, 16), session_no=5).price_limit_pct is None
    assert rules_for("688981.SH", date(2020, 7, 23), session_no=6).price_limit_pct == 0.20
    # Main board before registration: first day has the special 44% band (not a preclose band), day 2 has 10%.
    assert rules_for("601919.SH", date(2020, 3, 2), session_no=1).price_limit_pct is None
    assert rules_for("601919.SH", date(2020, 3, 3), session_no=2).price_limit_pct == 0.10
    # Main board after 2023-04-10: five free sessions.
    assert rules_for("603000.SH", date(2023, 5, 4), session_no=4).price_limit_pct is None
    # ChiNext before the 2020-08-24 reform: day 2 already banded at 10%.
    assert rules_for("300999.SZ", date(2020, 6, 2), session_no=2).price_limit_pct == 0.10
    assert rules_for("300999.SZ", date(2020, 9, 2), session_no=2).price_limit_pct is None


def test_stamp_duty_halved_on_2023_08_28_sells_only() -> None:
    before = rules_for("600519.SH", date(2023, 8, 25))
    after = rules_for("600519.SH", date(2023, 8, 28))
    assert (before.stamp_duty_buy, before.stamp_duty_sell) == (0.0, 0.001)
    assert (after.stamp_duty_buy, after.stamp_duty_sell) == (0.0, 0.0005)
    days = np.array(["2023-08-25", "2023-08-28"], dtype="datetime64[D]")
    assert rate_array(STAMP_DUTY, days, side="sell").tolist() == [0.001, 0.0005]
    assert rate_array(STAMP_DUTY, days, side="buy").tolist() == [0.0, 0.0]


def test_transfer_fee_and_commission_floor() -> None:
    assert rules_for("600519.SH", date(2022, 4, 28)).transfer_fee_rate == 0.00002
    assert rules_for("000001.SZ", date(2022, 4, 29)).transfer_fee_rate == 0.00001
    assert rules_for("000001.SZ", date(2024, 1, 2)).min_commission == 5.0


def test_lots() -> None:
    assert buy_quantity(Board.SSE_MAIN, date(2024, 1, 2), 1999) == 1900
    assert buy_quantity(Board.STAR, date(2024, 1, 2), 199) == 0
    assert buy_quantity(Board.STAR, date(2024, 1, 2), 237) == 237
    assert buy_quantity(Board.BSE, date(2024, 1, 2), 101) == 101
    assert rules_for("688981.SH", date(2024, 1, 2)).min_buy == 200


def test_vectorised_limits_match_scalar() -> None:
    boards = np.array(["SSE_MAIN", "CHINEXT", "CHINEXT", "STAR", "STAR"])
    days = np.array(["2020-01-02", "2020-08-21", "2020-08-24", "2021-01-04", "2021-01-04"], dtype="datetime64[D]")
    st = np.array([True, False, False, False, False])
    sess = np.array([100, 100, 100, 3, 100])
    got = price_limit_pct_array(boards, days, st, sess)
    assert np.isnan(got[3])
    assert got[[0, 1, 2, 4]].tolist() == [0.05, 0.10, 0.20, 0.20]


def test_limit_prices_round_half_up_without_float_artefacts() -> None:
    up, down = limit_prices([10.05, 1801.0, 3.35], [0.1, 0.1, 0.05])
    assert up.tolist() == [11.06, 1981.1, 3.52]
    assert down.tolist() == [9.05, 1620.9, 3.18]
    assert round_price([1.005, 2.675]).tolist() == [1.01, 2.68]
