# mypy: disable-error-code="no-untyped-def,no-any-return"
"""The compiled execution core: one set of fill functions used by every strategy style and the sweeps.

Layout: ``mkt`` arrays are date × code (see :class:`tandem.backtest.market.MarketData`); the portfolio state
is ``cash`` (1-element array), ``pos`` (shares per code, float so that frictionless runs may hold fractions),
``locked`` (shares bought today, not sellable until the next session — T+1) and ``last_px`` (last close).
Rule switches arrive as a float64 vector ``cfg`` indexed by the ``C_*`` constants. Trades and rule events
are appended to typed lists of float tuples and turned into tables in Python
(:mod:`tandem.backtest.records`).

Order of work in a session: :func:`new_day` (unlock T+1 shares, credit ex-date distributions), then
:func:`fill_orders` (all sells first so their cash is usable for the same session's buys, then buys), then
:func:`mark` (close-of-day valuation).
"""

from __future__ import annotations

import math

import numba
import numpy as np

C_COMMISSION = 0
C_MIN_COMMISSION = 1
C_STAMP = 2
C_TRANSFER = 3
C_LOTS = 4
C_LIMITS = 5
C_SUSPENSIONS = 6
C_T1 = 7
C_PARTICIPATION = 8
C_CORP = 9
C_FILL_CLOSE = 10
C_RECORD = 11
N_CFG = 12

EV_SUSPENDED = 1.0
EV_LIMIT_UP = 2.0
EV_LIMIT_DOWN = 3.0
EV_T1 = 4.0
EV_LOT = 5.0
EV_VOLUME_CAP = 6.0
EV_CASH = 7.0
EV_MIN_COMMISSION = 8.0
EV_OPENED_AT_LIMIT = 9.0
EV_DIVIDEND = 10.0
EV_BONUS_SHARES = 11.0
EV_NO_PRICE = 12.0

_EPS = 1e-9
LIMIT_TOL = 0.0005  # a price is at its limit within half the finest tick (funds: 0.001; A shares: 0.01)
BONUS_THRESHOLD = 1.095

jit = numba.njit(cache=True, nogil=True)
# Tiny helpers are inlined into their callers: an ordinary call passes ``cfg`` and the record lists, whose
# atomic reference counting cost more than the helper's own work on every fill of a sweep.
jit_inline = numba.njit(cache=True, nogil=True, inline="always")


@jit_inline
def _ev(cfg, events, row):
    if cfg[C_RECORD] > 0.0:
        events.append(row)


@jit_inline
def _tr(cfg, trades, row):
    if cfg[C_RECORD] > 0.0:
        trades.append(row)


@jit_inline
def lot_round_buy(qty: float, min_buy: float, step: float) -> float:
    """Largest lot-conforming buy quantity not above ``qty`` (0 below the minimum)."""
    if qty + _EPS < min_buy:
        return 0.0
    return min_buy + math.floor((qty - min_buy) / step + _EPS) * step


@jit_inline
def lot_round_sell(qty: float, held: float, min_buy: float, step: float) -> float:
    """Largest sellable quantity not above ``qty``: round lots, plus the whole odd lot if it is sold at once.

    Exchange rules (SSE/SZSE trading rules: 余额不足100股部分，应当一次性申报卖出) let a holder of 250 shares sell
    150 (a lot plus the whole 50-share odd lot) or 50, but never part of the odd lot.
    """
    if qty >= held - _EPS:
        return held
    rounded = lot_round_buy(qty, min_buy, step)
    odd = held - lot_round_buy(held, min_buy, step)
    if odd > _EPS and qty + _EPS >= odd:
        with_odd = lot_round_buy(qty - odd, min_buy, step) + odd
        if with_odd > rounded:
            return with_odd
    return rounded


@jit_inline
def commission(value: float, cfg: np.ndarray) -> float:
    """Broker commission with the 5-yuan minimum when that rule is on."""
    c = value * cfg[C_COMMISSION]
    if cfg[C_MIN_COMMISSION] > 0.0 and value > 0.0 and c < cfg[C_MIN_COMMISSION]:
        return cfg[C_MIN_COMMISSION]
    return c


@jit_inline
def transfer_fee(value: float, qty: float, rate: float, per_share: float, fee_min: float) -> float:
    """Proportional fee on value plus the per-share fee with its minimum (one of the two is zero on any day)."""
    fee = value * rate
    if per_share > 0.0:
        fee += max(qty * per_share, fee_min)
    return fee


@jit
def new_day(t, preclose, adj_ratio, bonus, dividend, pos, locked, cash, cfg, events):
    """Start session ``t``: T+1 shares become sellable; credit distributions on ex-dates.

    Where ``bonus[t, j]`` is finite the distribution's form is known (see ``tandem.backtest.distributions``):
    ``bonus`` shares and ``dividend`` yuan per share held, whole shares only when lots are on (fractions are
    dropped, as the depository does not pay them in cash). Elsewhere the value owed by the adjustment ratio is
    split by :data:`BONUS_THRESHOLD` into shares or cash.
    """
    ci = 0
    n = pos.shape[0]
    for j in range(n):
        locked[j] = 0.0
        if cfg[C_CORP] > 0.0 and pos[j] > 0.0 and math.isfinite(bonus[t, j]):
            extra = pos[j] * bonus[t, j]
            if cfg[C_LOTS] > 0.0:
                extra = math.floor(extra + _EPS)
            paid = pos[j] * dividend[t, j]
            held = pos[j]
            pos[j] += extra
            cash[ci] += paid
            if extra > 0.0:
                _ev(cfg, events, (float(t), float(j), EV_BONUS_SHARES, 0.0, extra, paid, adj_ratio[t, j]))
            elif paid > 0.0:
                _ev(cfg, events, (float(t), float(j), EV_DIVIDEND, 0.0, held, paid, adj_ratio[t, j]))
        elif cfg[C_CORP] > 0.0 and pos[j] > 0.0 and adj_ratio[t, j] != 1.0 and math.isfinite(preclose[t, j]):
            r = adj_ratio[t, j]
            owed = pos[j] * preclose[t, j] * (r - 1.0)
            if r >= BONUS_THRESHOLD:
                extra = pos[j] * (r - 1.0)
                if cfg[C_LOTS] > 0.0:
                    extra = math.floor(extra + _EPS)
                pos[j] += extra
                rest = owed - extra * preclose[t, j]
                cash[ci] += rest
                _ev(cfg, events, (float(t), float(j), EV_BONUS_SHARES, 0.0, extra, rest, r))
            elif r > 1.0:
                cash[ci] += owed
                _ev(cfg, events, (float(t), float(j), EV_DIVIDEND, 0.0, pos[j], owed, r))


@jit
def _sell(
    t,
    j,
    ci,
    want,
    px,
    limit_px,
    slip,
    mkt_volume,
    tradable,
    limit_down,
    stamp,
    transfer,
    per_share,
    fee_min,
    min_buy,
    step,
    pos,
    locked,
    cash,
    cfg,
    opened,
    trades,
    events,
):
    """Sell up to ``want`` shares of code ``j``; returns shares sold.

    ``transfer`` is the proportional transfer fee, ``per_share``/``fee_min`` the per-share one (Shanghai before
    2015-08-01: ``max(qty * per_share, fee_min)``; 0 elsewhere).
    """
    if cfg[C_SUSPENSIONS] > 0.0 and not tradable:
        _ev(cfg, events, (float(t), float(j), EV_SUSPENDED, -1.0, want, 0.0, px))
        return 0.0, True
    if not math.isfinite(px) or px <= 0.0:
        _ev(cfg, events, (float(t), float(j), EV_NO_PRICE, -1.0, want, 0.0, px))
        return 0.0, True
    if cfg[C_LIMITS] > 0.0 and math.isfinite(limit_down):
        if abs(limit_px - limit_down) < LIMIT_TOL:
            _ev(cfg, events, (float(t), float(j), EV_LIMIT_DOWN, -1.0 - cfg[C_FILL_CLOSE], want, 0.0, limit_down))
            return 0.0, True
        if abs(opened - limit_down) < LIMIT_TOL and cfg[C_FILL_CLOSE] > 0.0:
            _ev(cfg, events, (float(t), float(j), EV_OPENED_AT_LIMIT, -1.0, want, want, limit_down))
    held = pos[j]
    qty = min(want, held)
    t1_hit = False
    if cfg[C_T1] > 0.0:
        sellable = held - locked[j]
        if qty > sellable + _EPS:
            _ev(cfg, events, (float(t), float(j), EV_T1, -1.0, qty, max(sellable, 0.0), locked[j]))
            qty = max(sellable, 0.0)
            t1_hit = True
    if cfg[C_PARTICIPATION] > 0.0:
        cap = math.floor(cfg[C_PARTICIPATION] * mkt_volume)
        if qty > cap + _EPS:
            _ev(cfg, events, (float(t), float(j), EV_VOLUME_CAP, -1.0, qty, cap, mkt_volume))
            qty = cap
    if cfg[C_LOTS] > 0.0:
        q2 = lot_round_sell(qty, held, min_buy, step)
        if q2 < qty - _EPS:
            _ev(cfg, events, (float(t), float(j), EV_LOT, -1.0, qty, q2, step))
        qty = q2
    if qty <= _EPS:
        return 0.0, t1_hit
    price = px * (1.0 - slip)
    value = qty * price
    comm = commission(value, cfg)
    if cfg[C_MIN_COMMISSION] > 0.0 and comm == cfg[C_MIN_COMMISSION] and value * cfg[C_COMMISSION] < comm:
        _ev(cfg, events, (float(t), float(j), EV_MIN_COMMISSION, -1.0, value * cfg[C_COMMISSION], comm, value))
    tax = value * stamp if cfg[C_STAMP] > 0.0 else 0.0
    tfee = transfer_fee(value, qty, transfer, per_share, fee_min) if cfg[C_TRANSFER] > 0.0 else 0.0
    fee = comm + tax + tfee
    cash[ci] += value - fee
    pos[j] = held - qty
    if pos[j] < _EPS:
        pos[j] = 0.0
    _tr(cfg, trades, (float(t), float(j), -1.0, qty, price, fee, comm, tax, tfee))
    return qty, t1_hit


@jit
def _buy(
    t,
    j,
    ci,
    want,
    px,
    limit_px,
    slip,
    mkt_volume,
    tradable,
    limit_up,
    transfer,
    per_share,
    fee_min,
    settle,
    min_buy,
    step,
    pos,
    locked,
    cash,
    cfg,
    opened,
    trades,
    events,
):
    """Buy up to ``want`` shares of code ``j`` within the cash available; returns shares bought.

    ``settle`` is the code's settlement lag that day (1: T+1, the shares are locked until the next session; 0: a
    T+0 fund, sellable at once). Transfer-fee arguments as in :func:`_sell`.
    """
    if cfg[C_SUSPENSIONS] > 0.0 and not tradable:
        _ev(cfg, events, (float(t), float(j), EV_SUSPENDED, 1.0, want, 0.0, px))
        return 0.0, True
    if not math.isfinite(px) or px <= 0.0:
        _ev(cfg, events, (float(t), float(j), EV_NO_PRICE, 1.0, want, 0.0, px))
        return 0.0, True
    if cfg[C_LIMITS] > 0.0 and math.isfinite(limit_up):
        if abs(limit_px - limit_up) < LIMIT_TOL:
            _ev(cfg, events, (float(t), float(j), EV_LIMIT_UP, 1.0 + cfg[C_FILL_CLOSE], want, 0.0, limit_up))
            return 0.0, True
        if abs(opened - limit_up) < LIMIT_TOL and cfg[C_FILL_CLOSE] > 0.0:
            _ev(cfg, events, (float(t), float(j), EV_OPENED_AT_LIMIT, 1.0, want, want, limit_up))
    qty = want
    all_in = not math.isfinite(want)
    if cfg[C_PARTICIPATION] > 0.0:
        cap = math.floor(cfg[C_PARTICIPATION] * mkt_volume)
        if qty > cap + _EPS:
            all_in = False
            _ev(cfg, events, (float(t), float(j), EV_VOLUME_CAP, 1.0, qty, cap, mkt_volume))
            qty = cap
    price = px * (1.0 + slip)
    tr = transfer if cfg[C_TRANSFER] > 0.0 else 0.0
    ps = per_share if cfg[C_TRANSFER] > 0.0 else 0.0
    reserve = fee_min if ps > 0.0 else 0.0  # the per-share fee's minimum, kept back so a small buy can pay it
    rate = cfg[C_COMMISSION] + tr
    afford = (cash[ci] - reserve) / (price * (1.0 + rate) + ps)
    if cfg[C_MIN_COMMISSION] > 0.0 and afford * price * cfg[C_COMMISSION] < cfg[C_MIN_COMMISSION]:
        afford = (cash[ci] - reserve - cfg[C_MIN_COMMISSION]) / (price * (1.0 + tr) + ps)
    afford = max(afford, 0.0)
    if all_in:
        qty = afford
    rounded_want = lot_round_buy(qty, min_buy, step) if cfg[C_LOTS] > 0.0 else qty
    if cfg[C_LOTS] > 0.0:
        if rounded_want < qty - _EPS and not all_in:
            _ev(cfg, events, (float(t), float(j), EV_LOT, 1.0, qty, rounded_want, step))
        qty = rounded_want
    if qty > afford + _EPS:
        q2 = lot_round_buy(afford, min_buy, step) if cfg[C_LOTS] > 0.0 else afford
        if cfg[C_LOTS] > 0.0 or q2 < qty * (1.0 - 1e-6):
            _ev(cfg, events, (float(t), float(j), EV_CASH, 1.0, qty, q2, cash[ci]))
        qty = q2
    if qty <= _EPS:
        return 0.0, False
    value = qty * price
    comm = commission(value, cfg)
    if cfg[C_MIN_COMMISSION] > 0.0 and comm == cfg[C_MIN_COMMISSION] and value * cfg[C_COMMISSION] < comm:
        _ev(cfg, events, (float(t), float(j), EV_MIN_COMMISSION, 1.0, value * cfg[C_COMMISSION], comm, value))
    tfee = transfer_fee(value, qty, tr, ps, fee_min)
    fee = comm + tfee
    cash[ci] -= value + fee
    pos[j] += qty
    if settle > 0.0:
        locked[j] += qty
    _tr(cfg, trades, (float(t), float(j), 1.0, qty, price, fee, comm, 0.0, tfee))
    return qty, False


@jit
def fill_orders(
    t,
    use_close,
    target_w,
    order_q,
    op,
    cl,
    volume,
    tradable,
    limit_up,
    limit_down,
    slip,
    stamp_sell,
    transfer,
    per_share,
    fee_min,
    t_plus,
    min_buy,
    step,
    pos,
    locked,
    cash,
    last_px,
    cfg,
    blocked,
    trades,
    events,
):
    """Execute session ``t``'s orders at the open (or close when ``use_close``).

    ``target_w[j]`` (fraction of equity, NaN = none) or ``order_q[j]`` (signed shares, used where
    ``target_w`` is NaN) per code. Sets ``blocked[j]`` when a limit or suspension stopped the order so the
    caller can retry it next session.
    """
    ci = 0
    n = pos.shape[0]
    px = cl[t] if use_close else op[t]
    equity = cash[ci]
    for j in range(n):
        if pos[j] != 0.0:
            p = px[j] if (tradable[t, j] and math.isfinite(px[j])) else last_px[j]
            equity += pos[j] * p
    delta = np.zeros(n)
    for j in range(n):
        blocked[j] = False
        if math.isfinite(target_w[j]):
            p = px[j] if math.isfinite(px[j]) and px[j] > 0.0 else last_px[j]
            if math.isfinite(p) and p > 0.0:
                delta[j] = target_w[j] * equity / p - pos[j]
            elif target_w[j] > 0.0:
                _ev(cfg, events, (float(t), float(j), EV_NO_PRICE, 1.0, 0.0, 0.0, p))
        elif order_q[j] != 0.0:
            delta[j] = order_q[j]
    for j in range(n):
        if delta[j] < -_EPS and pos[j] > _EPS:
            want = -delta[j]
            if cfg[C_LOTS] > 0.0 and math.isfinite(target_w[j]) and target_w[j] <= 0.0:
                want = pos[j]
            _got, blk = _sell(
                t,
                j,
                0,
                want,
                px[j],
                px[j],
                slip[t, j],
                volume[t, j],
                tradable[t, j],
                limit_down[t, j],
                stamp_sell[t, j],
                transfer[t, j],
                per_share[t, j],
                fee_min[t, j],
                min_buy[j],
                step[j],
                pos,
                locked,
                cash,
                cfg,
                op[t, j],
                trades,
                events,
            )
            blocked[j] = blk
    for j in range(n):
        if delta[j] > _EPS:
            _got, blk = _buy(
                t,
                j,
                0,
                delta[j],
                px[j],
                px[j],
                slip[t, j],
                volume[t, j],
                tradable[t, j],
                limit_up[t, j],
                transfer[t, j],
                per_share[t, j],
                fee_min[t, j],
                t_plus[t, j],
                min_buy[j],
                step[j],
                pos,
                locked,
                cash,
                cfg,
                op[t, j],
                trades,
                events,
            )
            blocked[j] = blk


@jit
def mark(t, cl, tradable, pos, cash, last_px):
    """Close-of-day equity; remembers the last traded close for suspended codes."""
    eq = cash[0]
    for j in range(pos.shape[0]):
        c = cl[t, j]
        if math.isfinite(c) and c > 0.0 and tradable[t, j]:
            last_px[j] = c
        if pos[j] != 0.0 and math.isfinite(last_px[j]):
            eq += pos[j] * last_px[j]
    return eq


@jit
def run_weights(
    weights,
    use_close,
    op,
    cl,
    volume,
    tradable,
    limit_up,
    limit_down,
    slip,
    preclose,
    adj_ratio,
    bonus,
    dividend,
    stamp_sell,
    transfer,
    per_share,
    fee_min,
    t_plus,
    min_buy,
    step,
    cash0,
    cfg,
    retry,
    trades,
    events,
):
    """Vectorized strategy: ``weights[t]`` is the target decided at day t's close (all-NaN row = no change).

    Returns (equity, cash, positions) per day. Blocked targets are retried next session when ``retry``.
    """
    T, n = cl.shape
    pos = np.zeros(n)
    locked = np.zeros(n)
    cash = np.array([cash0])
    last_px = np.full(n, np.nan)
    pending = np.full(n, np.nan)
    blocked = np.zeros(n, dtype=np.bool_)
    no_q = np.zeros(n)
    equity = np.zeros(T)
    cash_out = np.zeros(T)
    pos_out = np.zeros((T, n))
    for t in range(T):
        new_day(t, preclose, adj_ratio, bonus, dividend, pos, locked, cash, cfg, events)
        src = t if use_close else t - 1
        if src >= 0:
            row = weights[src]
            fresh = False
            for j in range(n):
                if math.isfinite(row[j]):
                    fresh = True
                    break
            if fresh:
                for j in range(n):
                    pending[j] = row[j]
        has = False
        for j in range(n):
            if math.isfinite(pending[j]):
                has = True
                break
        if has:
            fill_orders(
                t,
                use_close,
                pending,
                no_q,
                op,
                cl,
                volume,
                tradable,
                limit_up,
                limit_down,
                slip,
                stamp_sell,
                transfer,
                per_share,
                fee_min,
                t_plus,
                min_buy,
                step,
                pos,
                locked,
                cash,
                last_px,
                cfg,
                blocked,
                trades,
                events,
            )
            for j in range(n):
                if not (retry and blocked[j]):
                    pending[j] = np.nan
        equity[t] = mark(t, cl, tradable, pos, cash, last_px)
        cash_out[t] = cash[0]
        pos_out[t] = pos
    return equity, cash_out, pos_out


GRID_BLOCK = 32


@numba.njit(cache=True, nogil=True, parallel=True)
def run_signal_grid(
    entries,
    exits,
    col_stock,
    px,
    mark_px,
    opened,
    volume,
    tradable,
    limit_up,
    limit_down,
    slip,
    preclose,
    adj_ratio,
    stamp_sell,
    transfer,
    per_share,
    fee_min,
    t_plus,
    min_buy,
    step,
    cash0,
    cfg,
    trades,
    events,
):
    """Many independent single-stock portfolios at once (a parameter sweep), through the same fills.

    Column ``c`` of ``entries``/``exits`` (days × columns, bool) trades stock ``col_stock[c]`` with its own
    cash. Semantics match vectorbt ``Portfolio.from_signals`` with ``size=inf``: an entry buys with all
    cash when flat, an exit sells the whole position, a bar with both is ignored. Returns final equity per
    column (cash plus shares at the last ``mark_px``). Columns are processed in blocks in parallel.
    Distributions on ex-dates are credited as cash here (a sweep compares parameters, not share counts).
    """
    T, C = entries.shape
    out = np.empty(C)
    nblocks = (C + GRID_BLOCK - 1) // GRID_BLOCK
    for b in numba.prange(nblocks):
        c0 = b * GRID_BLOCK
        c1 = min(C, c0 + GRID_BLOCK)
        m = c1 - c0
        pos = np.zeros(m)
        locked = np.zeros(m)
        cash = np.full(m, cash0)
        last = np.full(m, np.nan)
        for t in range(T):
            for k in range(m):
                c = c0 + k
                s = col_stock[c]
                locked[k] = 0.0
                if cfg[C_CORP] > 0.0 and pos[k] > 0.0 and adj_ratio[t, s] > 1.0 and math.isfinite(preclose[t, s]):
                    cash[k] += pos[k] * preclose[t, s] * (adj_ratio[t, s] - 1.0)
                en = entries[t, c]
                ex = exits[t, c]
                if ex and not en and pos[k] > 0.0:
                    _sell(
                        t,
                        k,
                        k,
                        pos[k],
                        px[t, s],
                        px[t, s],
                        slip[t, s],
                        volume[t, s],
                        tradable[t, s],
                        limit_down[t, s],
                        stamp_sell[t, s],
                        transfer[t, s],
                        per_share[t, s],
                        fee_min[t, s],
                        min_buy[s],
                        step[s],
                        pos,
                        locked,
                        cash,
                        cfg,
                        opened[t, s],
                        trades,
                        events,
                    )
                elif en and not ex and pos[k] == 0.0:
                    _buy(
                        t,
                        k,
                        k,
                        np.inf,
                        px[t, s],
                        px[t, s],
                        slip[t, s],
                        volume[t, s],
                        tradable[t, s],
                        limit_up[t, s],
                        transfer[t, s],
                        per_share[t, s],
                        fee_min[t, s],
                        t_plus[t, s],
                        min_buy[s],
                        step[s],
                        pos,
                        locked,
                        cash,
                        cfg,
                        opened[t, s],
                        trades,
                        events,
                    )
                p = mark_px[t, s]
                if math.isfinite(p) and p > 0.0:
                    last[k] = p
        for k in range(m):
            out[c0 + k] = cash[k] + (pos[k] * last[k] if pos[k] != 0.0 else 0.0)
    return out
