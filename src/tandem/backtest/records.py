"""Turn the core's numeric trade and rule-event tuples into readable tables.

The compiled loop cannot build strings, so it records events as float tuples
``(day, code, kind, side, requested, result, extra)``; this module names the rule and writes the detail
sentence, e.g. ``buy blocked at limit-up on 2020-02-04``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from numba import types
from numba.typed import List

from tandem.backtest import _core as c
from tandem.backtest.market import MarketData

TRADE_TUPLE = types.UniTuple(types.float64, 9)  # type: ignore[no-untyped-call]
EVENT_TUPLE = types.UniTuple(types.float64, 7)  # type: ignore[no-untyped-call]

TRADE_COLUMNS = ["date", "code", "side", "qty", "price", "fee", "commission", "stamp_duty", "transfer_fee"]
EVENT_COLUMNS = ["date", "code", "rule", "detail"]


def new_lists() -> tuple[List, List]:  # type: ignore[type-arg]
    """Empty typed lists for trades and events."""
    return List.empty_list(TRADE_TUPLE), List.empty_list(EVENT_TUPLE)


def _side(s: float) -> str:
    return "buy" if s > 0 else "sell"  # |s| may be 2 for close fills


def _at(side: float) -> str:
    """Limit events carry the fill time in |side|: 1 = at the open, 2 = at the close."""
    return "closed" if abs(side) > 1.5 else "opened"


def _px(x: float) -> str:
    """A price to its tick: 0.01 for A shares, 0.001 where the price needs it (funds)."""
    return f"{x:.2f}" if abs(x * 100.0 - round(x * 100.0)) < 1e-6 else f"{x:.3f}"


def _q(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.4f}"


_Detail = Callable[[str, float, float, float, float], str]

_RULES: dict[float, tuple[str, _Detail]] = {
    c.EV_SUSPENDED: ("suspended", lambda d, s, a, b, x: f"{_side(s)} blocked: suspended on {d}"),
    c.EV_LIMIT_UP: (
        "limit_up",
        lambda d, s, a, b, x: f"buy blocked at limit-up on {d} ({_at(s)} at the limit {_px(x)})",
    ),
    c.EV_LIMIT_DOWN: (
        "limit_down",
        lambda d, s, a, b, x: f"sell blocked at limit-down on {d} ({_at(s)} at the limit {_px(x)})",
    ),
    c.EV_T1: (
        "t_plus_one",
        lambda d, s, a, b, x: (
            f"sell of {_q(a)} on {d} cut to {_q(b)}: {_q(x)} shares bought today are not "
            "sellable until the next session (T+1)"
        ),
    ),
    c.EV_LOT: ("lot", lambda d, s, a, b, x: f"{_side(s)} of {_q(a)} on {d} rounded to {_q(b)} (lot step {_q(x)})"),
    c.EV_VOLUME_CAP: (
        "volume_cap",
        lambda d, s, a, b, x: f"{_side(s)} of {_q(a)} on {d} capped at {_q(b)} (participation of volume {_q(x)})",
    ),
    c.EV_CASH: ("cash", lambda d, s, a, b, x: f"buy of {_q(a)} on {d} reduced to {_q(b)} by cash {x:,.2f}"),
    c.EV_MIN_COMMISSION: (
        "min_commission",
        lambda d, s, a, b, x: (
            f"{_side(s)} on {d}: commission {a:.2f} raised to the {b:.0f}-yuan minimum (trade value {x:,.2f})"
        ),
    ),
    c.EV_OPENED_AT_LIMIT: (
        "opened_at_limit",
        lambda d, s, a, b, x: f"{_side(s)} on {d}: opened at the limit {_px(x)} but traded away; filled at close",
    ),
    c.EV_DIVIDEND: (
        "dividend",
        lambda d, s, a, b, x: (
            f"ex-date {d}: cash distribution {b:,.2f} credited on {_q(a)} shares (adj factor ratio {x:.6f})"
        ),
    ),
    c.EV_BONUS_SHARES: (
        "bonus_shares",
        lambda d, s, a, b, x: (
            f"ex-date {d}: {_q(a)} bonus/split shares plus {b:,.2f} cash credited (adj factor ratio {x:.6f})"
        ),
    ),
    c.EV_NO_PRICE: ("no_price", lambda d, s, a, b, x: f"{_side(s)} skipped on {d}: no price for this code that day"),
}


def trades_frame(rows: Sequence[tuple[float, ...]], market: MarketData) -> pd.DataFrame:
    """Trades as a table: date, code, side, qty, price, fee (+ fee breakdown)."""
    if len(rows) == 0:
        return pd.DataFrame(columns=TRADE_COLUMNS)
    a = np.array(list(rows), dtype=np.float64)
    t, j = a[:, 0].astype(int), a[:, 1].astype(int)
    return pd.DataFrame(
        {
            "date": [market.day(i) for i in t],
            "code": [market.codes[i] for i in j],
            "side": np.where(a[:, 2] > 0, "buy", "sell"),
            "qty": a[:, 3],
            "price": a[:, 4],
            "fee": a[:, 5],
            "commission": a[:, 6],
            "stamp_duty": a[:, 7],
            "transfer_fee": a[:, 8],
        }
    )


def events_frame(rows: Sequence[tuple[float, ...]], market: MarketData) -> pd.DataFrame:
    """Rule events as a table: date, code, rule, detail."""
    out = []
    for t, j, kind, side, a, b, x in rows:
        day = market.day(int(t))
        name, detail = _RULES[kind]
        out.append((day, market.codes[int(j)], name, detail(day.isoformat(), side, a, b, x)))
    return pd.DataFrame(out, columns=EVENT_COLUMNS)
