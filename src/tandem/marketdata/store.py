"""The read side of the market-data store: instruments, bars, fundamentals, funds — as of any day.

Data lives in versioned Parquet tables (:mod:`versioned`). Ad-hoc and set-based queries go through DuckDB views over
the live version's files; the two hot paths (one code's history, one day's cross-section) are served from an
in-memory columnar copy of ``daily_bars`` sorted by (code, date), sliced with binary search — no Python loop per row.
The copy is rebuilt when the store's version changes, so a reader always sees one consistent version.

The store is the port every other package reads market data through: typed methods only, no SQL outside
``marketdata``. It is safe to share between threads (the web app's thread pool does): one re-entrant lock
guards the version sync, the DuckDB connection (not thread-safe) and the building of the cached frames; the
built caches are immutable, so the hot paths read them without holding the lock.
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import os
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
import pyarrow as pa
import structlog
from pyarrow import feather

from tandem.core.errors import NotFoundError, UserError
from tandem.core.models import Board, Exchange, FundType, Instrument, InstrumentKind, board_of, normalize_code
from tandem.core.rulebook import DayRules, rules_for
from tandem.marketdata import calendar, industries, pit, st_periods
from tandem.marketdata.fund_types import fund_type_of
from tandem.marketdata.tables import TABLES
from tandem.marketdata.versioned import VersionedStore

T = TypeVar("T")
log = structlog.get_logger(__name__)
_DERIVED_FORMAT = 1
"""Bumped when :meth:`MarketStore._build_instruments` changes, so stored frames of the old derivation are ignored."""
Adjust = Literal["qfq", "hfq"] | None
BAR_COLUMNS = (
    "open",
    "high",
    "low",
    "close",
    "preclose",
    "volume",
    "amount",
    "turnover",
    "is_st",
    "suspended",
    "adj_factor",
    "pe_ttm",
    "pb_mrq",
    "ps_ttm",
    "pcf_ttm",
)
_PRICE_COLUMNS = ("open", "high", "low", "close", "preclose")
COLD_READS_BEFORE_CACHE = 4
"""One-code reads answered by a filtered Parquet scan before the whole in-memory bar copy is built.

Building the copy reads and sorts every bar (~200 ms on the sample, seconds on the whole market); a process that
asks for a handful of histories (a CLI command, a web worker's first requests) should not pay that. From the
fifth one-code read on, or at the first read that needs many codes, the copy is built and binary-searched.
"""


@dataclass(slots=True)
class _BarCache:
    codes: npt.NDArray[np.str_]
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    dates: npt.NDArray[np.datetime64]
    cols: dict[str, npt.NDArray[Any]]
    by_date: npt.NDArray[np.int64]
    by_date_dates: npt.NDArray[np.datetime64]


def _to_date(x: date | str | None) -> date | None:
    if x is None or isinstance(x, date):
        return x
    try:
        return date.fromisoformat(x)
    except ValueError:
        raise UserError(f"{x!r} is not a date; use YYYY-MM-DD") from None


class MarketStore:
    """Read API over the live version of the store at ``root`` (cheap to open; caches per version)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._vs = VersionedStore(root)
        self._version: str | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._bars: _BarCache | None = None
        self._instruments: pd.DataFrame | None = None
        self._fundamentals: pl.DataFrame | None = None
        self._snapshots: dict[str, pl.DataFrame] = {}
        self._st: pl.DataFrame | None = None
        self._lock = threading.RLock()
        self._cold_reads = 0
        self._on_new_version: list[weakref.WeakMethod[Callable[[str | None], None]]] = []

    @classmethod
    def open(cls, root: Path) -> MarketStore:
        """Open the store at ``root`` (it may be empty)."""
        return cls(root)

    @property
    def versioned(self) -> VersionedStore:
        """The underlying versioned tables (for writers such as importers)."""
        return self._vs

    def current_version(self) -> str | None:
        """The live version's id (None for an empty store): the key of every cache derived from the store."""
        return self._vs.current_version()

    def on_new_version(self, callback: Callable[[str | None], None]) -> None:
        """Call the bound method ``callback(version)`` whenever this store drops an older version's caches.

        Held weakly (a service that goes away stops listening); it runs under the store's lock, so it must only
        drop its own caches, never read the store.
        """
        if not inspect.ismethod(callback):
            raise TypeError(f"on_new_version takes a bound method (held weakly), got {callback!r}")
        with self._lock:
            self._on_new_version = [r for r in self._on_new_version if r() is not None]
            self._on_new_version.append(weakref.WeakMethod(callback))

    def refresh(self) -> str | None:
        """Re-read ``CURRENT`` now and drop every cache of an older version at once; the live version.

        Readers do this themselves on their next read; a worker told of a new version (Redis pub/sub,
        :mod:`tandem.marketdata.version_bus`) calls it so memory held for the old version is freed immediately
        and the caches registered with :meth:`on_new_version` are emptied before the next request.
        """
        with self._lock:
            self._sync()
            return self._version

    # ------------------------------------------------------------------ plumbing
    def _sync(self) -> None:
        """Drop every cache of an older version (callers hold ``self._lock``)."""
        v = self._vs.current_version()
        if v != self._version:
            self._version = v
            self._bars = None
            self._cold_reads = 0
            self._instruments = None
            self._fundamentals = None
            self._snapshots = {}
            self._st = None
            if self._con is not None:
                self._con.close()
            self._con = None
            for ref in self._on_new_version:
                callback = ref()
                if callback is not None:
                    callback(v)

    def _retrying(self, read: Callable[[], T]) -> T:
        """Run ``read`` (under the lock); if an import swept the files of the version it used, resync and retry.

        Writers keep the last few versions only, so a reader that synced just before several imports can find its
        files gone: the answer is then read from the new live version, never a mix of two.
        """
        with self._lock:
            for _attempt in range(5):
                try:
                    return read()
                except (FileNotFoundError, duckdb.IOException):
                    if self._vs.current_version() == self._version:
                        raise
                    self._sync()
            return read()

    def con(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per table over the live version's Parquet files.

        The connection is not thread-safe and is replaced when the version changes: only this module uses it,
        always under the store's lock (see :meth:`sql`).
        """
        with self._lock:
            return self._connection()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        self._sync()
        if self._con is None:
            con = duckdb.connect(":memory:")
            for name, spec_ in TABLES.items():
                files = self._vs.files(name, self._version)
                if files:
                    paths = ", ".join(f"'{p}'" for p in files)
                    con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{paths}], union_by_name=true)")
                else:
                    cols = ", ".join(f'CAST(NULL AS {_duck_type(f.type)}) AS "{f.name}"' for f in spec_.schema)
                    con.execute(f"CREATE VIEW {name} AS SELECT {cols} WHERE false")
            self._con = con
        return self._con

    def sql(self, query: str, params: list[object] | None = None) -> pd.DataFrame:
        """Run a read-only SQL query against the tables (views named like the tables).

        For this package and ad-hoc tools only: other packages use the typed methods (a test enforces it).
        """
        return self._retrying(lambda: self._connection().execute(query, params or []).df())

    def sql_polars(self, query: str, params: list[object] | None = None) -> pl.DataFrame:
        """Like :meth:`sql`, returning a polars frame (zero-copy from DuckDB's Arrow result)."""
        table = self._retrying(lambda: self._connection().sql(query, params=params or None).to_arrow_table())
        frame = pl.from_arrow(table)
        if not isinstance(frame, pl.DataFrame):
            raise TypeError("query did not return a table")
        return frame

    def daily_bars_polars(
        self, code: str, start: date | str | None = None, end: date | str | None = None, adjust: Adjust = None
    ) -> pl.DataFrame:
        """:meth:`daily_bars` as a polars frame, for callers that work in polars."""
        return pl.from_pandas(self.daily_bars(code, start, end, adjust))

    def _one_code_bars(
        self, norm: str
    ) -> tuple[npt.NDArray[np.datetime64], dict[str, npt.NDArray[Any]], int, int] | None:
        """One code's bar arrays and their row span (None if the store has no bars for it); caller holds the lock.

        Answered from the in-memory copy once it exists; before that, the first few reads scan the Parquet files
        filtered on the code, converting columns exactly as the copy does, so both paths return equal frames.
        """
        self._sync()
        if self._bars is None and self._cold_reads < COLD_READS_BEFORE_CACHE:
            self._cold_reads += 1
            files = self._vs.files("daily_bars", self._version)
            if not files:
                return None
            frame = (
                pl.scan_parquet([str(f) for f in files])
                .filter(pl.col("code") == norm)
                .select("date", *BAR_COLUMNS)
                .collect()
                .sort("date")
            )
            if frame.height == 0:
                return None
            cols = {c: frame.get_column(c).to_numpy() for c in BAR_COLUMNS}
            return frame.get_column("date").to_numpy().astype("datetime64[D]"), cols, 0, frame.height
        cache = self._build_bar_cache()
        i = int(np.searchsorted(cache.codes, norm))
        if i >= len(cache.codes) or cache.codes[i] != norm:
            return None
        return cache.dates, cache.cols, int(cache.starts[i]), int(cache.ends[i])

    def _bar_cache(self) -> _BarCache:
        return self._retrying(self._build_bar_cache)

    def _build_bar_cache(self) -> _BarCache:
        self._sync()
        if self._bars is None:
            frame = self._vs.read("daily_bars", self._version).sort("code", "date")
            codes_col = frame.get_column("code").to_numpy().astype(str)
            uniq, starts = np.unique(codes_col, return_index=True)
            order = np.argsort(starts)
            uniq, starts = uniq[order], starts[order]
            ends = np.append(starts[1:], len(codes_col))
            dates = frame.get_column("date").to_numpy().astype("datetime64[D]")
            cols = {c: frame.get_column(c).to_numpy() for c in BAR_COLUMNS}
            by_date = np.argsort(dates, kind="stable")
            self._bars = _BarCache(
                uniq,
                starts.astype(np.int64),
                ends.astype(np.int64),
                dates,
                cols,
                by_date.astype(np.int64),
                dates[by_date],
            )
        return self._bars

    # ------------------------------------------------------------------ instruments
    def instruments(self, kind: InstrumentKind | str | None = None) -> pd.DataFrame:
        """Every known instrument (reference data, plus codes that only have prices, named by their code)."""
        return self._retrying(lambda: self._instrument_frame(kind))

    def _instrument_frame(self, kind: InstrumentKind | str | None) -> pd.DataFrame:
        self._sync()
        if self._instruments is None:
            self._instruments = self._stored_instruments()
        if self._instruments is None:
            self._instruments = self._build_instruments()
            self._store_instruments(self._instruments)
        inst = self._instruments
        if kind is not None:
            inst = inst[inst["kind"] == str(kind)]
        return inst.reset_index(drop=True)

    def _derived_instruments_path(self) -> Path | None:
        """Where the live version's instrument frame is kept for other processes (None for an empty store).

        The frame is a pure function of the version's files (and of :data:`_DERIVED_FORMAT`, bumped when the
        derivation below changes), but building it scans every daily bar for codes that only have prices —
        0.6 s at 23,000 instruments under load, the larger part of a fresh worker's first diagnosis.
        """
        if self._version is None:
            return None
        return self.root / "derived" / f"instruments-{_DERIVED_FORMAT}-{self._version}.arrow"

    def _stored_instruments(self) -> pd.DataFrame | None:
        path = self._derived_instruments_path()
        if path is None or not path.is_file():
            return None
        try:  # Arrow IPC, memory-mapped: a few ms where Parquet's first read pays ~0.1 s of reader set-up
            frame: pd.DataFrame = feather.read_table(path, memory_map=True).to_pandas()
            return frame
        except (OSError, ValueError, pa.ArrowException) as exc:  # damaged or foreign: rebuild rather than trust
            log.warning("store.derived_unreadable", path=str(path), error=str(exc))
            return None

    def _store_instruments(self, frame: pd.DataFrame) -> None:
        """Write the frame atomically beside the versions; keep the newest few (a cache: never fails a read)."""
        path = self._derived_instruments_path()
        if path is None:
            return
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            path.parent.mkdir(exist_ok=True)
            feather.write_feather(frame, tmp, compression="uncompressed")
            os.replace(tmp, path)
            older = sorted(path.parent.glob("instruments-*.arrow"), key=lambda p: p.stat().st_mtime)[:-3]
            for old in older:
                old.unlink(missing_ok=True)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            log.warning("store.derived_write_failed", path=str(path), error=str(exc))

    def _build_instruments(self) -> pd.DataFrame:
        """Reference data joined with every code that has prices (those named by their code)."""
        inst = self.sql(
            """
            WITH known AS (SELECT * FROM instruments),
            priced AS (
                SELECT DISTINCT code, 'stock' AS kind FROM daily_bars
                UNION SELECT DISTINCT code, 'index' FROM index_bars
                UNION SELECT DISTINCT code, 'fund' FROM funds
            )
            SELECT COALESCE(k.code, p.code) AS code, COALESCE(k.name, f.name, p.code) AS name,
                   COALESCE(k.kind, p.kind) AS kind, k.exchange, k.board, k.list_date, k.delist_date,
                   k.industry, COALESCE(k.initials, f.initials) AS initials
            FROM known k FULL OUTER JOIN priced p ON k.code = p.code
            LEFT JOIN funds f ON f.code = COALESCE(k.code, p.code)
            ORDER BY code
            """
        )
        inst["exchange"] = inst["exchange"].fillna(inst["code"].str.split(".").str[1])
        missing_board = inst["board"].isna()
        if missing_board.any():
            inst.loc[missing_board, "board"] = [
                Board.INDEX.value if k == "index" else board_of(c).value if c[-2:] in ("SH", "SZ", "BJ") else None
                for c, k in zip(inst.loc[missing_board, "code"], inst.loc[missing_board, "kind"], strict=True)
            ]
        # Codes known only from daily bars were assumed stocks; exchange-traded funds have bars too.
        inst.loc[(inst["kind"] == "stock") & (inst["board"] == Board.FUND.value), "kind"] = "fund"
        return inst

    def instrument(self, code: str) -> Instrument:
        """One instrument by code (any common spelling); unknown codes get a did-you-mean suggestion."""
        try:
            norm = normalize_code(code)
        except UserError:
            norm = code.strip().upper()
        inst = self.instruments()
        row = inst[inst["code"] == norm]
        if row.empty:
            shown = code.strip().upper() if "." in code or len(code.strip()) < 6 else norm
            raise NotFoundError(f"no instrument {shown}{self._suggest(code)}")
        return _instrument_from_row(row.iloc[0])

    def _suggest(self, text: str) -> str:
        """A did-you-mean hint: the closest code by its digits, or the closest Chinese name."""
        inst = self.instruments()
        digits = "".join(ch for ch in text if ch.isdigit())
        codes = inst["code"].tolist()
        best: list[str] = []
        if digits:
            numeric = [c.split(".")[0] for c in codes]
            near = difflib.get_close_matches(digits, numeric, n=1, cutoff=0.6)
            best = [codes[numeric.index(near[0])]] if near else []
        else:
            names = inst["name"].fillna("").tolist()
            near = difflib.get_close_matches(text.strip(), names, n=1, cutoff=0.5)
            best = [codes[names.index(near[0])]] if near else []
        if not best:
            return ""
        name = inst.loc[inst["code"] == best[0], "name"].iloc[0]
        return f"; did you mean {best[0]} {name}?"

    def search(self, text: str, limit: int = 10) -> list[Instrument]:
        """Instruments matching a code prefix, a piece of the Chinese name, or pinyin initials (case-insensitive)."""
        q = text.strip()
        if not q:
            return []
        inst = self.instruments()
        up = q.upper()
        score = pd.Series(0, index=inst.index)
        score += inst["code"].str.startswith(up).astype(int) * 4
        score += (inst["name"].fillna("") == q).astype(int) * 8
        score += inst["name"].fillna("").str.contains(q, regex=False).astype(int) * 3
        score += inst["initials"].fillna("").str.upper().str.startswith(up).astype(int) * 2
        score += (inst["kind"] == "stock").astype(int) * (score > 0)
        hits = inst[score > 0].assign(_s=score[score > 0]).sort_values(["_s", "code"], ascending=[False, True])
        return [_instrument_from_row(r) for _, r in hits.head(limit).iterrows()]

    # ------------------------------------------------------------------ bars
    def daily_bars(
        self, code: str, start: date | str | None = None, end: date | str | None = None, adjust: Adjust = None
    ) -> pd.DataFrame:
        """One code's daily bars in ``[start, end]``; ``adjust`` qfq is anchored at the last returned day."""
        if adjust not in (None, "qfq", "hfq"):
            raise UserError(f"adjust must be qfq, hfq or none, not {adjust!r}")
        norm = normalize_code(code)
        found = self._retrying(lambda: self._one_code_bars(norm))
        if found is None:
            self.instrument(code)  # raises NotFoundError with a suggestion when unknown
            return pd.DataFrame(columns=["date", *BAR_COLUMNS])
        dates, cols, lo, hi = found
        d = dates[lo:hi]
        s, e = _to_date(start), _to_date(end)
        a = lo + (int(np.searchsorted(d, np.datetime64(s, "D"))) if s else 0)
        b = lo + (int(np.searchsorted(d, np.datetime64(e, "D"), side="right")) if e else hi - lo)
        out: dict[str, npt.NDArray[Any]] = {"date": dates[a:b]}
        out.update({c: cols[c][a:b] for c in BAR_COLUMNS})
        if adjust is not None and b > a:
            f = cols["adj_factor"][a:b].astype(np.float64)
            scale = f if adjust == "hfq" else f / f[-1]
            for c in _PRICE_COLUMNS:
                out[c] = out[c] * scale
        return pd.DataFrame(out)

    def cross_section(self, day: date | str, fields: list[str] | None = None) -> pd.DataFrame:
        """Every code's bar on ``day`` (raw prices), one row per code."""
        d = _to_date(day)
        cache = self._bar_cache()
        lo = int(np.searchsorted(cache.by_date_dates, np.datetime64(d, "D")))
        hi = int(np.searchsorted(cache.by_date_dates, np.datetime64(d, "D"), side="right"))
        idx = cache.by_date[lo:hi]
        codes = np.repeat(cache.codes, cache.ends - cache.starts)[idx]
        cols = fields or list(BAR_COLUMNS)
        unknown = set(cols) - set(BAR_COLUMNS)
        if unknown:
            raise UserError(f"unknown bar fields {sorted(unknown)}; known: {', '.join(BAR_COLUMNS)}")
        out = {"code": codes, **{c: cache.cols[c][idx] for c in cols}}
        return pd.DataFrame(out).sort_values("code").reset_index(drop=True)

    def panel(
        self,
        field: str,
        codes: list[str] | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        adjust: Adjust = None,
    ) -> pd.DataFrame:
        """A date × code frame of one bar field (prices adjusted per code when asked)."""
        if field not in BAR_COLUMNS:
            raise UserError(f"unknown bar field {field!r}; known: {', '.join(BAR_COLUMNS)}")
        cache = self._bar_cache()
        wanted = [normalize_code(c) for c in codes] if codes is not None else cache.codes.tolist()
        series = {}
        for c in wanted:
            bars = self.daily_bars(c, start, end, adjust if field in _PRICE_COLUMNS else None)
            series[c] = pd.Series(bars[field].to_numpy(), index=pd.DatetimeIndex(bars["date"]))
        frame = pd.DataFrame(series)
        frame.index.name = "date"
        return frame.sort_index()

    def index_bars(self, code: str, start: date | str | None = None, end: date | str | None = None) -> pd.DataFrame:
        """An index's daily bars."""
        norm = code.strip().upper()
        if "." not in norm:
            raise UserError(f"index code {code!r} needs an exchange suffix, e.g. 000300.SH or 399001.SZ")
        s, e = _to_date(start) or date(1900, 1, 1), _to_date(end) or date(2999, 1, 1)
        df = self.sql(
            "SELECT date, open, high, low, close, volume, amount FROM index_bars WHERE code = ? AND date "
            "BETWEEN ? AND ? ORDER BY date",
            [norm, s, e],
        )
        if df.empty and self.sql("SELECT count(*) AS n FROM index_bars WHERE code = ?", [norm])["n"].iloc[0] == 0:
            known = ", ".join(self.sql("SELECT DISTINCT code FROM index_bars ORDER BY code")["code"].tolist()[:12])
            raise NotFoundError(f"no index bars for {norm}; the store has: {known or 'none (import index data)'}")
        return df

    def bars_between(self, codes: list[str], start: date, end: date, fields: list[str]) -> pd.DataFrame:
        """Raw daily bars of ``codes`` in ``[start, end]``, long (code, date, fields…), ordered by date.

        One set-based scan reading only the asked columns: what a whole-market snapshot needs.
        """
        unknown = set(fields) - set(BAR_COLUMNS)
        if unknown:
            raise UserError(f"unknown bar fields {sorted(unknown)}; known: {', '.join(BAR_COLUMNS)}")
        cols = ", ".join(fields)
        return self.sql(
            f"SELECT code, date, {cols} FROM daily_bars WHERE date BETWEEN ? AND ? AND code IN (SELECT unnest(?)) "
            "ORDER BY date",
            [start, end, list(codes)],
        )

    def session_days(self, codes: list[str]) -> npt.NDArray[np.datetime64]:
        """The sorted distinct days on which any of ``codes`` has a daily bar."""
        frame = self.sql(
            "SELECT DISTINCT date FROM daily_bars WHERE code IN (SELECT unnest(?)) ORDER BY date", [list(codes)]
        )
        return pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[D]")

    def bar_spans(self, codes: list[str]) -> pd.DataFrame:
        """First and last bar day of each of ``codes`` that has bars (columns code, first, last; sorted by code).

        One aggregate over the files — unlike :meth:`bar_span` it never builds the in-memory bar copy, so a fresh
        process can validate a request before (or without) paying for that copy.
        """
        frame = self.sql(
            "SELECT code, MIN(date) AS first, MAX(date) AS last FROM daily_bars WHERE code IN (SELECT unnest(?)) "
            "GROUP BY code ORDER BY code",
            [list(codes)],
        )
        frame["code"] = frame["code"].astype(str)
        return frame

    def bar_span(self, code: str) -> tuple[date, date] | None:
        """First and last day of ``code``'s daily bars (None when it has none) — without copying its history."""
        norm = normalize_code(code)
        cache = self._bar_cache()
        i = int(np.searchsorted(cache.codes, norm))
        if i >= len(cache.codes) or cache.codes[i] != norm:
            return None
        lo, hi = int(cache.starts[i]), int(cache.ends[i])
        return cache.dates[lo].astype(object), cache.dates[hi - 1].astype(object)

    def index_close(self, code: str, start: date, end: date) -> pd.Series:
        """An index's closes in ``[start, end]`` by date (empty when the store has none: benchmarks are optional)."""
        frame = self.sql(
            "SELECT date, close FROM index_bars WHERE code = ? AND date BETWEEN ? AND ? ORDER BY date",
            [code.strip().upper(), start, end],
        )
        return pd.Series(
            frame["close"].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(pd.to_datetime(frame["date"]))
        )

    # ------------------------------------------------------------------ fundamentals, funds
    def _fundamental_rows(self) -> pl.DataFrame:
        """The whole (small) ``fundamentals`` table of the live version, read once per version."""

        def read() -> pl.DataFrame:
            self._sync()
            if self._fundamentals is None:
                self._fundamentals = self._vs.read("fundamentals", self._version)
            return self._fundamentals

        return self._retrying(read)

    def _fundamentals_of(self, codes: list[str] | None, fields: list[str] | None, since: date | None) -> pl.DataFrame:
        rows = self._fundamental_rows()
        if codes is not None:
            rows = rows.filter(pl.col("code").is_in([normalize_code(c) for c in codes]))
        if fields is not None:
            rows = rows.filter(pl.col("field").is_in(list(fields)))
        if since is not None:
            rows = rows.filter(pl.col("report_period") >= since)
        return rows

    def fundamentals_asof(self, as_of: date | str, codes: list[str] | None = None) -> pd.DataFrame:
        """Latest known value of every fundamental field per code on ``as_of`` (the rule of :mod:`.pit`), wide."""
        d = _to_date(as_of)
        if d is None:
            raise UserError("fundamentals_asof needs a day; use YYYY-MM-DD")
        wide = pit.latest(self._fundamentals_of(codes, None, None), d)
        if wide.is_empty():
            return pd.DataFrame(columns=["code", "report_period", "announce_date"])
        return wide.to_pandas()

    def fundamentals_ranked(
        self,
        as_of: date | str,
        *,
        fields: list[str] | None = None,
        since: date | None = None,
        depth: int | None = None,
    ) -> pd.DataFrame:
        """Known report values on ``as_of``, long, with ``rank`` per (code, field): 1 = latest (the :mod:`.pit` rule).

        ``since`` drops report periods before it (stale reports) and ``depth`` keeps the newest ``depth`` periods.
        """
        d = _to_date(as_of)
        if d is None:
            raise UserError("fundamentals_ranked needs a day; use YYYY-MM-DD")
        out = pit.ranked(self._fundamentals_of(None, fields, since), d, depth=depth)
        return out.select(*pit.LONG_COLUMNS, "rank").to_pandas()

    def fundamentals_history(self, code: str, as_of: date | str | None = None) -> pd.DataFrame:
        """All reports of one code known on ``as_of`` (long format), newest period first."""
        d = _to_date(as_of) or date(2999, 1, 1)
        return self.sql(
            "SELECT report_period, announce_date, field, value, source FROM fundamentals WHERE code = ? "
            "AND announce_date <= ? ORDER BY report_period DESC, field",
            [normalize_code(code), d],
        )

    def funds(self) -> pd.DataFrame:
        """Fund reference data: code, name, fund_type, initials."""
        return self.sql("SELECT code, name, fund_type, initials FROM funds ORDER BY code")

    def fund_nav(
        self, codes: list[str] | None = None, start: date | str | None = None, end: date | str | None = None
    ) -> pd.DataFrame:
        """Fund NAV history (long): code, date, nav, acc_nav, daily_return."""
        s, e = _to_date(start) or date(1900, 1, 1), _to_date(end) or date(2999, 1, 1)
        params: list[object] = [s, e]
        flt = ""
        if codes is not None:
            flt = "AND code IN (SELECT unnest(?))"
            params.append(list(codes))
        return self.sql(
            f"SELECT code, date, nav, acc_nav, daily_return FROM fund_nav WHERE date BETWEEN ? AND ? {flt}"
            " ORDER BY code, date",
            params,
        )

    def capital_flow(self, code: str, start: date | str | None = None, end: date | str | None = None) -> pd.DataFrame:
        """Daily Level-2 capital flow by order-size class for one code (empty when the store has none)."""
        s, e = _to_date(start) or date(1900, 1, 1), _to_date(end) or date(2999, 1, 1)
        return self.sql(
            "SELECT * FROM capital_flow WHERE code = ? AND date BETWEEN ? AND ? ORDER BY date, class",
            [normalize_code(code), s, e],
        )

    def capital_flow_summary(self, start: date, end: date) -> pd.DataFrame:
        """Capital flow in ``[start, end]`` summed per code and order-size class (net, gross, days, last day)."""
        return self.sql(
            """
            SELECT code, class, sum(net_amount) AS net_amount, sum(buy_amount + sell_amount) AS gross_amount,
                   count(DISTINCT date) AS days, max(date) AS last_date, min(threshold_set) AS threshold_set
            FROM capital_flow WHERE date BETWEEN ? AND ? GROUP BY code, class
            """,
            [start, end],
        )

    def write_capital_flow(self, rows: pd.DataFrame | pl.DataFrame) -> bool:
        """Persist daily capital-flow rows atomically (idempotent by code, date, threshold set and class)."""
        frame = rows if isinstance(rows, pl.DataFrame) else pl.from_pandas(rows)
        with self._vs.transaction() as tx:
            tx.upsert("capital_flow", frame)
        return tx.changed

    # ------------------------------------------------------------------ industries and boards (point in time)
    def _snapshot_rows(self, table: str) -> pl.DataFrame:
        """A whole (small) snapshot table of the live version, read once per version."""

        def read() -> pl.DataFrame:
            self._sync()
            if table not in self._snapshots:
                self._snapshots[table] = self._vs.read(table, self._version)
            return self._snapshots[table]

        return self._retrying(read)

    def industry_snapshots(self) -> pd.DataFrame:
        """The classification snapshots the store holds: system, snapshot_date, date_basis and row count."""
        rows = self._snapshot_rows("industry_classification")
        if rows.is_empty():
            return pd.DataFrame(columns=["system", "snapshot_date", "date_basis", "rows"])
        out = rows.group_by("system", "snapshot_date").agg(pl.col("date_basis").first(), pl.len().alias("rows"))
        return out.sort("snapshot_date", "system").to_pandas()

    def industry_asof(self, day: date | str, codes: list[str] | None = None) -> pd.DataFrame:
        """The industry of each code in the classification in force on ``day`` (the rule of :mod:`.industries`).

        Columns ``code, industry_code, industry, system, snapshot_date, backfilled``. A store without any
        classification snapshot answers from the undated ``instruments.industry`` (system ``instruments``), so an
        older store keeps its peer groups; the system column says which it was.
        """
        d = _to_date(day)
        if d is None:
            raise UserError("industry_asof needs a day; use YYYY-MM-DD")
        rows = self._snapshot_rows("industry_classification")
        if rows.is_empty():
            inst = self.instruments("stock")
            out = pd.DataFrame(
                {
                    "code": inst["code"],
                    "industry_code": None,
                    "industry": inst["industry"],
                    "system": "instruments",
                    "snapshot_date": pd.NaT,
                    "backfilled": False,
                }
            )
        else:
            out = industries.classification_on(rows, d).to_pandas()
        if codes is not None:
            wanted = {normalize_code(c) for c in codes}
            out = out[out["code"].isin(wanted)]
        out = out.reset_index(drop=True)
        out["industry"] = pd.Series([v if isinstance(v, str) else None for v in out["industry"]], dtype=object)
        return out

    def boards_asof(self, day: date | str, codes: list[str] | None = None) -> pd.DataFrame:
        """East Money board membership in force on ``day``: ``code, board_code, board_name, snapshot_date, backfilled``.

        The same rule as :meth:`industry_asof` (latest snapshot on or before the day; the oldest, flagged
        ``backfilled``, before any); empty when the store holds no board snapshot.
        """
        d = _to_date(day)
        if d is None:
            raise UserError("boards_asof needs a day; use YYYY-MM-DD")
        out = industries.boards_on(self._snapshot_rows("board_membership"), d)
        if codes is not None:
            out = out.filter(pl.col("code").is_in([normalize_code(c) for c in codes]))
        return out.to_pandas()

    # ------------------------------------------------------------------ calendar, rules, info
    def trading_days(self, start: date | str, end: date | str) -> list[date]:
        """XSHG trading days in ``[start, end]``."""
        return [d.astype(object) for d in calendar.sessions(_to_date(start), _to_date(end))]

    # ------------------------------------------------------------------ ST status
    def _st_rows(self) -> pl.DataFrame:
        """The live version's ST periods; a store written before ``st_periods`` existed derives them from its bars."""

        def read() -> pl.DataFrame:
            self._sync()
            if self._st is None:
                if self._vs.files("st_periods", self._version):
                    self._st = self._vs.read("st_periods", self._version)
                elif self._vs.files("daily_bars", self._version):
                    bars = self._vs.read("daily_bars", self._version).select("code", "date", "is_st", "source")
                    self._st = st_periods.periods_from_bars(bars)
                else:
                    self._st = st_periods.periods_from_bars(pl.DataFrame())
            return self._st

        return self._retrying(read)

    def st_periods(self, code: str | None = None) -> pd.DataFrame:
        """ST (risk-warning) periods: ``code, start, end`` (inclusive), ``sessions``, ``source``; one code or all."""
        rows = self._st_rows()
        if code is not None:
            rows = rows.filter(pl.col("code") == normalize_code(code))
        return rows.sort("code", "start").to_pandas()

    def is_st(self, code: str, day: date | str) -> bool:
        """Whether ``code`` traded under risk warning (ST or *ST) on ``day``, by the dated periods of the store."""
        d = _to_date(day)
        if d is None:
            raise UserError("is_st needs a day; use YYYY-MM-DD")
        rows = self._st_rows().filter(
            (pl.col("code") == normalize_code(code)) & (pl.col("start") <= d) & (pl.col("end") >= d)
        )
        return rows.height > 0

    def st_flags(self, codes: list[str], days: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Vectorised :meth:`is_st`: a ``len(days) × len(codes)`` mask (``days`` sorted ascending)."""
        norm = [normalize_code(c) for c in codes]
        return st_periods.flags(self._st_rows(), norm, np.asarray(days, dtype="datetime64[D]"))

    def rules_for(self, code: str, day: date | str) -> DayRules:
        """The dated rules for ``code`` on ``day``; ST status (:meth:`is_st`) and session count come from the data."""
        d = _to_date(day)
        if d is None:
            raise UserError("rules_for needs a day; use YYYY-MM-DD")
        inst = self.instrument(code)
        is_st = self.is_st(inst.code, d)
        session_no = None
        if inst.list_date is not None:
            idx = calendar.session_index(np.array([inst.list_date, d], dtype="datetime64[D]"))
            session_no = int(idx[1] - idx[0]) + 1
        fund_type = self._fund_type(inst.code, inst.name) if inst.board == Board.FUND else None
        return rules_for(
            inst.code, d, is_st=is_st, session_no=session_no, list_date=inst.list_date, fund_type=fund_type
        )

    def _fund_type(self, code: str, name: str | None) -> FundType:
        """The fund's product type by the same rule the backtester uses (fund-list category, then name)."""
        funds = self.funds()
        row = funds[funds["code"].astype(str) == code.partition(".")[0]] if len(funds) else funds
        if len(row):
            listed_name = row["name"].iloc[0]
            category = row["fund_type"].iloc[0]
            return fund_type_of(
                str(category) if category is not None else None,
                str(listed_name) if listed_name is not None else name,
            )
        return fund_type_of(None, name)

    def info(self) -> dict[str, object]:
        """Counts and date range of what the store holds (keys used by ``tandem data info --format json``)."""
        cache = self._bar_cache()
        counts = {name: int(self.sql(f"SELECT count(*) AS n FROM {name}")["n"].iloc[0]) for name in TABLES}
        first = str(cache.dates.min()) if len(cache.dates) else None
        last = str(cache.dates.max()) if len(cache.dates) else None
        return {
            "version": self._version,
            "instruments": len(self.instruments()),
            "bars": len(cache.dates),
            "first_date": first,
            "last_date": last,
            "stocks_with_bars": len(cache.codes),
            "tables": counts,
        }


def _duck_type(t: object) -> str:
    s = str(t)
    return {
        "string": "VARCHAR",
        "date32[day]": "DATE",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "int64": "BIGINT",
        "timestamp[s]": "TIMESTAMP",
    }.get(s, "VARCHAR")


def _opt_date(v: object) -> date | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v if isinstance(v, date) else None


def _instrument_from_row(r: pd.Series) -> Instrument:
    code = str(r["code"])
    ex = str(r["exchange"]) if isinstance(r["exchange"], str) else code.split(".")[-1]
    return Instrument(
        code=code,
        name=str(r["name"]),
        kind=InstrumentKind(str(r["kind"]))
        if str(r["kind"]) in {k.value for k in InstrumentKind}
        else InstrumentKind.STOCK,
        exchange=Exchange(ex) if ex in {e.value for e in Exchange} else Exchange.SH,
        board=Board(str(r["board"]))
        if isinstance(r["board"], str) and r["board"] in {b.value for b in Board}
        else Board.INDEX,
        list_date=_opt_date(r["list_date"]),
        delist_date=_opt_date(r["delist_date"]),
        industry=str(r["industry"]) if isinstance(r["industry"], str) else None,
        initials=str(r["initials"]) if isinstance(r["initials"], str) else None,
    )
