"""Vectorized strategies: a date × code frame of target weights (or entry/exit signals) run through the core.

A weights row is the target decided at that day's close; it fills at the next open or the same close
(:class:`ExecutionConfig.fill_at`). A row of all NaN means "no rebalance"; a row must otherwise give a
finite weight for every code (0 = not held). Targets blocked by a limit or a suspension are retried each
session until they fill or a new row replaces them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.backtest import _core
from tandem.backtest.config import ExecutionConfig
from tandem.backtest.market import MarketData
from tandem.backtest.records import events_frame, new_lists, trades_frame
from tandem.backtest.result import BacktestResult
from tandem.backtest.strategy import LookAheadError
from tandem.core import rulebook
from tandem.core.errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]


def config_vector(config: ExecutionConfig, *, record: bool = True, day: date | None = None) -> FloatArray:
    """The float vector of switches and rates the compiled core reads (indices ``_core.C_*``).

    The minimum commission is the rulebook's on ``day`` (the backtest's first session; the latest rule when not
    given) — one figure per run because the compiled core reads a scalar.
    """
    r = config.rules
    v = np.zeros(_core.N_CFG)
    v[_core.C_COMMISSION] = config.commission_rate
    floor = rulebook.min_commission(day) if day is not None else rulebook.MIN_COMMISSION[-1].yuan
    v[_core.C_MIN_COMMISSION] = floor if r.min_commission else 0.0
    v[_core.C_STAMP] = float(r.stamp_duty)
    v[_core.C_TRANSFER] = float(r.transfer_fee)
    v[_core.C_LOTS] = float(r.lots)
    v[_core.C_LIMITS] = float(r.price_limits)
    v[_core.C_SUSPENSIONS] = float(r.suspensions)
    v[_core.C_T1] = float(r.t_plus_one)
    v[_core.C_PARTICIPATION] = config.max_participation
    v[_core.C_CORP] = float(r.corporate_actions)
    v[_core.C_FILL_CLOSE] = float(config.fill_at == "close")
    v[_core.C_RECORD] = float(record)
    return v


def slippage_panel(market: MarketData, config: ExecutionConfig) -> FloatArray:
    """Slippage fraction per (day, code) at the configured fill price."""
    px = market.close if config.fill_at == "close" else market.open
    s = np.asarray(config.slippage.fraction(px, market.volume), dtype=np.float64)
    if s.shape != px.shape or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValidationFailed(
            f"{type(config.slippage).__name__}.fraction must return finite values ≥ 0 shaped {px.shape}"
        )
    return s


def check_weights(weights: pd.DataFrame, market: MarketData) -> FloatArray:
    """Align a weights frame on the market's days and codes and refuse NaN holes, negatives and leverage."""
    unknown = [c for c in weights.columns if c not in market.codes]
    if unknown:
        raise ValidationFailed(f"weights name codes outside the market data: {unknown[:5]}; load them first")
    w = weights.reindex(index=market.index(), columns=list(market.codes))
    arr = w.to_numpy(dtype=np.float64)
    given = ~np.all(np.isnan(arr), axis=1)
    holes = np.isnan(arr) & given[:, None]
    for i in np.flatnonzero(holes.any(axis=1))[:1]:
        missing = [market.codes[j] for j in np.flatnonzero(holes[i])][:5]
        raise ValidationFailed(
            f"bar {market.day(i)}: NaN weight for {missing}; give 0 for codes not held (a row of all NaN means "
            "no rebalance that day)"
        )
    if np.any(np.isinf(arr)):
        i = int(np.flatnonzero(np.isinf(arr).any(axis=1))[0])
        raise ValidationFailed(f"bar {market.day(i)}: infinite weight; weights are fractions of equity")
    if np.any(arr < 0):
        i = int(np.flatnonzero((arr < 0).any(axis=1))[0])
        raise ValidationFailed(f"bar {market.day(i)}: negative weight; A-share retail accounts cannot short")
    total = np.nansum(arr, axis=1)
    if np.any(total > 1.0 + 1e-6):
        i = int(np.flatnonzero(total > 1.0 + 1e-6)[0])
        raise ValidationFailed(f"bar {market.day(i)}: weights sum to {total[i]:.4f} > 1; leverage is not supported")
    return np.ascontiguousarray(arr)


def build_result(
    market: MarketData,
    config: ExecutionConfig,
    equity: FloatArray,
    cash: FloatArray,
    pos: FloatArray,
    trades: object,
    events: object,
    name: str,
) -> BacktestResult:
    """Wrap the core's arrays and records."""
    idx = market.index()
    return BacktestResult(
        equity=pd.Series(equity, index=idx, name="equity"),
        cash=pd.Series(cash, index=idx, name="cash"),
        positions=market.frame(pos),
        close=market.frame(np.where(market.tradable, market.close, np.nan)),
        trades=trades_frame(trades, market),  # type: ignore[arg-type]
        rule_events=events_frame(events, market),  # type: ignore[arg-type]
        initial_cash=config.initial_cash,
        name=name,
    )


def run_weights(
    weights: pd.DataFrame, market: MarketData, config: ExecutionConfig | None = None, *, name: str = "strategy"
) -> BacktestResult:
    """Backtest a target-weights frame under the A-share rules in ``config``."""
    return simulate(check_weights(weights, market), market, config or ExecutionConfig(), name)


def simulate(w: FloatArray, market: MarketData, cfg: ExecutionConfig, name: str) -> BacktestResult:
    """Run an aligned weights array (NaN inside a row = leave that code alone) through the core."""
    trades, events = new_lists()
    equity, cash, pos = _core.run_weights(
        w,
        cfg.fill_at == "close",
        market.open,
        market.close,
        market.volume,
        market.tradable,
        market.limit_up,
        market.limit_down,
        slippage_panel(market, cfg),
        market.preclose,
        market.adj_ratio,
        market.bonus_shares,
        market.cash_dividend,
        market.stamp_sell,
        market.transfer_fee,
        market.transfer_per_share,
        market.transfer_min,
        market.t_plus,
        market.min_buy,
        market.lot_step,
        cfg.initial_cash,
        config_vector(cfg, day=market.day(0) if len(market.dates) else None),
        cfg.retry_blocked,
        trades,
        events,
    )
    return build_result(market, cfg, equity, cash, pos, trades, events, name)


LOOK_AHEAD_CUTS = 3  # prefixes checked by weights_from (a quarter, half and three quarters of the days)


def weights_from(
    fn: Callable[[MarketData], pd.DataFrame], market: MarketData, *, cuts: int = LOOK_AHEAD_CUTS
) -> pd.DataFrame:
    """A vectorised strategy's weights, refused if any row depends on a later bar.

    ``fn(market)`` sees the whole panel at once (that is what makes it fast), so it is run again on the market as
    known at ``cuts`` earlier closes (:meth:`MarketData.until`: the arrays end there); every row up to a cut must
    come out the same as in the full run. A weight that used a later price (``close.shift(-1)``, a full-sample
    mean) changes and :class:`~tandem.backtest.strategy.LookAheadError` names the first such bar and its date.
    The cost is ``cuts`` more calls of ``fn`` on shorter panels; the simulation itself is untouched. A read
    ahead is seen when it changes some weight up to a cut (a ``shift(-1)`` that the hidden row happens to leave
    equal at every cut, e.g. a NaN mapped to the same 0, goes unseen: the event engine's view is the strict one).
    """
    full = fn(market)
    if not isinstance(full, pd.DataFrame):
        raise ValidationFailed(f"target_weights must return a DataFrame (days × codes), not {type(full).__name__}")
    T = market.shape[0]
    days = market.index()
    for k in sorted({(T * (c + 1)) // (cuts + 1) for c in range(cuts)} - {0}):
        part = fn(market.until(k - 1))
        a = full.reindex(index=days[:k], columns=list(market.codes)).to_numpy(dtype=np.float64)
        b = part.reindex(index=days[:k], columns=list(market.codes)).to_numpy(dtype=np.float64)
        same = (a == b) | (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-9, atol=1e-12)
        if not same.all():
            i = int(np.flatnonzero(~same.all(axis=1))[0])
            j = int(np.flatnonzero(~same[i])[0])
            raise LookAheadError(
                f"bar {market.day(i)} (row {i}): target_weights gave {market.codes[j]} {a[i, j]:.6g} with the full "
                f"data but {b[i, j]:.6g} when bars after {market.day(k - 1)} were hidden, so that weight reads later "
                "prices (look-ahead); use only rows up to each bar (rolling windows, shift(+n), expanding statistics)"
            )
    return full


def signals_to_weights(entries: pd.DataFrame, exits: pd.DataFrame, slots: int | None = None) -> pd.DataFrame:
    """Equal-slot weights from entry/exit signals: in position from an entry until the next exit.

    Each code gets ``1 / slots`` of equity (default: one slot per column). Only codes whose state changes
    get a value (the slot weight or 0); everything else is NaN, which the core reads as "leave alone".
    """
    if entries.shape != exits.shape:
        raise ValidationFailed(f"entries {entries.shape} and exits {exits.shape} must have the same shape")
    en = entries.fillna(False).to_numpy(dtype=bool)
    ex = exits.fillna(False).to_numpy(dtype=bool)
    state = np.zeros(en.shape, dtype=bool)
    held = np.zeros(en.shape[1], dtype=bool)
    for i in range(en.shape[0]):
        held = np.where(en[i] & ~ex[i], True, np.where(ex[i] & ~en[i], False, held))
        state[i] = held
    prev = np.vstack([np.zeros((1, en.shape[1]), dtype=bool), state[:-1]])
    w = state / float(slots or en.shape[1])
    w[state == prev] = np.nan
    return pd.DataFrame(w, index=entries.index, columns=entries.columns)


def run_signals(
    entries: pd.DataFrame,
    exits: pd.DataFrame,
    market: MarketData,
    config: ExecutionConfig | None = None,
    *,
    slots: int | None = None,
    name: str = "signals",
) -> BacktestResult:
    """Backtest entry/exit signals (equal slots per code) through the same core as :func:`run_weights`."""
    unknown = [c for c in entries.columns if c not in market.codes]
    if unknown:
        raise ValidationFailed(f"signals name codes outside the market data: {unknown[:5]}; load them first")
    w = signals_to_weights(entries, exits, slots).reindex(index=market.index(), columns=list(market.codes))
    return simulate(np.ascontiguousarray(w.to_numpy(dtype=np.float64)), market, config or ExecutionConfig(), name)
