"""BSE listings: every spelling of old (43/83/87) and new (920) codes is a .BJ stock on the BSE board with its rules."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tandem.core.errors import UserError
from tandem.core.models import Board, board_of, normalize_code
from tandem.core.rulebook import buy_quantity, price_limit, price_limit_pct_array, rules_for


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("bj.920002", "920002.BJ"),  # Sina / AKShare spelling of a new code
        ("BJ920002", "920002.BJ"),
        ("920002", "920002.BJ"),  # the 920 range is the BSE's own
        ("430017.BJ", "430017.BJ"),  # Tushare spelling of an old NEEQ-era code
        ("830799", "830799.BJ"),
        ("873223", "873223.BJ"),
        ("833819.BSE", "833819.BJ"),
    ],
)
def test_bse_codes_normalise_to_bj(raw: str, code: str) -> None:
    assert normalize_code(raw) == code and board_of(code) is Board.BSE


def test_an_unknown_suffix_says_which_ones_exist() -> None:
    with pytest.raises(UserError, match=r"use \.SH, \.SZ or \.BJ"):
        normalize_code("920002.NQ")


def test_bse_rules_by_day() -> None:
    day = date(2025, 10, 9)  # the day the remaining listings switched to 920 codes: same rules either way
    old, new = rules_for("830799.BJ", day), rules_for("920799.BJ", day)
    assert (old.price_limit_pct, old.min_buy, old.buy_step) == (new.price_limit_pct, new.min_buy, new.buy_step)
    assert new.price_limit_pct == pytest.approx(0.30) and (new.min_buy, new.buy_step) == (100, 1)
    assert rules_for("920002.BJ", day, is_st=True).price_limit_pct == pytest.approx(0.30)
    first = rules_for("920002.BJ", date(2024, 5, 17), session_no=1, list_date=date(2024, 5, 17))
    assert first.price_limit_pct is None and "first trading day" in first.limit_note
    second = rules_for("920002.BJ", date(2024, 5, 20), session_no=2, list_date=date(2024, 5, 17))
    assert second.price_limit_pct == pytest.approx(0.30)
    assert price_limit(Board.BSE, date(2021, 11, 12), is_st=False)[0] is None  # before the exchange opened
    assert buy_quantity(Board.BSE, day, 99) == 0 and buy_quantity(Board.BSE, day, 137) == 137
    bands = price_limit_pct_array(["BSE", "BSE", "BSE"], ["2021-11-12", "2021-11-15", "2026-03-06"], [False] * 3)
    assert np.isnan(bands[0]) and bands[1:].tolist() == [0.30, 0.30]
