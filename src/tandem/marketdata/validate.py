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
    either. All row masks come from one polars pass plus numpy; problems are built only for flagged rows.
    """
    n = bars.height
    if n == 0:
        return pl.Series("bad", [], pl.Boolean)
    traded = ~pl.col("suspended").fill_null(False)
    m = bars.select(
        missing_date=pl.col("date").is_null(),
        **{f"np_{c}": (pl.col(c).is_null() | (pl.col(c) <= 0)).fill_null(True) & traded for c in PRICE_COLUMNS},
        neg_vol=(pl.col("volume") < 0).fill_null(False),
        dup=pl.struct("code", "date").is_duplicated() & pl.col("date").is_not_null(),
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
    for name, col, text in (
        ("neg_vol", "volume", "negative volume"),
        ("dup", "date", "duplicate key (code, date): the same day appears twice"),
    ):
        mask = m.get_column(name).to_numpy()
        _emit(problems, bars, pl.Series(mask), col, text)
        bad |= mask
    days = bars.get_column("date").to_numpy().astype("datetime64[D]")
    ok_day = ~missing_date
    off = np.zeros(n, dtype=bool)
    off[ok_day] = ~calendar.is_session(days[ok_day])
    _emit(problems, bars, pl.Series(off), "date", "not an XSHG trading day")
    bad |= off
    ordered = _ordered(bars)
    if check_limits:
        bad |= _check_limits(bars, ordered, problems, bad, ipo_free_sessions)
    _report_gaps(bars, ordered, bad, problems)
    return pl.Series("bad", bad)


def _ordered(bars: pl.DataFrame) -> pl.DataFrame:
    """Row index, code, date and the per-code facts the limit and gap checks need, sorted by (code, date) once."""
    return (
        bars.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"),
            "code",
            "date",
            "close",
            "preclose",
            pl.col("board") if "board" in bars.columns else pl.lit(None, pl.String).alias("board"),
            pl.col("is_st").fill_null(False),
            pl.col("suspended").fill_null(False),
        )
        .filter(pl.col("date").is_not_null())
        .sort("code", "date")
    )


def _check_limits(
    bars: pl.DataFrame, ordered: pl.DataFrame, problems: list[Problem], bad: np.ndarray, ipo_free_sessions: int
) -> np.ndarray:
    first_day = ordered.get_column("date").min()
    facts = ordered.select(
        session_no=pl.int_range(1, pl.len() + 1).over("code"),
        code_first=pl.col("date").min().over("code"),
        # length of the suspended run just before each row (resumed listings trade without a limit on day one)
        susp_run=(_POS - pl.when(~pl.col("suspended")).then(_POS).otherwise(None).shift(1).forward_fill() - 1)
        .fill_null(_POS)
        .over("code"),
    )
    session_no = facts.get_column("session_no").to_numpy()
    maybe_ipo = (facts.get_column("code_first") > first_day).to_numpy() & (session_no <= ipo_free_sessions)
    resumed = facts.get_column("susp_run").to_numpy() >= _RESUMED_LISTING_RUN
    pct = price_limit_pct_array(
        ordered.get_column("board").to_numpy(),
        ordered.get_column("date").to_numpy().astype("datetime64[D]"),
        ordered.get_column("is_st").to_numpy(),
    )
    pc = ordered.get_column("preclose").to_numpy()
    up, down = limit_prices(pc, pct)
    c = ordered.get_column("close").to_numpy()
    with np.errstate(invalid="ignore"):
        beyond = ((c > up + _LIMIT_SLACK) | (c < down - _LIMIT_SLACK)) & ~np.isnan(pct) & ~maybe_ipo & ~resumed
    idx = ordered.get_column("_i").to_numpy()
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


def _report_gaps(bars: pl.DataFrame, ordered: pl.DataFrame, bad: np.ndarray, problems: list[Problem]) -> None:
    """Trading days missing between a code's rows (bad rows left out); reported, nothing quarantined."""
    idx = ordered.get_column("_i").to_numpy()
    keep = ~bad[idx]
    idx = idx[keep]
    if idx.size < 2:
        return
    sidx = calendar.session_index(ordered.get_column("date").to_numpy()[keep].astype("datetime64[D]"))
    codes = ordered.get_column("code").to_numpy()[keep]
    step = np.diff(sidx)
    gap = np.zeros(idx.size, dtype=bool)
    gap[1:] = (codes[1:] == codes[:-1]) & (step > 1)
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
