"""What a backtest returns: daily equity, positions, trades and rule events, plus derived series."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class BacktestResult:
    """The outcome of one backtest on one portfolio.

    ``equity`` and ``cash`` are close-of-day values (index = trading days); ``positions`` holds shares per
    code at the close; ``trades`` has ``date, code, side, qty, price, fee`` (+ fee parts) and
    ``rule_events`` has ``date, code, rule, detail``.
    """

    equity: pd.Series
    cash: pd.Series
    positions: pd.DataFrame
    close: pd.DataFrame
    trades: pd.DataFrame
    rule_events: pd.DataFrame
    initial_cash: float
    name: str = "strategy"
    benchmark: pd.Series | None = field(default=None)

    @property
    def returns(self) -> pd.Series:
        """Daily simple returns of equity (the first day against the initial cash)."""
        prev = self.equity.shift(1)
        prev.iloc[0] = self.initial_cash
        return (self.equity / prev - 1.0).rename("returns")

    @property
    def weights(self) -> pd.DataFrame:
        """Close-of-day position values as fractions of equity (suspended codes at their last close)."""
        value = self.positions * self.close.ffill().fillna(0.0)
        return value.div(self.equity.replace(0.0, np.nan), axis=0).fillna(0.0)

    def daily_positions(self) -> pd.DataFrame:
        """Long table of held positions per day: date, code, shares, close, value, weight."""
        held = self.positions.stack()
        held = held[(held != 0).to_numpy()]
        if held.empty:
            return pd.DataFrame(columns=["date", "code", "shares", "close", "value", "weight"])
        close = self.close.ffill().stack().reindex(held.index)
        value = held * close
        eq = self.equity.reindex(held.index.get_level_values(0)).to_numpy()
        out = pd.DataFrame(
            {"shares": held.to_numpy(), "close": close.to_numpy(), "value": value.to_numpy(), "weight": value / eq}
        )
        out.insert(0, "code", held.index.get_level_values(1))
        out.insert(0, "date", [d.date() for d in held.index.get_level_values(0)])
        return out.reset_index(drop=True)
