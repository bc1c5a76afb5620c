"""Hand-checked A-share rule cases on real bars (see conftest for the codes and why they were chosen)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tandem.backtest.config import ExecutionConfig, RuleSwitches
from tandem.backtest.engine import run_weights
from tandem.backtest.event_engine import run_strategy
from tandem.backtest.strategy import Context, Strategy
from tandem.core.errors import UserError, ValidationFailed


def _weights(market, rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    w = pd.DataFrame(np.nan, index=market.index(), columns=list(market.codes))
    for day, targets in rows.items():
        w.loc[pd.Timestamp(day)] = 0.0
        for code, x in targets.items():
            w.loc[pd.Timestamp(day), code] = x
    return w


class Script(Strategy):
    """Places scripted orders: {date: [(method, code, value, at)]}."""

    def __init__(self, script: dict[str, list[tuple[str, str, float, str | None]]]) -> None:
        self.script = script

    def on_bar(self, ctx: Context) -> None:
        for method, code, value, at in self.script.get(ctx.today.isoformat(), []):
            getattr(ctx, method)(code, value, at=at)


def test_limit_up_buy_blocked_at_open(make_market, bars):
    # 603195.SH listed 2020-02-06; on 2020-02-07 it opened at the limit 94.17 (= 85.61 × 1.1) and stayed there.
    m = make_market(["603195.SH"], "2020-02-06", "2020-03-31")
    r = run_weights(_weights(m, {"2020-02-06": {"603195.SH": 0.5}}), m)
    first = r.rule_events.iloc[0]
    assert (first["date"], first["rule"]) == (date(2020, 2, 7), "limit_up")
    assert first["detail"] == "buy blocked at limit-up on 2020-02-07 (opened at the limit 94.17)"
    # retried each session until the first open below the limit
    assert r.trades["date"].min() > date(2020, 2, 7)
    blocked_days = set(r.rule_events.loc[r.rule_events["rule"] == "limit_up", "date"])
    assert date(2020, 2, 7) in blocked_days and r.trades["date"].min() not in blocked_days


def test_opened_at_limit_but_traded_away_depends_on_fill_time(make_market, bars):
    # 000792.SZ on 2020-01-02 opened at limit-up but closed below it.
    m = make_market(["000792.SZ", "600519.SH"], "2020-01-02", "2020-01-10")
    i = 0
    assert m.open[i, 0] == pytest.approx(m.limit_up[i, 0]) and m.close[i, 0] < m.limit_up[i, 0]
    r = run_weights(_weights(m, {"2020-01-02": {"000792.SZ": 0.5}}), m, ExecutionConfig(fill_at="close"))
    assert r.trades.iloc[0]["date"] == date(2020, 1, 2)
    assert r.trades.iloc[0]["price"] == pytest.approx(m.close[i, 0])
    ev = r.rule_events[r.rule_events["rule"] == "opened_at_limit"].iloc[0]
    assert "opened at the limit" in ev["detail"] and ev["date"] == date(2020, 1, 2)
    # 2020-01-20: the same pattern again; a fill at that open is blocked, a fill at that close goes through
    m2 = make_market(["000792.SZ"], "2020-01-13", "2020-01-31")
    r_open = run_weights(_weights(m2, {"2020-01-17": {"000792.SZ": 0.5}}), m2, ExecutionConfig(retry_blocked=False))
    ev_open = r_open.rule_events.iloc[0]
    assert ev_open["detail"].startswith("buy blocked at limit-up on 2020-01-20 (opened at the limit")
    assert r_open.trades.empty
    r_close = run_weights(_weights(m2, {"2020-01-20": {"000792.SZ": 0.5}}), m2, ExecutionConfig(fill_at="close"))
    assert r_close.trades.iloc[0]["date"] == date(2020, 1, 20)


def test_limit_up_close_blocks_a_close_fill(make_market, bars):
    # 603195.SH closed at the limit on 2020-02-07: a fill at that close is blocked and says so
    m = make_market(["603195.SH"], "2020-02-06", "2020-02-28")
    r = run_weights(_weights(m, {"2020-02-07": {"603195.SH": 0.5}}), m, ExecutionConfig(fill_at="close"))
    assert r.rule_events.iloc[0]["detail"] == "buy blocked at limit-up on 2020-02-07 (closed at the limit 94.17)"


def test_same_day_sell_blocked_by_t_plus_one(make_market, bars):
    m = make_market(["600519.SH"], "2020-01-02", "2020-01-10")
    s = Script(
        {
            "2020-01-02": [("order_shares", "600519.SH", 100, "next_open")],
            "2020-01-03": [("order_shares", "600519.SH", -100, "close")],
            "2020-01-06": [("order_shares", "600519.SH", -100, "close")],
        }
    )
    r = run_strategy(s, m)
    assert list(r.trades["side"]) == ["buy", "sell"]
    assert r.trades.iloc[0]["date"] == date(2020, 1, 3) and r.trades.iloc[1]["date"] == date(2020, 1, 6)
    ev = r.rule_events[r.rule_events["rule"] == "t_plus_one"].iloc[0]
    assert ev["date"] == date(2020, 1, 3) and "T+1" in ev["detail"]
    # switched off, the same-day sell goes through
    r2 = run_strategy(s, m, ExecutionConfig(rules=RuleSwitches(t_plus_one=False)))
    assert r2.trades.iloc[1]["date"] == date(2020, 1, 3)


def test_lot_rounding_main_board_and_star(make_market, bars):
    m = make_market(["600519.SH", "688008.SH"], "2020-01-02", "2020-01-10")
    w = _weights(m, {"2020-01-02": {"600519.SH": 0.5, "688008.SH": 0.02}})
    r = run_weights(w, m, ExecutionConfig(max_participation=0.0))
    buys = r.trades.set_index("code")
    # 600519 opens 1117.00 on 2020-01-03: 500,000 / 1117 = 447.6 shares -> 400 (lots of 100)
    assert buys.loc["600519.SH", "qty"] == 400
    # 688008 (STAR): ≥ 200 shares then steps of 1: floor(20,000 / open)
    open_star = m.open[1, 1]
    assert buys.loc["688008.SH", "qty"] == np.floor(1_000_000 * 0.02 / open_star)
    assert buys.loc["688008.SH", "qty"] >= 200
    lot = r.rule_events[r.rule_events["rule"] == "lot"]
    assert "rounded to 400" in lot[lot["code"] == "600519.SH"].iloc[0]["detail"]


def test_odd_lot_only_when_closing(make_market, bars):
    m = make_market(["600036.SH"], "2020-01-02", "2020-01-10")
    s = Script(
        {
            "2020-01-02": [("order_shares", "600036.SH", 250, None)],
            "2020-01-06": [("order_shares", "600036.SH", -150, None)],
            "2020-01-07": [("order_target_percent", "600036.SH", 0.0, None)],
        }
    )
    r = run_strategy(s, m, ExecutionConfig(max_participation=0.0))
    assert list(r.trades["qty"]) == [200, 100, 100]  # buy 250→200, partial sell 150→100, closing sell of the rest


def test_five_yuan_minimum_commission(make_market, bars):
    m = make_market(["000001.SZ"], "2020-01-02", "2020-01-10")
    r = run_strategy(Script({"2020-01-02": [("order_shares", "000001.SZ", 100, None)]}), m)
    t = r.trades.iloc[0]
    value = 100 * m.open[1, 0]
    assert value * 0.00025 < 5.0
    assert t["commission"] == 5.0
    assert t["transfer_fee"] == pytest.approx(value * 0.00002)
    assert t["fee"] == pytest.approx(5.0 + value * 0.00002)
    assert "5-yuan minimum" in r.rule_events[r.rule_events["rule"] == "min_commission"].iloc[0]["detail"]


@pytest.mark.parametrize(("sell_day", "rate"), [("2023-08-25", 0.001), ("2023-08-28", 0.0005)])
def test_stamp_duty_before_and_after_2023_08_28(make_market, bars, sell_day, rate):
    m = make_market(["600036.SH"], "2023-08-21", "2023-08-31")
    s = Script(
        {
            "2023-08-22": [("order_shares", "600036.SH", 1000, "close")],
            sell_day: [("order_shares", "600036.SH", -1000, "close")],
        }
    )
    r = run_strategy(s, m)
    sell = r.trades[r.trades["side"] == "sell"].iloc[0]
    assert sell["date"] == date.fromisoformat(sell_day)
    assert sell["stamp_duty"] == pytest.approx(1000 * sell["price"] * rate)
    buy = r.trades[r.trades["side"] == "buy"].iloc[0]
    assert buy["stamp_duty"] == 0.0


def test_suspended_day_blocks_and_limit_down_blocks(make_market, bars):
    # 000792.SZ was suspended on 2020-01-17.
    m = make_market(["000792.SZ"], "2020-01-02", "2020-02-28")
    r = run_weights(_weights(m, {"2020-01-16": {"000792.SZ": 0.5}}), m)
    ev = r.rule_events.iloc[0]
    assert (ev["date"], ev["rule"], ev["detail"]) == (
        date(2020, 1, 17),
        "suspended",
        "buy blocked: suspended on 2020-01-17",
    )
    # 000001.SZ opened at limit-down on 2020-02-03 (first session after the 2020 Spring Festival)
    m2 = make_market(["000001.SZ"], "2020-01-02", "2020-02-28")
    r2 = run_weights(_weights(m2, {"2020-01-02": {"000001.SZ": 0.5}, "2020-01-23": {"000001.SZ": 0.0}}), m2)
    ev2 = r2.rule_events[r2.rule_events["rule"] == "limit_down"].iloc[0]
    assert ev2["date"] == date(2020, 2, 3) and ev2["detail"].startswith("sell blocked at limit-down on 2020-02-03")
    sells = r2.trades[r2.trades["side"] == "sell"]
    assert sells.iloc[0]["date"] == date(2020, 2, 4)


def test_cash_dividends_credited_on_ex_dates(make_market, bars):
    # 600519 ex-dates 2020-06-24, 2021-06-25, 2022-06-30, 2022-12-27 paid 17.025, 19.293, 21.675, 21.91 yuan a
    # share; the exchange preclose (0.01 tick) makes the adj-factor credit 17.02, 19.29, 21.67, 21.91.
    m = make_market(["600519.SH"], "2020-01-02", "2022-12-30")
    cfg = ExecutionConfig(
        fill_at="close",
        commission_rate=0.0,
        max_participation=0.0,
        rules=RuleSwitches(lots=False, min_commission=False, transfer_fee=False, stamp_duty=False),
    )
    r = run_weights(_weights(m, {"2020-01-02": {"600519.SH": 1.0}}), m, cfg)
    shares = 1_000_000 / m.close[0, 0]
    expected = shares * m.close[-1, 0] + shares * (17.02 + 19.29 + 21.67 + 21.91)
    assert r.equity.iloc[-1] == pytest.approx(expected, rel=1e-9)
    div = r.rule_events[r.rule_events["rule"] == "dividend"]
    assert list(div["date"]) == [date(2020, 6, 24), date(2021, 6, 25), date(2022, 6, 30), date(2022, 12, 27)]


def test_bad_input_names_the_bar(make_market, bars):
    m = make_market(["600519.SH", "000001.SZ"], "2020-01-02", "2020-01-31")
    w = _weights(m, {"2020-01-06": {"600519.SH": 0.5}})
    w.loc[pd.Timestamp("2020-01-06"), "000001.SZ"] = np.nan
    with pytest.raises(ValidationFailed, match=r"bar 2020-01-06: NaN weight for \['000001.SZ'\]"):
        run_weights(w, m)
    with pytest.raises(UserError, match=r"bar 2020-01-02: unknown code '999999.SH'"):
        run_strategy(Script({"2020-01-02": [("order_shares", "999999.SH", 100, None)]}), m)

    class Boom(Strategy):
        def on_bar(self, ctx: Context) -> None:
            if ctx.today == date(2020, 1, 8):
                raise ZeroDivisionError("division by zero")

    with pytest.raises(UserError, match=r"Boom.on_bar raised ZeroDivisionError: division by zero on bar 2020-01-08"):
        run_strategy(Boom(), m)
    with pytest.raises(ValidationFailed, match="bar 2020-01-02"):
        run_strategy(Script({"2020-01-02": [("order_target_percent", "600519.SH", float("nan"), None)]}), m)
