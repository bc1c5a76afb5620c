"""Adjustment factors: the product of ex-rights ratios per code, whatever order the bars arrive in."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tandem.marketdata.adjust import with_adj_factor


def _bars() -> pl.DataFrame:
    days = [dt.date(2020, 1, d) for d in (2, 3, 6)]
    return pl.DataFrame(
        {
            "code": ["600519.SH"] * 3 + ["000001.SZ"] * 3,
            "date": days * 2,
            # 600519: a 2:1 ex-date on the 3rd (close 10 -> reference preclose 5); 000001: no action
            "close": [10.0, 5.5, 5.6, 20.0, 20.5, 21.0],
            "preclose": [9.9, 5.0, 5.5, 19.0, 20.0, 20.5],
        }
    )


def test_factor_is_the_running_product_of_ratios_per_code() -> None:
    out = with_adj_factor(_bars())
    assert out.get_column("code").to_list() == ["000001.SZ"] * 3 + ["600519.SH"] * 3
    assert out.get_column("adj_factor").to_list() == [1.0, 1.0, 1.0, 1.0, 2.0, 2.0]


def test_order_of_the_input_does_not_matter() -> None:
    bars = _bars()
    assert with_adj_factor(bars.reverse()).equals(with_adj_factor(bars.sort("code", "date")))
