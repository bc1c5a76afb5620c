"""Row checks for daily bars, vectorised over the whole frame (no Python loop per row).

Checks: unparsable values, non-positive prices, OHLC consistency, duplicate keys, days outside the XSHG calendar,
moves beyond the day's price limit (board, ST status and IPO window from the dated rulebook), and gaps (trading days
missing between a code's first and last row). Every finding is a :class:`Problem` addressed to a source line;
rows with errors are quarantined, gaps are reported but quarantine nothing (there is no row to remove).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tandem.core.rulebook import limit_prices, price_limit_pct_array
from tandem.marketdata import calendar
from tandem.marketdata.csvio import Problem

PRICE_COLUMNS = ("open", "high", "low", "close")
_LIMIT_SLACK = 0.011  # one tick of tolerance plus float noise


def _emit(problems: list[Problem], frame: pl.DataFrame, mask: pl.Series, field: str, msg: pl.Series | str) -> None:
    """Append one problem per masked row, addressed by the frame's ``_file`` and ``_line`` columns."""
    if not mask.any():
        return
    lines = frame.get_column("_line").filter(mask).to_list()
    files = frame.get_column("_file").filter(mask).to_list()
    msgs = [msg] * len(lines) if isinstance(msg, str) else msg.filter(mask).to_list()
    problems.extend(Problem(f, ln, field, m) for f, ln, m in zip(files, lines, msgs, strict=True))


def check_parsed(raw: pl.DataFrame, typed: pl.DataFrame, columns: dict[str, str], problems: list[Problem]) -> pl.Series:
    """Flag values present in the source that did not parse; ``columns`` maps typed name → source name."""
    bad = pl.Series("bad", [False] * typed.height)
    for name, src in columns.items():
        present = raw.get_column(src).is_not_null() & (raw.get_column(src) != "")
        failed = present & typed.get_column(name).is_null()
        if name == "date":
            msg = "'" + raw.get_column(src) + "' is not a date (expected YYYY-MM-DD)"
        else:
            msg = "'" + raw.get_column(src) + "' is not a number"
        _emit(problems, typed, failed, name, msg.fill_null(""))
        bad = bad | failed
    return bad


def check_bars(
    bars: pl.DataFrame, problems: list[Problem], *, check_limits: bool = True, ipo_free_sessions: int = 5
) -> pl.Series:
    """Validate typed daily bars (``code, date, open, high, low, close, preclose, volume, is_st, suspended, _line``).

    Returns a boolean mask of rows to quarantine and appends problems. ``ipo_free_sessions``: a code whose first row
    in this batch is later than the batch's first day may be a new listing; its first sessions are not limit-checked.
    """
    n = bars.height
    bad = np.zeros(n, dtype=bool)
    if n == 0:
        return pl.Series("bad", bad)
    missing_date = bars.get_column("date").is_null()
    _emit(problems, bars, missing_date & bars.get_column("_line").is_not_null(), "date", "missing date")
    bad |= missing_date.to_numpy()
    traded = ~bars.get_column("suspended").fill_null(False)
    for col in PRICE_COLUMNS:
        v = bars.get_column(col)
        nonpos = (v.is_null() | (v <= 0)).fill_null(True) & traded
        _emit(problems, bars, nonpos, col, "'" + v.cast(pl.String).fill_null("empty") + "' is not a positive price")
        bad |= nonpos.to_numpy()
    o, h, lo, c = (bars.get_column(x).to_numpy() for x in PRICE_COLUMNS)
    with np.errstate(invalid="ignore"):
        hi_bad = (h < np.fmax(np.fmax(o, c), lo) - 1e-9) & ~bad
        lo_bad = (lo > np.fmin(o, c) + 1e-9) & ~bad
    _emit(problems, bars, pl.Series(hi_bad), "high", "high is below open/close/low (OHLC inconsistent)")
    _emit(problems, bars, pl.Series(lo_bad), "low", "low is above open/close (OHLC inconsistent)")
    bad |= hi_bad | lo_bad
    vol = bars.get_column("volume")
    neg_vol = (vol < 0).fill_null(False)
    _emit(problems, bars, neg_vol, "volume", "negative volume")
    bad |= neg_vol.to_numpy()
    dup = bars.select(pl.struct("code", "date").is_duplicated()).to_series() & ~missing_date
    _emit(problems, bars, dup, "date", "duplicate key (code, date): the same day appears twice")
    bad |= dup.to_numpy()
    days = bars.get_column("date").to_numpy().astype("datetime64[D]")
    ok_day = ~missing_date.to_numpy()
    off = np.zeros(n, dtype=bool)
    off[ok_day] = ~calendar.is_session(days[ok_day])
    _emit(problems, bars, pl.Series(off), "date", "not an XSHG trading day")
    bad |= off
    if check_limits:
        bad |= _check_limits(bars, problems, bad, ipo_free_sessions)
    _report_gaps(bars.filter(pl.Series(~bad)), problems)
    return pl.Series("bad", bad)


def _check_limits(bars: pl.DataFrame, problems: list[Problem], bad: np.ndarray, ipo_free_sessions: int) -> np.ndarray:
    ordered = bars.with_row_index("_i").sort("code", "date")
    first_day = ordered.get_column("date").min()
    session_no = ordered.select(pl.int_range(1, pl.len() + 1).over("code")).to_series().to_numpy()
    code_first = ordered.select(pl.col("date").min().over("code")).to_series()
    maybe_ipo = (code_first > first_day).to_numpy() & (session_no <= ipo_free_sessions)
    boards = ordered.get_column("board").to_numpy()
    pct = price_limit_pct_array(
        boards,
        ordered.get_column("date").to_numpy().astype("datetime64[D]"),
        ordered.get_column("is_st").fill_null(False).to_numpy(),
    )
    up, down = limit_prices(ordered.get_column("preclose").to_numpy(), pct)
    c = ordered.get_column("close").to_numpy()
    with np.errstate(invalid="ignore"):
        beyond = ((c > up + _LIMIT_SLACK) | (c < down - _LIMIT_SLACK)) & ~np.isnan(pct) & ~maybe_ipo
    idx = ordered.get_column("_i").to_numpy()
    out = np.zeros(bars.height, dtype=bool)
    out[idx[beyond]] = True
    out &= ~bad
    if out.any():
        pc = ordered.get_column("preclose").to_numpy()
        msgs = np.empty(bars.height, dtype=object)
        msgs[idx[beyond]] = [
            f"close {ci:.2f} is beyond the {p:.0%} limit of preclose {pci:.2f} ({dn:.2f}..{u:.2f})"
            for ci, p, pci, dn, u in zip(c[beyond], pct[beyond], pc[beyond], down[beyond], up[beyond], strict=True)
        ]
        _emit(problems, bars, pl.Series(out), "close", pl.Series(msgs.astype(str)))
    return out


def _report_gaps(bars: pl.DataFrame, problems: list[Problem]) -> None:
    if bars.height == 0:
        return
    ordered = bars.sort("code", "date")
    sidx = calendar.session_index(ordered.get_column("date").to_numpy().astype("datetime64[D]"))
    same = ordered.get_column("code").to_numpy()[1:] == ordered.get_column("code").to_numpy()[:-1]
    step = np.diff(sidx)
    gap = np.zeros(ordered.height, dtype=bool)
    gap[1:] = same & (step > 1)
    if not gap.any():
        return
    missing = np.zeros(ordered.height, dtype=np.int64)
    missing[1:] = step - 1
    msg = "gap: " + pl.Series(missing).cast(pl.String) + " trading day(s) missing before this row"
    _emit(problems, ordered, pl.Series(gap), "date", msg)
