from datetime import date

import numpy as np
import pandas as pd
import pytest

from tandem.core.errors import NotFoundError, UserError
from tandem.marketdata.store import MarketStore


def test_history_is_sorted_and_raw_by_default(sample_store: MarketStore) -> None:
    bars = sample_store.daily_bars("600519.SH")
    assert len(bars) > 1200
    assert bars["date"].is_monotonic_increasing
    first = bars.iloc[0]
    assert str(first["date"])[:10] == "2020-01-02"
    assert first["close"] == pytest.approx(1130.0)  # BaoStock raw close on 2020-01-02


def test_code_spellings_meet(sample_store: MarketStore) -> None:
    a = sample_store.daily_bars("600519.SH")
    for spelling in ("600519", "sh.600519", "600519.XSHG", "sh600519"):
        pd.testing.assert_frame_equal(sample_store.daily_bars(spelling), a)


def test_hfq_and_qfq_follow_the_ex_rights_reference_close(sample_store: MarketStore) -> None:
    raw = sample_store.daily_bars("600519.SH", end="2023-06-30")
    hfq = sample_store.daily_bars("600519.SH", end="2023-06-30", adjust="hfq")
    qfq = sample_store.daily_bars("600519.SH", end="2023-06-30", adjust="qfq")
    # qfq is anchored at the last returned day: equal to raw there, smaller before dividends.
    assert qfq["close"].iloc[-1] == pytest.approx(raw["close"].iloc[-1])
    assert qfq["close"].iloc[0] < raw["close"].iloc[0]
    # hfq/raw grows by exactly close[t-1]/preclose[t] on each ex-date (BaoStock's hfq moves the same way).
    ratio = (hfq["close"] / raw["close"]).to_numpy()
    step = raw["close"].shift(1).to_numpy()[1:] / raw["preclose"].to_numpy()[1:]
    np.testing.assert_allclose(ratio[1:] / ratio[:-1], np.where(np.abs(step - 1) < 1e-6, 1.0, step), rtol=1e-9)
    # Kweichow Moutai paid a dividend every year 2020–2023: four ex-dates in the window.
    assert int((np.abs(step - 1) > 1e-6).sum()) >= 4


def test_adjusted_returns_are_continuous_across_ex_dates(sample_store: MarketStore) -> None:
    hfq = sample_store.daily_bars("600519.SH", adjust="hfq")
    raw = sample_store.daily_bars("600519.SH")
    adj_ret = hfq["close"].pct_change().to_numpy()[1:]
    exchange_ret = (raw["close"] / raw["preclose"] - 1).to_numpy()[1:]
    np.testing.assert_allclose(adj_ret, exchange_ret, atol=1e-9)


def test_window_and_cross_section(sample_store: MarketStore) -> None:
    bars = sample_store.daily_bars("000001.SZ", start="2024-01-01", end="2024-01-31")
    assert str(bars["date"].iloc[0])[:10] == "2024-01-02"
    assert str(bars["date"].iloc[-1])[:10] == "2024-01-31"
    cs = sample_store.cross_section(date(2024, 1, 2), ["close", "volume"])
    assert {"600519.SH", "000001.SZ"} <= set(cs["code"])
    assert cs["code"].is_unique
    row = cs[cs["code"] == "000001.SZ"].iloc[0]
    assert row["close"] == pytest.approx(bars["close"].iloc[0])


def test_unknown_code_suggests(sample_store: MarketStore) -> None:
    with pytest.raises(NotFoundError, match=r"no instrument 60051\.SH; did you mean 600519\.SH"):
        sample_store.daily_bars("60051.SH")


def test_bad_arguments_are_user_errors(sample_store: MarketStore) -> None:
    with pytest.raises(UserError, match="adjust must be"):
        sample_store.daily_bars("600519.SH", adjust="forward")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="not a date"):
        sample_store.daily_bars("600519.SH", start="2020/01/02")


def test_rules_for_uses_the_data(sample_store: MarketStore) -> None:
    r = sample_store.rules_for("300750.SZ", date(2021, 3, 1))
    assert r.price_limit_pct == 0.20
    assert sample_store.rules_for("600519.SH", "2023-08-28").stamp_duty_sell == 0.0005


def test_fundamentals_as_of_a_day_never_see_later_announcements(sample_store: MarketStore) -> None:
    # Moutai's 2023-Q1 report (period 2023-03-31) was announced on 2023-04-26; its 2022 annual report on 2023-03-31.
    before = sample_store.fundamentals_asof("2023-04-25", ["600519.SH"]).iloc[0]
    after = sample_store.fundamentals_asof("2023-04-26", ["600519.SH"]).iloc[0]
    assert str(before["report_period"])[:10] == "2022-12-31" and str(before["announce_date"])[:10] == "2023-03-31"
    assert str(after["report_period"])[:10] == "2023-03-31" and str(after["announce_date"])[:10] == "2023-04-26"
    assert before["roe_avg"] == pytest.approx(0.324077, abs=1e-6)
    assert after["roe_avg"] == pytest.approx(0.100028, abs=1e-6)
    history = sample_store.fundamentals_history("600519.SH", as_of="2023-04-25")
    assert (pd.to_datetime(history["announce_date"]) <= pd.Timestamp("2023-04-25")).all()
    # Nothing is known before the first announcement in the data.
    assert sample_store.fundamentals_asof("2005-01-04", ["600519.SH"]).empty


def test_polars_frames_carry_the_same_rows(sample_store: MarketStore) -> None:
    pdf = sample_store.daily_bars("600519.SH", start="2024-01-01", adjust="qfq")
    plf = sample_store.daily_bars_polars("600519.SH", start="2024-01-01", adjust="qfq")
    assert plf.height == len(pdf) and plf["close"].to_list() == pdf["close"].tolist()
    idx = sample_store.sql_polars("SELECT date, close FROM index_bars WHERE code = ? ORDER BY date", ["000300.SH"])
    assert idx.height > 4000 and idx.columns == ["date", "close"]


def test_price_only_etfs_are_funds_not_stocks(sample_store: MarketStore) -> None:
    stocks = sample_store.instruments(kind="stock")
    assert not (stocks["board"] == "FUND").any()
    funds = sample_store.instruments(kind="fund")
    assert {"510300.SH", "511880.SH"} <= set(funds["code"])


def test_rules_for_types_funds_as_the_backtester_does(sample_store: MarketStore) -> None:
    """511360 (海富通中证短融ETF, a bond fund whose name has no 债) trades T+0 in both places."""
    from tandem.backtest.market import load_market

    day = date(2023, 3, 1)
    assert sample_store.rules_for("511360.SH", day).t_plus == 0
    assert sample_store.rules_for("510300.SH", day).t_plus == 1
    market = load_market(sample_store, ["511360.SH", "510300.SH"], day, day)
    assert [float(t) for t in market.t_plus[0]] == [sample_store.rules_for(c, day).t_plus for c in market.codes]
