"""Market panels for the execution core: raw prices, flags and the dated rules as date × code arrays.

Approach to adjustments (documented once, used everywhere): the simulator trades on **raw** prices, so lot
sizes, the 0.01 tick and the limit-up/limit-down prices (computed from the raw previous close) keep their
real meaning. Cash dividends and bonus/split shares are credited on each ex-date from the ratio of the
cumulative hfq adjustment factor, ``r = adj_factor[t] / adj_factor[t-1]`` (see ``_core.new_day``): the
holder of ``q`` shares is owed ``q * preclose[t] * (r - 1)`` of value, which keeps a held position's value
equal to the hfq series. The factor tells the value of a distribution but not its form, so ratios of
10% or more (送转/splits: 10送3 gives r≈1.3) are credited as whole shares with the remainder in cash and
smaller ratios as cash (dividend tax is not modelled).

Everything a rule needs per (day, code) is precomputed here from :mod:`tandem.core.rulebook` with its
vectorised helpers, so the compiled loop only reads arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.backtest import distributions
from tandem.core import rulebook
from tandem.core.errors import UserError, ValidationFailed
from tandem.core.models import Board, FundType, board_of, normalize_code
from tandem.marketdata import calendar
from tandem.marketdata.fund_types import fund_type_of
from tandem.marketdata.store import MarketStore

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_FIELDS = ("open", "high", "low", "close", "preclose", "volume", "is_st", "suspended", "adj_factor")


@dataclass(frozen=True)
class MarketData:
    """Date × code arrays the simulator consumes (rows = trading days oldest first)."""

    dates: npt.NDArray[np.datetime64]
    codes: tuple[str, ...]
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    preclose: FloatArray
    volume: FloatArray
    tradable: BoolArray
    limit_up: FloatArray
    limit_down: FloatArray
    adj_ratio: FloatArray
    stamp_sell: FloatArray  # sell-side stamp duty per (day, code), 0 for exempt funds
    transfer_fee: FloatArray  # transfer fee rate per (day, code), 0 for exempt funds
    min_buy: FloatArray
    lot_step: FloatArray
    transfer_per_share: FloatArray  # yuan per share (SSE before 2015-08-01), 0 elsewhere and for funds
    transfer_min: FloatArray  # that fee's per-trade minimum in yuan
    t_plus: FloatArray  # settlement lag per (day, code): 1 = T+1, 0 = T+0 (bond/gold/cross-border/money ETFs)
    bonus_shares: FloatArray  # bonus shares per share held on an ex-date; NaN = form unknown (value credit)
    cash_dividend: FloatArray  # cash per share held on an ex-date where bonus_shares is finite
    adj_cum: FloatArray  # cumulative adjustment factor (1 on the first row): close * adj_cum is back-adjusted

    @property
    def shape(self) -> tuple[int, int]:
        """(days, codes)."""
        return self.close.shape  # type: ignore[return-value]

    def index(self) -> pd.DatetimeIndex:
        """The trading days as a pandas index."""
        return pd.DatetimeIndex(self.dates, name="date")

    def day(self, i: int) -> date:
        """Row ``i`` as a date."""
        return pd.Timestamp(self.dates[i]).date()

    def frame(self, values: npt.ArrayLike) -> pd.DataFrame:
        """Wrap a date × code array in a DataFrame."""
        return pd.DataFrame(np.asarray(values), index=self.index(), columns=list(self.codes))

    def until(self, i: int) -> MarketData:
        """The market as known at row ``i``'s close: every per-day array ends at row ``i`` (read-only views).

        What strategies are given, so that no later row can be read (no look-ahead by construction); O(1), the
        arrays are not copied.
        """
        if not 0 <= i < self.shape[0]:
            raise ValidationFailed(f"row {i} is outside the market's {self.shape[0]} days")
        cut: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray) and f.name not in _PER_CODE:
                view = v[: i + 1]
                view.flags.writeable = False
                cut[f.name] = view
        return replace(self, **cut)  # type: ignore[arg-type]


_PER_CODE = frozenset({"min_buy", "lot_step"})  # one value per code, not per day: never cut by ``until``
_NO_IPO_WINDOW = 1_000_000


def _session_numbers(dates: npt.NDArray[np.datetime64], list_dates: npt.NDArray[np.datetime64]) -> FloatArray:
    """1-based session count since each code's listing date on the exchange calendar (as ``MarketStore.rules_for``).

    Counted from the listing date, never from the backtest's first row, so the IPO window does not depend on
    ``--start``. An unknown listing date (NaT) gives a count far past every IPO window: ordinary limits.
    """
    day_idx = calendar.session_index(dates).astype(np.float64)
    known = ~np.isnat(list_dates)
    list_idx = np.where(known, calendar.session_index(np.where(known, list_dates, dates[:1])), 0).astype(np.float64)
    sessions = day_idx[:, None] - list_idx[None, :] + 1.0
    return np.where(known[None, :], sessions, float(_NO_IPO_WINDOW))


def build_market(
    dates: npt.ArrayLike,
    codes: Sequence[str],
    fields: Mapping[str, npt.ArrayLike],
    *,
    list_dates: Sequence[date | None] | None = None,
    fund_types: Sequence[FundType | None] | None = None,
) -> MarketData:
    """Assemble :class:`MarketData` from raw date × code panels (NaN where a code has no bar).

    ``fields`` holds ``open, high, low, close, preclose, volume`` and optionally ``is_st, suspended,
    adj_factor``. ``list_dates[j]`` is code j's listing date (``None`` = unknown: ordinary limits, never none);
    ``fund_types[j]`` the product type of a fund (``None`` = the ordinary equity-ETF rule).
    """
    d = np.asarray(dates, dtype="datetime64[D]")
    shape = (len(d), len(codes))
    arr: dict[str, FloatArray] = {}
    for name in _FIELDS:
        if name in fields:
            a = np.asarray(fields[name], dtype=np.float64)
            if a.shape != shape:
                raise ValidationFailed(f"market field {name}: shape {a.shape} does not match {shape} (days × codes)")
            arr[name] = a
    missing = {"open", "close", "preclose", "volume"} - set(arr)
    if missing:
        raise ValidationFailed(f"market data lacks {sorted(missing)}; load bars with those fields")
    has_bar = np.isfinite(arr["close"]) & np.isfinite(arr["open"])
    suspended = np.nan_to_num(arr.get("suspended", np.zeros(shape)), nan=1.0) > 0
    tradable = has_bar & ~suspended & (np.nan_to_num(arr["volume"]) > 0)
    boards = np.array([board_of(c).value for c in codes])
    b2 = np.broadcast_to(boards[None, :], shape)
    d2 = np.broadcast_to(d[:, None], shape)
    st = np.nan_to_num(arr.get("is_st", np.zeros(shape)), nan=0.0) > 0
    ld = np.array(
        [
            np.datetime64(x, "D") if x is not None else np.datetime64("NaT", "D")
            for x in (list_dates or [None] * len(codes))
        ],
        dtype="datetime64[D]",
    )
    if ld.shape != (len(codes),):
        raise ValidationFailed(f"list_dates has {ld.shape[0]} entries for {len(codes)} codes")
    sessions = _session_numbers(d, ld)
    ft = np.array([(f.value if f is not None else "") for f in (fund_types or [None] * len(codes))])
    pct = rulebook.price_limit_pct_array(
        b2, d2, st, sessions, np.broadcast_to(ld[None, :], shape), np.broadcast_to(ft[None, :], shape)
    )
    last_day = date.fromisoformat(str(d[-1])) if len(d) else date.today()
    ticks = np.array([rulebook.tick_of(board_of(c), last_day) for c in codes])
    up, down = rulebook.limit_prices(arr["preclose"], pct, ticks[None, :])
    adj = arr.get("adj_factor", np.ones(shape))
    adj = pd.DataFrame(adj).ffill().to_numpy()
    ratio = np.ones(shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio[1:] = adj[1:] / adj[:-1]
    ratio = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
    is_fund = boards == Board.FUND.value
    bonus, dividend = distributions.infer_distributions(
        distributions.previous_close(arr["close"]), arr["preclose"], ratio, is_fund
    )
    per_share, fee_min = rulebook.per_share_fee_panel(tuple(codes), d)
    lots = [rulebook.lot_rule(board_of(c), date.fromisoformat(str(d[-1])) if len(d) else date.today()) for c in codes]
    return MarketData(
        dates=d,
        codes=tuple(codes),
        open=arr["open"],
        high=arr.get("high", arr["close"]),
        low=arr.get("low", arr["close"]),
        close=arr["close"],
        preclose=arr["preclose"],
        volume=np.nan_to_num(arr["volume"], nan=0.0),
        tradable=tradable,
        limit_up=up,
        limit_down=down,
        adj_ratio=ratio,
        stamp_sell=rulebook.fee_rate_panel("stamp_duty", tuple(codes), d),
        transfer_fee=rulebook.fee_rate_panel("transfer_fee", tuple(codes), d),
        min_buy=np.array([float(lot.min_buy) for lot in lots]),
        lot_step=np.array([float(lot.step) for lot in lots]),
        transfer_per_share=per_share,
        transfer_min=fee_min,
        t_plus=rulebook.t_plus_panel(tuple(codes), d, list(fund_types) if fund_types is not None else None),
        bonus_shares=bonus,
        cash_dividend=dividend,
        adj_cum=np.cumprod(ratio, axis=0).astype(np.float64),
    )


def _fund_reference(store: MarketStore) -> dict[str, tuple[str | None, str | None]]:
    """Bare fund code → (name, category) from the store's fund list (codes there carry no exchange suffix)."""
    funds = store.funds()
    return {
        str(c): (str(n) if n is not None else None, str(t) if t is not None else None)
        for c, n, t in zip(funds["code"], funds["name"], funds["fund_type"], strict=True)
    }


def load_market(
    store: MarketStore,
    codes: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> MarketData:
    """Raw daily bars of ``codes`` (all stocks with bars when ``None``) between ``start`` and ``end``.

    Raises :class:`UserError` for an unknown code or a date range with no bars.
    """
    all_bars = store.instruments(kind="stock")
    known = set(all_bars["code"]) if len(all_bars) else set()
    if codes is None:
        wanted = sorted(known)
    else:
        wanted = []
        for raw in codes:
            code = normalize_code(raw)
            if known and code not in known:
                store.instrument(code)  # raises NotFoundError with a suggestion
            wanted.append(code)
    if not wanted:
        raise UserError("no stocks in the store; import daily bars first (tandem data import …)")
    # ST status comes from the store's dated periods (the same answer as MarketStore.rules_for), not the bar column
    frames = {name: store.panel(name, wanted, start, end) for name in _FIELDS if name != "is_st"}
    close = frames["close"]
    if close.empty:
        info = store.info()
        raise UserError(
            f"no bars between {start or 'the beginning'} and {end or 'the end'} for the chosen codes; "
            f"the store holds {info.get('first_date')} … {info.get('last_date')}"
        )
    idx = close.index
    insts = store.instruments().set_index("code")
    list_dates: list[date | None] = []
    fund_types: list[FundType | None] = []
    fund_rows = _fund_reference(store) if any(board_of(c) == Board.FUND for c in wanted) else {}
    for c in wanted:
        row = insts.loc[c] if c in insts.index else None
        ld = row["list_date"] if row is not None else None
        list_dates.append(pd.Timestamp(ld).date() if ld is not None and not pd.isna(ld) else None)
        if board_of(c) != Board.FUND:
            fund_types.append(None)
            continue
        name, category = fund_rows.get(c.partition(".")[0], (None, None))
        fund_types.append(fund_type_of(category, name or (str(row["name"]) if row is not None else None)))
    data = {name: f.reindex(index=idx, columns=wanted).to_numpy(dtype=np.float64) for name, f in frames.items()}
    data["is_st"] = store.st_flags(wanted, idx.to_numpy()).astype(np.float64)
    return build_market(
        idx.to_numpy(),  # type: ignore[arg-type]
        wanted,
        data,
        list_dates=list_dates,
        fund_types=fund_types,
    )
