"""Row checks for daily bars, vectorised over the whole frame (no Python loop per row).

Checks: unparsable values, non-positive prices, OHLC consistency, duplicate keys, days outside the XSHG calendar,
moves beyond the day's price limit (board, ST status and IPO window from the dated rulebook), and gaps (trading days
missing between a code's first and last row). Every finding is a :class:`Problem` addressed to a source line;
rows with errors are quarantined, gaps are reported but quarantine nothing (there is no row to remove).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from tandem.core.rulebook import limit_prices, price_limit_pct_array
from tandem.marketdata import calendar
from tandem.marketdata.csvio import Problem

PRICE_COLUMNS = ("open", "high", "low", "close")
_LIMIT_SLACK = 0.011  # one tick of tolerance plus float noise
_POS = pl.int_range(pl.len(), dtype=pl.Int64)
_RESUMED_LISTING_RUN = 20  # suspended sessions before a first traded day that is treated as a resumed listing


def _emit(problems: list[Problem], frame: pl.DataFrame, mask: pl.Series, field: str, msg: pl.Series | str) -> None:
    """Append one problem per masked row, addressed by the frame's ``_file`` and ``_line`` columns."""
    if not mask.any():
        return
    lines = frame.get_column("_line").filter(mask).to_list()
    files = frame.get_column("_file").filter(mask).to_list()
    msgs = [msg] * len(lines) if isinstance(msg, str) else msg.filter(mask).to_list()
    problems.extend(Problem(f, ln, field, m) for f, ln, m in zip(files, lines, msgs, strict=True))


def check_parsed(
    raw: pl.DataFrame,
    typed: pl.DataFrame,
    columns: dict[str, str],
    problems: list[Problem],
    *,
    date_format: str = "YYYY-MM-DD",
) -> pl.Series:
    """Flag values present in the source that did not parse; ``columns`` maps typed name → source name.

    One pass computes every column's failure mask; messages are built only for the (rare) failing rows.
    """
    if typed.height == 0:
        return pl.Series("bad", [], pl.Boolean)
    pairs = [
        (n, s) for n, s in columns.items() if n in typed.columns and s in raw.columns and raw.schema[s] == pl.String
    ]
    masks = pl.DataFrame(
        {
            n: (raw.get_column(s).is_not_null() & (raw.get_column(s) != "") & typed.get_column(n).is_null())
            for n, s in pairs
        }
    )
    if not pairs:
        return pl.Series("bad", [False] * typed.height)
    any_bad = masks.select(pl.any_horizontal(pl.all())).to_series()
    if not any_bad.any():
        return any_bad.alias("bad")
    for name, src in pairs:
        failed = masks.get_column(name)
        if not failed.any():
            continue
        vals = raw.get_column(src).filter(failed)
        what = (
            f"is not a date (expected {date_format})"
            if typed.schema[name] in (pl.Date, pl.Datetime)
            else ("is not a number")
        )
        msgs = ("'" + vals + "' " + what).fill_null(what)
        _emit(problems, typed, failed, name, _expand(failed, msgs))
    return any_bad.alias("bad")


def _expand(mask: pl.Series, values: pl.Series) -> pl.Series:
    """Scatter ``values`` (one per true in ``mask``) back to full length so :func:`_emit` can filter them."""
    out = pl.Series("m", [""] * mask.len(), pl.String)
    return out.scatter(mask.arg_true(), values)


def check_bars(
    bars: pl.DataFrame, problems: list[Problem], *, check_limits: bool = True, ipo_free_sessions: int = 5
) -> pl.Series:
    """Validate typed daily bars (``code, date, open, high, low, close, preclose, volume, is_st, suspended, _line``).

    Returns a boolean mask of rows to quarantine and appends problems. ``ipo_free_sessions``: a code whose first row
    in this batch is later than the batch's first day may be a new listing; its first sessions are not limit-checked.
    The first traded day after a long suspension (a resumed listing, e.g. 000792.SZ on 2021-08-10) has no limit
    either. Codes are integer-coded once and rows put in (code, date) order once (no sort at all when the batch
    already is in that order, as files of one code each are); duplicates, limits and gaps all use that order.
    """
    n = bars.height
    if n == 0:
        return pl.Series("bad", [], pl.Boolean)
    traded = ~pl.col("suspended").fill_null(False)
    m = bars.select(
        missing_date=pl.col("date").is_null(),
        **{f"np_{c}": (pl.col(c).is_null() | (pl.col(c) <= 0)).fill_null(True) & traded for c in PRICE_COLUMNS},
        neg_vol=(pl.col("volume") < 0).fill_null(False),
    )
    missing_date = m.get_column("missing_date").to_numpy()
    bad = missing_date.copy()
    if missing_date.any():
        _emit(problems, bars, pl.Series(missing_date) & bars.get_column("_line").is_not_null(), "date", "missing date")
    for col in PRICE_COLUMNS:
        nonpos = m.get_column(f"np_{col}").to_numpy()
        if nonpos.any():
            v = bars.get_column(col)
            msg = "'" + v.cast(pl.String).fill_null("empty") + "' is not a positive price"
            _emit(problems, bars, pl.Series(nonpos), col, msg)
            bad |= nonpos
    o, h, lo, c = (bars.get_column(x).to_numpy() for x in PRICE_COLUMNS)
    with np.errstate(invalid="ignore"):
        hi_bad = (h < np.fmax(np.fmax(o, c), lo) - 1e-9) & ~bad
        lo_bad = (lo > np.fmin(o, c) + 1e-9) & ~bad
    _emit(problems, bars, pl.Series(hi_bad), "high", "high is below open/close/low (OHLC inconsistent)")
    _emit(problems, bars, pl.Series(lo_bad), "low", "low is above open/close (OHLC inconsistent)")
    bad |= hi_bad | lo_bad
    neg_vol = m.get_column("neg_vol").to_numpy()
    _emit(problems, bars, pl.Series(neg_vol), "volume", "negative volume")
    bad |= neg_vol
    order = order_bars(bars, ~missing_date)
    _emit(problems, bars, pl.Series(order.dup), "date", "duplicate key (code, date): the same day appears twice")
    bad |= order.dup
    cal = _CalendarSpan(order.day)
    off = np.zeros(n, dtype=bool)
    off[order.idx] = ~cal.is_session(order.day)
    _emit(problems, bars, pl.Series(off), "date", "not an XSHG trading day")
    bad |= off
    if check_limits:
        bad |= _check_limits(bars, order, problems, bad, ipo_free_sessions)
    _report_gaps(bars, order, cal, bad, problems)
    return pl.Series("bad", bad)


@dataclass(frozen=True, slots=True)
class BarOrder:
    """Rows with a date in (code, date) order: row indices, integer code ids, days since 1970, run starts.

    Codes are numbered by first appearance, so codes are grouped but not alphabetical; nothing downstream needs more.
    ``dup`` (one flag per row of the frame) marks every row whose (code, date) occurs more than once.
    """

    idx: npt.NDArray[np.int64]
    code: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    start: npt.NDArray[np.bool_]
    dup: npt.NDArray[np.bool_]


def order_bars(bars: pl.DataFrame, has_date: npt.NDArray[np.bool_]) -> BarOrder:
    """Order the dated rows by (code, date) with one int64 key; an already ordered batch costs one comparison."""
    rows = np.flatnonzero(has_date)
    code = small_ids(bars.get_column("code"))[0][rows]
    day = bars.get_column("date").to_physical().to_numpy()[rows].astype(np.int64)
    key = (code << 32) | (day + (1 << 31))
    dup = np.zeros(bars.height, dtype=bool)
    if key.size > 1 and not bool(np.all(key[1:] > key[:-1])):
        perm = np.argsort(key, kind="stable")
        rows, code, day, key = rows[perm], code[perm], day[perm], key[perm]
        same = key[1:] == key[:-1]
        twice = np.zeros(key.size, dtype=bool)
        twice[1:] |= same
        twice[:-1] |= same
        dup[rows[twice]] = True
    start = np.ones(code.size, dtype=bool)
    start[1:] = code[1:] != code[:-1]
    return BarOrder(rows, code, day, start, dup)


def small_ids(col: pl.Series) -> tuple[npt.NDArray[np.int64], list[object]]:
    """Integer ids for a column of few distinct values in long runs, and the value of each id (null included).

    Works on the runs of equal values, so the Python side touches one value per run, never one per row; a column
    that does not come in runs is numbered by a polars dense rank instead. Ids follow first appearance.
    """
    n = col.len()
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    run = col.rle_id().to_numpy()
    n_runs = int(run[-1]) + 1
    if n_runs > max(64, n // 16):
        values: list[object] = [None, *col.drop_nulls().unique().sort().to_list()]
        ranked: npt.NDArray[np.int64] = col.rank("dense").fill_null(0).cast(pl.Int64).to_numpy()
        return ranked, values
    firsts = np.flatnonzero(np.diff(run, prepend=-1))
    ids: dict[object, int] = {}
    per_run = np.array([ids.setdefault(v, len(ids)) for v in col.gather(firsts).to_list()], dtype=np.int64)
    return per_run[run], list(ids)


class _CalendarSpan:
    """The XSHG calendar as a lookup table over the days a batch spans: session flags and session ordinals."""

    def __init__(self, days: npt.NDArray[np.int64]) -> None:
        self.lo = int(days.min()) if days.size else 0
        hi = int(days.max()) if days.size else 0
        sessions = calendar.sessions().astype(np.int64)
        inside = sessions[(sessions >= self.lo) & (sessions <= hi)] - self.lo
        self.flag = np.zeros(hi - self.lo + 1, dtype=bool)
        self.flag[inside] = True
        self.ordinal = np.cumsum(self.flag)

    def is_session(self, days: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        return self.flag[days - self.lo]

    def session_index(self, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return self.ordinal[days - self.lo]


def _runs(order: BarOrder) -> npt.NDArray[np.int64]:
    """For each ordered row, the position of its code's first row."""
    pos = np.arange(order.code.size, dtype=np.int64)
    return np.maximum.accumulate(np.where(order.start, pos, 0))


def _check_limits(
    bars: pl.DataFrame, order: BarOrder, problems: list[Problem], bad: np.ndarray, ipo_free_sessions: int
) -> np.ndarray:
    idx = order.idx
    if idx.size == 0:
        return np.zeros(bars.height, dtype=bool)
    pos = np.arange(idx.size, dtype=np.int64)
    first = _runs(order)
    session_no = pos - first + 1
    maybe_ipo = (order.day[first] > order.day.min()) & (session_no <= ipo_free_sessions)
    # length of the suspended run just before each row (resumed listings trade without a limit on day one)
    suspended = bars.get_column("suspended").fill_null(False).to_numpy()[idx]
    last_traded = np.maximum.accumulate(np.concatenate(([-1], np.where(~suspended, pos, -1)[:-1])))
    susp_run = pos - np.maximum(last_traded, first - 1) - 1
    resumed = susp_run >= _RESUMED_LISTING_RUN
    pct = _limit_pct(bars, order)
    pc = bars.get_column("preclose").to_numpy()[idx]
    up, down = limit_prices(pc, pct)
    c = bars.get_column("close").to_numpy()[idx]
    with np.errstate(invalid="ignore"):
        beyond = ((c > up + _LIMIT_SLACK) | (c < down - _LIMIT_SLACK)) & ~np.isnan(pct) & ~maybe_ipo & ~resumed
    out = np.zeros(bars.height, dtype=bool)
    out[idx[beyond]] = True
    out &= ~bad
    if out.any():
        msgs = np.empty(bars.height, dtype=object)
        msgs[idx[beyond]] = [
            f"close {ci:.2f} is beyond the {p:.0%} limit of preclose {pci:.2f} ({dn:.2f}..{u:.2f})"
            for ci, p, pci, dn, u in zip(c[beyond], pct[beyond], pc[beyond], down[beyond], up[beyond], strict=True)
        ]
        _emit(problems, bars, pl.Series(out), "close", pl.Series(msgs.astype(str)))
    return out


def _limit_pct(bars: pl.DataFrame, order: BarOrder) -> npt.NDArray[np.float64]:
    """Each ordered row's limit band: the rulebook asked once per (board, ST, day) of the span, then looked up.

    A span too long for a small table (a far-off date that parsed) asks the rulebook row by row instead.
    """
    idx = order.idx
    board = bars.get_column("board") if "board" in bars.columns else pl.Series("board", [None] * bars.height)
    is_st = bars.get_column("is_st").fill_null(False).to_numpy()[idx]
    board_id, names = small_ids(board)
    lo = int(order.day.min())
    span = int(order.day.max()) - lo + 1
    if len(names) * 2 * span > max(idx.size, 1 << 16):
        return price_limit_pct_array(board.to_numpy()[idx], order.day.astype("datetime64[D]"), is_st)
    grid_board, grid_st, grid_day = np.meshgrid(np.arange(len(names)), [0, 1], np.arange(span), indexing="ij")
    table = price_limit_pct_array(
        np.array(names, dtype=object)[grid_board.ravel()],
        (grid_day.ravel() + lo).astype("datetime64[D]"),
        grid_st.ravel().astype(bool),
    ).reshape(len(names), 2, span)
    return table[board_id[idx], is_st.astype(np.int64), order.day - lo]


def _report_gaps(
    bars: pl.DataFrame, order: BarOrder, cal: _CalendarSpan, bad: np.ndarray, problems: list[Problem]
) -> None:
    """Trading days missing between a code's rows (bad rows left out); reported, nothing quarantined.

    Days missing inside a halt (the rows on both sides are suspended) are not a hole in the price history: nothing
    traded, the source just did not list every halted day (BaoStock skips some of 600732.SH's 2016-2017 halt), so
    they are not reported.
    """
    keep = ~bad[order.idx]
    idx = order.idx[keep]
    if idx.size < 2:
        return
    sidx = cal.session_index(order.day[keep])
    codes = order.code[keep]
    halted = bars.get_column("suspended").fill_null(False).to_numpy()[idx]
    step = np.diff(sidx)
    gap = np.zeros(idx.size, dtype=bool)
    gap[1:] = (codes[1:] == codes[:-1]) & (step > 1) & ~(halted[1:] & halted[:-1])
    if not gap.any():
        return
    at = idx[gap]
    mask = np.zeros(bars.height, dtype=bool)
    mask[at] = True
    msgs = np.empty(bars.height, dtype=object)
    msgs[at] = [f"gap: {k} trading day(s) missing before this row" for k in (step[gap[1:]] - 1)]
    _emit(problems, bars, pl.Series(mask), "date", pl.Series(msgs.astype(str)))


def check_rows(
    frame: pl.DataFrame,
    problems: list[Problem],
    *,
    keys: tuple[str, ...],
    positive: tuple[str, ...] = (),
    non_negative: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
    trading_day: str | None = None,
) -> pl.Series:
    """Generic row checks for non-bar tables (NAVs, series, membership, fundamentals); returns the quarantine mask.

    ``required`` columns must be non-null, ``positive``/``non_negative`` are checked where present, ``keys`` must be
    unique, and ``trading_day`` (a date column) must fall on an XSHG session.
    """
    n = frame.height
    bad = np.zeros(n, dtype=bool)
    if n == 0:
        return pl.Series("bad", bad)
    checks: list[tuple[str, pl.Expr, str | pl.Expr]] = []
    for c in required:
        checks.append((c, pl.col(c).is_null(), "missing value"))
    for c in positive:
        checks.append((c, (pl.col(c) <= 0).fill_null(False), pl.format("'{}' is not positive", pl.col(c))))
    for c in non_negative:
        checks.append((c, (pl.col(c) < 0).fill_null(False), pl.format("'{}' is negative", pl.col(c))))
    key_desc = ", ".join(keys)
    checks.append(
        (
            keys[-1],
            pl.struct(*keys).is_duplicated() & pl.all_horizontal([pl.col(k).is_not_null() for k in keys]),
            f"duplicate key ({key_desc}): the same row appears twice",
        )
    )
    masks = frame.select([m.alias(f"m{i}") for i, (_, m, _) in enumerate(checks)])
    for i, (col, _, msg) in enumerate(checks):
        mask = masks.get_column(f"m{i}").to_numpy() & ~bad
        if not mask.any():
            continue
        text = msg if isinstance(msg, str) else frame.select(msg.fill_null("")).to_series()
        _emit(problems, frame, pl.Series(mask), col, text)
        bad |= mask
    if trading_day is not None:
        d = frame.get_column(trading_day)
        ok = d.is_not_null().to_numpy()
        off = np.zeros(n, dtype=bool)
        off[ok] = ~calendar.is_session(d.to_numpy()[ok].astype("datetime64[D]"))
        off &= ~bad
        _emit(problems, frame, pl.Series(off), trading_day, "not an XSHG trading day")
        bad |= off
    return pl.Series("bad", bad)
