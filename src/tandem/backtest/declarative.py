"""Run a :class:`StrategySpec`: screen and rank on each rebalance day, then the vectorized engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tandem.backtest.engine import run_weights
from tandem.backtest.market import MarketData, load_market
from tandem.backtest.result import BacktestResult
from tandem.backtest.screener.evaluate import run_screen, screen_values
from tandem.backtest.screener.syntax import parse
from tandem.backtest.spec import StrategySpec
from tandem.core.errors import UserError
from tandem.marketdata.store import MarketStore

Progress = Callable[[float], None]


class PanelScreenData:
    """Screen data served from panels loaded once for the whole backtest (fast repeated evaluation)."""

    def __init__(self, store: MarketStore, codes: list[str], start: date, end: date) -> None:
        self.store, self.codes, self.start, self.end = store, codes, start, end
        self._panels: dict[str, pd.DataFrame] = {}
        self._funda: dict[date, pd.DataFrame] = {}

    def bars(self, fields: list[str], day: date, lookback: int) -> dict[str, pd.DataFrame]:
        """Slices of cached panels ending on ``day``."""
        out = {}
        for f in fields:
            if f not in self._panels:
                self._panels[f] = self.store.panel(f, self.codes, self.start - timedelta(days=400), self.end)
            p = self._panels[f]
            out[f] = p.loc[: pd.Timestamp(day)].iloc[-lookback:]
        return out

    def fundamentals(self, day: date) -> pd.DataFrame:
        """Point-in-time fundamentals of ``day`` (cached per day)."""
        if day not in self._funda:
            self._funda[day] = self.store.fundamentals_asof(day, self.codes)
        return self._funda[day]


def rebalance_days(index: pd.DatetimeIndex, rule: str) -> list[int]:
    """Rows that are the last session of each period (decisions are taken at that close)."""
    if rule == "daily":
        return list(range(len(index)))
    key = {"weekly": index.to_period("W"), "monthly": index.to_period("M"), "quarterly": index.to_period("Q")}[rule]
    s = pd.Series(np.arange(len(index)), index=index)
    return [int(x) for x in s.groupby(np.asarray(key)).max().to_numpy()]


def target_weights(spec: StrategySpec, market: MarketData, data: PanelScreenData, progress: Progress) -> pd.DataFrame:
    """The weights frame the spec implies (rows only on rebalance days)."""
    idx = market.index()
    w = pd.DataFrame(np.nan, index=idx, columns=list(market.codes))
    days = rebalance_days(idx, spec.rebalance)
    screen = parse(spec.screen) if spec.screen else None  # parsed once per backtest, not per rebalance day
    rank_by = parse(spec.rank_by) if spec.rank_by else None
    column = {c: j for j, c in enumerate(market.codes)}
    for k, i in enumerate(days):
        day = market.day(i)
        picks = run_screen(screen, day, data)["code"].tolist() if screen is not None else list(market.codes)
        picks = [c for c in picks if market.tradable[i, column[c]]]
        if rank_by is not None and picks:
            vals = screen_values(rank_by, day, data).reindex(picks).dropna()
            picks = vals.sort_values(ascending=spec.ascending, kind="stable").index.tolist()
        picks = picks[: spec.max_positions]
        row = pd.Series(0.0, index=w.columns)
        if picks:
            if spec.sizing == "rank":
                raw = np.arange(len(picks), 0, -1, dtype=float)
                row[picks] = raw / raw.sum() * 0.99
            else:
                row[picks] = 0.99 / len(picks)
        w.iloc[i] = row.to_numpy()
        progress(0.8 * (k + 1) / len(days))
    return w


def run_spec(
    spec: StrategySpec, store: MarketStore, progress: Progress | None = None
) -> tuple[BacktestResult, MarketData]:
    """Backtest a declarative strategy on the store's data."""
    report = progress or (lambda _p: None)
    market = load_market(store, spec.universe, spec.start, spec.end)
    if market.shape[0] < 2:
        raise UserError(f"only {market.shape[0]} trading day(s) between {spec.start} and {spec.end}; widen the range")
    data = PanelScreenData(store, list(market.codes), market.day(0), market.day(market.shape[0] - 1))
    weights = target_weights(spec, market, data, report)
    result = run_weights(weights, market, spec.execution.config(), name=spec.name)
    report(1.0)
    return result, market
