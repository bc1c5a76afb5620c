"""No look-ahead by construction: strategies see the market up to their decision bar, never a later row.

Real rows: the 8-stock BaoStock fixture (tests/backtest/data) and the bundled sample.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.engine import weights_from
from tandem.backtest.event_engine import run_strategy
from tandem.backtest.market import MarketData
from tandem.backtest.strategy import Context, LookAheadError, Strategy


class PeekTomorrow(Strategy):
    """Buys when tomorrow's close is higher: only possible by reading ahead."""

    def on_bar(self, ctx: Context) -> None:
        if ctx.i == 5 and ctx.market.close[ctx.i + 1, 0] > ctx.market.close[ctx.i, 0]:
            ctx.order_target_percent(ctx.codes[0], 0.5)


class WholeSampleInStart(Strategy):
    """Precomputes a signal from the whole close array in on_start, the way the old example did."""

    def on_start(self, ctx: Context) -> None:
        self.seen = ctx.market.close.shape[0]
        self.best = np.nanargmax(ctx.market.close[:, 0])

    def on_bar(self, ctx: Context) -> None:
        if ctx.i == self.best:
            ctx.order_target_percent(ctx.codes[0], 0.5)


def test_reading_the_next_bar_raises_naming_the_bar_and_date(make_market) -> None:
    m = make_market(["600519.SH"], "2023-01-03", "2023-01-31")
    with pytest.raises(LookAheadError) as err:
        run_strategy(PeekTomorrow(), m, ExecutionConfig())
    msg = str(err.value)
    assert "bar 2023-01-10 (row 5)" in msg and "rows 0..5" in msg and "no look-ahead" in msg


def test_on_start_sees_only_the_first_session(make_market) -> None:
    m = make_market(["600519.SH"], "2023-01-03", "2023-03-31")
    s = WholeSampleInStart()
    run_strategy(s, m, ExecutionConfig())
    assert s.seen == 1 and s.best == 0


def test_market_view_ends_at_the_decision_bar_and_is_read_only(make_market) -> None:
    m: MarketData = make_market(["600519.SH", "300750.SZ"], "2023-01-03", "2023-01-31")
    seen: list[tuple[int, int, date]] = []

    class Record(Strategy):
        def on_bar(self, ctx: Context) -> None:
            v = ctx.market
            seen.append((v.close.shape[0], v.limit_up.shape[0], v.day(v.shape[0] - 1)))
            with pytest.raises(ValueError, match="read-only"):
                v.close[-1, 0] = 0.0

    run_strategy(Record(), m, ExecutionConfig())
    assert seen == [(i + 1, i + 1, m.day(i)) for i in range(m.shape[0])]


def test_adjusted_history_uses_only_factors_known_by_the_bar(sample_store) -> None:
    """300750.SZ 10转8 on 2023-04-26: adjusted closes are continuous there, and before it equal the raw ones."""
    from tandem.backtest.market import load_market

    m = load_market(sample_store, ["300750.SZ"], date(2023, 4, 20), date(2023, 4, 28))
    rows: dict[int, np.ndarray] = {}

    class Keep(Strategy):
        def on_bar(self, ctx: Context) -> None:
            rows[ctx.i] = ctx.history("close", adjusted=True)[:, 0]

    run_strategy(Keep(), m, ExecutionConfig())
    assert rows[3].tolist() == m.close[:4, 0].tolist()  # 04-25: nothing went ex yet, raw == adjusted
    assert rows[4][-2] == pytest.approx(385.90 / 1.811822, rel=1e-5)  # 04-25 close at 04-26's level
    assert abs(rows[4][-1] / rows[4][-2] - 1) < 0.06  # 224.50 vs 212.99: a 5 % day, not -42 %


def _shift_back(market: MarketData) -> pd.DataFrame:
    """Weight by tomorrow's price relative to today's (reads the next row)."""
    c = pd.DataFrame(market.close, index=market.index(), columns=list(market.codes))
    return (c.shift(-1) / c / 4).clip(0, 0.5).fillna(0.0)


def _whole_sample_rank(market: MarketData) -> pd.DataFrame:
    """Weight by where today's close sits in the whole sample's range (a full-sample statistic)."""
    c = pd.DataFrame(market.close, index=market.index(), columns=list(market.codes))
    return ((c - c.min()) / (c.max() - c.min()) / 2).fillna(0.0)


def _momentum(market: MarketData) -> pd.DataFrame:
    c = pd.DataFrame(market.close, index=market.index(), columns=list(market.codes))
    return (c > c.rolling(20).mean()).astype(float) / len(market.codes)


def test_vectorised_weights_that_read_ahead_are_refused(make_market) -> None:
    m = make_market(["600519.SH", "000001.SZ"], "2022-01-04", "2022-12-30")
    with pytest.raises(LookAheadError) as err:
        weights_from(_shift_back, m)
    assert "target_weights gave" in str(err.value) and "look-ahead" in str(err.value)
    cut = m.shape[0] // 4 - 1
    assert f"bar {m.day(cut)} (row {cut})" in str(err.value)


def test_vectorised_weights_from_a_whole_sample_statistic_are_refused(make_market) -> None:
    m = make_market(["600519.SH", "000001.SZ"], "2022-01-04", "2022-12-30")
    with pytest.raises(LookAheadError, match=r"bar 2022-01-04 \(row 0\)"):
        weights_from(_whole_sample_rank, m)


def test_causal_vectorised_weights_pass_unchanged(make_market) -> None:
    m = make_market(["600519.SH", "000001.SZ"], "2022-01-04", "2022-12-30")
    pd.testing.assert_frame_equal(weights_from(_momentum, m), _momentum(m))


PEEKING_FILE = """
import pandas as pd

UNIVERSE = ["600519.SH", "000001.SZ"]
START, END = "2022-01-04", "2022-12-30"


def target_weights(market):
    c = pd.DataFrame(market.close, index=market.index(), columns=list(market.codes))
    return (c.shift(-1) / c / 4).clip(0, 0.5).fillna(0.0)
"""


def test_a_strategy_file_whose_weights_read_ahead_is_refused(sample_store, tmp_path) -> None:
    from tandem.backtest.loader import run_file

    path = tmp_path / "peek.py"
    path.write_text(PEEKING_FILE, encoding="utf-8")
    with pytest.raises(LookAheadError, match=r"target_weights gave .* when bars after 2022-\d\d-\d\d were hidden"):
        run_file(path, sample_store)
    path.write_text(PEEKING_FILE.replace("c.shift(-1) / c", "c / c.shift(1)"), encoding="utf-8")
    assert len(run_file(path, sample_store).result.trades) > 0
