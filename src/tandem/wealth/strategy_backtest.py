"""Walk-forward backtest of a model strategy on real NAVs, with subscription and redemption costs.

Every ``rebalance_every`` trading days the strategy is re-estimated on the trailing ``window`` days only (no
look-ahead) and the portfolio is traded back to the new targets; buys pay the fund's subscription rate and
sells its redemption rate (typical rates for the type, see ``product_rules``). Between rebalances weights
drift with the funds' returns. The first ``window`` days are used for estimation only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.stats import PerformanceStats, performance
from tandem.wealth.strategies import ModelStrategy, allocate


@dataclass(frozen=True)
class StrategyBacktest:
    """Result of one walk-forward backtest."""

    strategy: str
    curve: pd.Series
    stats: PerformanceStats
    costs: float
    rebalances: int
    method: str


def backtest_strategy(
    strategy: ModelStrategy,
    catalogue: Catalogue,
    *,
    window: int = 252,
    rebalance_every: int = 63,
    risk_free: float = 0.02,
) -> StrategyBacktest:
    """Run the walk-forward backtest of ``strategy`` over the catalogue's aligned returns."""
    returns = catalogue.returns
    if len(returns) <= window + 20:
        raise UserError(
            f"backtest of {strategy.key} needs more than {window + 20} days of common history, have {len(returns)}"
        )
    codes = list(returns.columns)
    buy = np.array([catalogue.products[c].fees.subscription for c in codes])
    sell = np.array([catalogue.products[c].fees.redemption for c in codes])
    r = returns.to_numpy()
    held = np.zeros(len(codes))
    value, costs, count = 1.0, 0.0, 0
    curve = []
    for t in range(window, len(returns)):
        if (t - window) % rebalance_every == 0:
            target = allocate(strategy, catalogue, returns.iloc[t - window : t], risk_free=risk_free)
            target_w = target.reindex(codes).fillna(0.0).to_numpy()
            trade = target_w * value - held
            cost = float(np.clip(trade, 0, None) @ buy + np.clip(-trade, 0, None) @ sell)
            value -= cost
            costs += cost
            held = target_w * value
            count += 1
        held = held * (1.0 + r[t])
        value = float(held.sum())
        curve.append(value)
    curve_s = pd.Series(curve, index=returns.index[window:], name=strategy.key)
    daily = curve_s.pct_change()
    daily.iloc[0] = curve_s.iloc[0] - 1.0
    method = (
        f"walk-forward: re-estimated every {rebalance_every} trading days on the trailing {window} days; "
        "subscription/redemption costs at typical rates for type"
    )
    return StrategyBacktest(strategy.key, curve_s, performance(daily, risk_free=risk_free), costs, count, method)
