"""The point-in-time inputs of a diagnosis: everything the market knew on day D, as date × code panels.

One snapshot serves every stock of that day, so the scorers run vectorized over the cross-section. Only rows
with ``date <= D`` are read, fundamentals only if announced on or before D, and prices are forward-adjusted
(qfq) with the adjustment factor of each code's last bar on or before D — so data arriving later (new bars,
new reports, new dividends) cannot change a snapshot of D.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.core.models import board_of
from tandem.diagnosis.universe import stock_codes
from tandem.marketdata.store import MarketStore

BENCHMARK = "000300.SH"
LOOKBACK_DAYS = 5 * 365 + 10
FUND_YEARS = 4
FUND_FIELDS = (
    "roe_avg",
    "np_margin",
    "gp_margin",
    "yoy_ni",
    "revenue",
    "total_share",
    "debt_ratio",
    "cfo_to_np",
    "sina_cf_to_net_profit",
)
"""Fundamental fields the scorers read, from reports of the last ``FUND_YEARS`` years (older ones are stale)."""
_BAR_FIELDS = (
    "close",
    "high",
    "low",
    "preclose",
    "volume",
    "amount",
    "pe_ttm",
    "pb_mrq",
    "ps_ttm",
    "is_st",
    "suspended",
    "adj_factor",
)


PANELS = (
    "close",
    "high",
    "low",
    "raw_close",
    "raw_preclose",
    "volume",
    "amount",
    "pe",
    "pb",
    "ps",
    "is_st",
    "suspended",
)
"""The date × code panels of a :class:`Snapshot`."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Panels (rows = trading days oldest first, columns = codes) and per-code reference data as of ``day``.

    ``close``/``high``/``low`` are qfq-adjusted at ``day`` with suspended rows set to NaN (indicators skip them);
    ``raw_close``/``raw_preclose`` are unadjusted, for limit-price checks. ``fund`` is long-format fundamentals
    (code, field, value, report_period, announce_date, rank 1 = latest report announced by ``day``).
    """

    as_of: date
    day: date
    close: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    raw_close: pd.DataFrame
    raw_preclose: pd.DataFrame
    volume: pd.DataFrame
    amount: pd.DataFrame
    pe: pd.DataFrame
    pb: pd.DataFrame
    ps: pd.DataFrame
    is_st: pd.DataFrame
    suspended: pd.DataFrame
    bench: pd.Series
    ref: pd.DataFrame
    fund: pd.DataFrame
    flow: pd.DataFrame

    @property
    def codes(self) -> list[str]:
        """Codes in the cross-section."""
        return [str(c) for c in self.close.columns]

    def subset(self, codes: list[str]) -> Snapshot:
        """The same snapshot restricted to ``codes`` (for chunked, parallel metric computation)."""
        panels = {name: getattr(self, name)[codes] for name in PANELS}
        return replace(
            self,
            **panels,
            ref=self.ref.loc[codes],
            fund=self.fund[self.fund["code"].isin(codes)],
            flow=self.flow[self.flow["code"].isin(codes)] if len(self.flow) else self.flow,
        )

    def tail(self, sessions: int) -> Snapshot:
        """The same snapshot keeping only the last ``sessions`` rows of each panel (what a finished report needs).

        A cached market table holds this instead of the five-year panels, so a cached day costs a fraction of the
        memory; scoring itself always runs on the full snapshot.
        """
        panels = {name: getattr(self, name).iloc[-sessions:] for name in PANELS}
        return replace(self, **panels, bench=self.bench.iloc[-sessions:])


def _pivot(long: pd.DataFrame, dates: pd.DatetimeIndex, codes: pd.Index, col: str) -> pd.DataFrame:
    out = np.full((len(dates), len(codes)), np.nan)
    out[long["_di"].to_numpy(), long["_ci"].to_numpy()] = long[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame(out, index=dates, columns=codes)


def load_snapshot(store: MarketStore, as_of: date, *, lookback_days: int = LOOKBACK_DAYS) -> Snapshot:
    """Read the point-in-time panels for every stock as of ``as_of`` (one SQL scan, pivoted with numpy).

    Only stocks (:func:`~tandem.diagnosis.universe.stock_codes`) enter the cross-section: funds and ETFs in
    ``daily_bars`` would otherwise take part in every percentile and rank.
    """
    start = as_of - timedelta(days=lookback_days)
    long = store.bars_between(stock_codes(store), start, as_of, list(_BAR_FIELDS))
    if long.empty:
        raise UserError(
            f"the store has no daily bars of stocks on or before {as_of} (within {lookback_days} days); "
            "pick a later --as-of or import bars with `tandem data import`"
        )
    long["date"] = pd.to_datetime(long["date"])
    dates = pd.DatetimeIndex(np.unique(long["date"].to_numpy()))
    codes = pd.Index(np.unique(long["code"].to_numpy().astype(str)))
    long["_di"] = dates.get_indexer(pd.DatetimeIndex(long["date"]))
    long["_ci"] = codes.get_indexer(pd.Index(long["code"]))
    p = {c: _pivot(long, dates, codes, c) for c in _BAR_FIELDS}
    susp = p["suspended"].fillna(0.0) > 0
    traded = p["close"].notna() & ~susp
    last_factor = p["adj_factor"].ffill().iloc[-1]
    scale = p["adj_factor"] / last_factor
    adj = {k: (p[k] * scale).where(traded) for k in ("close", "high", "low")}
    return Snapshot(
        as_of=as_of,
        day=dates[-1].date(),
        close=adj["close"],
        high=adj["high"],
        low=adj["low"],
        raw_close=p["close"],
        raw_preclose=p["preclose"],
        volume=p["volume"].where(traded),
        amount=p["amount"].where(traded),
        pe=p["pe_ttm"].where(traded),
        pb=p["pb_mrq"].where(traded),
        ps=p["ps_ttm"].where(traded),
        # ST status from the store's dated periods: the answer MarketStore.rules_for and the backtester give too
        is_st=pd.DataFrame(store.st_flags(list(codes), dates.to_numpy()), index=dates, columns=codes),
        suspended=susp,
        bench=_bench(store, start, as_of).reindex(dates),
        ref=_reference(store, codes, dates[-1].date()),
        fund=_fundamentals(store, as_of),
        flow=_capital_flow(store, dates[max(0, len(dates) - 20)].date(), as_of),
    )


def _bench(store: MarketStore, start: date, end: date) -> pd.Series:
    return store.index_close(BENCHMARK, start, end)


def _reference(store: MarketStore, codes: pd.Index, as_of: date) -> pd.DataFrame:
    """Names, boards and the industry in force on ``as_of`` (``store.industry_asof``, the screener's rule too).

    ``industry_system``/``industry_snapshot``/``industry_backfilled`` say which classification list grouped the
    peers, so the industry dimension can show it, and flag a list published after ``as_of``.
    """
    inst = store.instruments().set_index("code")
    ref = inst.reindex(codes)[["name", "list_date", "delist_date"]].copy()
    ref["name"] = ref["name"].where(ref["name"].notna() & (ref["name"] != ref.index.to_series()), None)
    ind = store.industry_asof(as_of).set_index("code").reindex(codes)
    ref["industry"] = pd.Series([v if isinstance(v, str) else None for v in ind["industry"]], codes, dtype=object)
    ref["industry_system"] = pd.Series([v if isinstance(v, str) else None for v in ind["system"]], codes, dtype=object)
    ref["industry_snapshot"] = ind["snapshot_date"]
    ref["industry_backfilled"] = ind["backfilled"].fillna(False).astype(bool)
    ref["board"] = [board_of(c).value for c in codes]
    ref["st_since"] = _st_since(store, codes, as_of)
    return ref


def _st_since(store: MarketStore, codes: pd.Index, day: date) -> pd.Series:
    """First day of the ST period each code is in on ``day`` (NaT when it is not under risk warning that day)."""
    periods = store.st_periods()
    if periods.empty:
        return pd.Series(pd.NaT, index=codes, dtype="datetime64[ns]")
    t = pd.Timestamp(day)
    on = periods[(pd.to_datetime(periods["start"]) <= t) & (pd.to_datetime(periods["end"]) >= t)]
    return pd.to_datetime(on.drop_duplicates("code", keep="last").set_index("code")["start"]).reindex(codes)


def _fundamentals(store: MarketStore, as_of: date) -> pd.DataFrame:
    """The last six report periods per code and field known on ``as_of`` (rank 1 = latest period).

    The store applies the one point-in-time rule (:mod:`tandem.marketdata.pit`): when a period was reported
    more than once (a restatement, or another source), the latest announcement on or before ``as_of`` wins, so
    ranks count periods, not sources, and rank 1 is what the screener and backtests see for the same day.
    """
    return store.fundamentals_ranked(
        as_of, fields=list(FUND_FIELDS), since=as_of - timedelta(days=FUND_YEARS * 366), depth=6
    )


def _capital_flow(store: MarketStore, start: date, end: date) -> pd.DataFrame:
    """Level-2 capital flow of the last 20 sessions, summed per code and order-size class."""
    return store.capital_flow_summary(start, end)
