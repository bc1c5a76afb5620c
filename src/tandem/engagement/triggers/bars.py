"""Read one new session's bars from the market store, with the rulebook's limit prices and recent volume.

One set-based read of the last ``lookback + 1`` sessions of every stock; everything after is column-wise
numpy. Limit prices come from :func:`tandem.core.rulebook.price_limit_pct_array` with each stock's session
number since listing, so an IPO's no-limit days are not reported as limit hits.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.core.rulebook import limit_prices, price_limit_pct_array
from tandem.engagement.triggers.records import SessionBars
from tandem.marketdata.store import MarketStore

FIELDS = ["open", "high", "low", "close", "preclose", "volume", "is_st", "suspended"]


def session_bars(store: MarketStore, day: date, *, lookback: int = 20) -> SessionBars:
    """The bars of session ``day`` for every stock that traded, with previous range, mean volume and limits."""
    inst = store.instruments("stock")
    codes = sorted(str(c) for c in inst["code"])
    sessions = store.session_days(codes)
    if not len(sessions) or np.datetime64(day, "D") not in sessions:
        last = pd.Timestamp(sessions[-1]).date().isoformat() if len(sessions) else "none"
        raise UserError(f"{day.isoformat()} is not a session in the market store (last session: {last})")
    i = int(np.searchsorted(sessions, np.datetime64(day, "D")))
    start = pd.Timestamp(sessions[max(0, i - lookback)]).date()
    frame = store.bars_between(codes, start, day, FIELDS)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    today = frame[(frame["date"] == day) & ~frame["suspended"].fillna(False).astype(bool)].set_index("code")
    before = frame[frame["date"] < day].sort_values(["code", "date"])
    prev = before.groupby("code").tail(1).set_index("code").reindex(today.index)
    avg = before.groupby("code")["volume"].mean().reindex(today.index)
    meta = inst.set_index("code").reindex(today.index)
    list_dates = pd.to_datetime(meta["list_date"]).to_numpy().astype("datetime64[D]")
    session_no = _session_numbers(sessions, list_dates, day)
    pct = price_limit_pct_array(
        meta["board"].fillna("").to_numpy(), np.full(len(today), np.datetime64(day, "D")),
        today["is_st"].fillna(False).to_numpy(dtype=bool), session_no, list_dates,
    )  # fmt: skip
    preclose = today["preclose"].to_numpy(dtype=np.float64)
    up, down = limit_prices(preclose, pct)
    return SessionBars(
        day=day,
        codes=today.index.to_numpy().astype(str),
        names=meta["name"].fillna(pd.Series(today.index, index=today.index)).to_numpy().astype(str),
        open=today["open"].to_numpy(dtype=np.float64),
        high=today["high"].to_numpy(dtype=np.float64),
        low=today["low"].to_numpy(dtype=np.float64),
        close=today["close"].to_numpy(dtype=np.float64),
        preclose=preclose,
        volume=today["volume"].to_numpy(dtype=np.float64),
        avg_volume=avg.to_numpy(dtype=np.float64),
        prev_high=prev["high"].to_numpy(dtype=np.float64),
        prev_low=prev["low"].to_numpy(dtype=np.float64),
        limit_up=up,
        limit_down=down,
    )


def _session_numbers(sessions: np.ndarray, list_dates: np.ndarray, day: date) -> np.ndarray:
    """1 on the listing session, 2 the next …; a large number when the listing date is unknown."""
    end = int(np.searchsorted(sessions, np.datetime64(day, "D"), side="right"))
    known = ~np.isnat(list_dates)
    first = np.searchsorted(sessions, np.where(known, list_dates, sessions[0]))
    return np.where(known, end - first, 10_000).astype(np.int64)
