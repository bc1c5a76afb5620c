"""Drive a :class:`~tandem.backtest.strategy.Strategy` bar by bar through the compiled fill functions."""

from __future__ import annotations

import numpy as np

from tandem.backtest import _core
from tandem.backtest.config import ExecutionConfig
from tandem.backtest.engine import build_result, config_vector, slippage_panel
from tandem.backtest.market import MarketData
from tandem.backtest.records import new_lists
from tandem.backtest.result import BacktestResult
from tandem.backtest.strategy import Context, Strategy
from tandem.core.errors import TandemError, UserError


def _fill(ctx: Context, t: int, use_close: bool, w: object, q: object, arrays: dict[str, object]) -> None:
    m = ctx._market
    _core.fill_orders(
        t, use_close, w, q, m.open, m.close, m.volume, m.tradable, m.limit_up, m.limit_down,
        arrays["slip_close" if use_close else "slip_open"], m.stamp_sell, m.transfer_fee, m.transfer_per_share,
        m.transfer_min, m.t_plus, m.min_buy, m.lot_step,
        ctx.pos, ctx.locked, ctx.cash_arr, ctx.last_px, arrays["cfg_close" if use_close else "cfg_open"],
        arrays["blocked"], arrays["trades"], arrays["events"],
    )  # fmt: skip


def _call(strategy: Strategy, hook: str, ctx: Context) -> None:
    """Run a strategy hook; anything it raises becomes a user error naming the bar and the cause."""
    try:
        getattr(strategy, hook)(ctx)
    except TandemError:
        raise
    except IndexError as exc:  # ctx.market ends at today's row: an index past it is a read ahead
        raise ctx.look_ahead_error(exc) from exc
    except Exception as exc:
        raise UserError(
            f"strategy {type(strategy).__name__}.{hook} raised {type(exc).__name__}: {exc} on bar {ctx.today} "
            f"(row {ctx.i}); fix the strategy code"
        ) from exc


def run_strategy(strategy: Strategy, market: MarketData, config: ExecutionConfig | None = None) -> BacktestResult:
    """Run an event-driven strategy over every session of ``market``."""
    cfg = config or ExecutionConfig()
    ctx = Context(market, cfg)
    trades, events = new_lists()
    opn, cls = cfg.with_(fill_at="next_open"), cfg.with_(fill_at="close")
    arrays: dict[str, object] = {
        "slip_open": slippage_panel(market, opn),
        "slip_close": slippage_panel(market, cls),
        "cfg_open": config_vector(opn, day=market.day(0)),
        "cfg_close": config_vector(cls, day=market.day(0)),
        "blocked": np.zeros(len(market.codes), dtype=np.bool_),
        "trades": trades,
        "events": events,
    }
    T, n = market.shape
    equity, cash, pos = np.zeros(T), np.zeros(T), np.zeros((T, n))
    _call(strategy, "on_start", ctx)
    for t in range(T):
        ctx.i = t
        _core.new_day(t, market.preclose, market.adj_ratio, market.bonus_shares, market.cash_dividend, ctx.pos,
                      ctx.locked, ctx.cash_arr, arrays["cfg_open"], events)  # fmt: skip
        if np.isfinite(ctx.open_w).any() or ctx.open_q.any():
            _fill(ctx, t, False, ctx.open_w, ctx.open_q, arrays)
            ctx.open_w[:] = np.nan
            ctx.open_q[:] = 0.0
        _core.mark(t, market.close, market.tradable, ctx.pos, ctx.cash_arr, ctx.last_px)
        _call(strategy, "on_bar", ctx)
        if np.isfinite(ctx.close_w).any() or ctx.close_q.any():
            _fill(ctx, t, True, ctx.close_w, ctx.close_q, arrays)
            ctx.close_w[:] = np.nan
            ctx.close_q[:] = 0.0
        equity[t] = _core.mark(t, market.close, market.tradable, ctx.pos, ctx.cash_arr, ctx.last_px)
        cash[t] = ctx.cash_arr[0]
        pos[t] = ctx.pos
    return build_result(market, cfg, equity, cash, pos, trades, events, getattr(strategy, "name", "strategy"))
