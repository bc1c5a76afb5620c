"""Diagnose one stock as of a day: validate the request, read its row of the market table, write the brief.

:class:`DiagnosisService` is meant to live as long as the process (the web app holds one per worker) and keeps
two bounded LRU caches, both keyed by the store version so an import invalidates them:

* the scored **market table** per (store version, session): the whole market is scored once per day and every
  stock of that day reads its row from it;
* the finished **report** per (store version, code, session): a repeated request costs a dictionary look-up.

A requested day that is not a session maps to the last session on or before it (the store's trading days), so
a weekend request shares the Friday entries. :func:`diagnose` is the one-shot form. Bad requests raise
:class:`~tandem.core.errors.UserError` subclasses that say how to fix them; stocks with partial data get a
partial diagnosis naming the missing dimensions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from tandem.compliance.disclaimers import footer_text
from tandem.core.errors import NotFoundError, UserError
from tandem.core.i18n import Joined, Message
from tandem.core.models import normalize_code
from tandem.diagnosis.brief import compose_brief
from tandem.diagnosis.cache import CacheStats, LruCache
from tandem.diagnosis.composite import WEIGHTS, effective_weights
from tandem.diagnosis.llm import BriefRewriter
from tandem.diagnosis.models import Brief, Composite, Diagnosis, DimensionScore
from tandem.diagnosis.scorers import all_scorers
from tandem.diagnosis.scorers.risk import industry_basis
from tandem.diagnosis.snapshot import load_snapshot
from tandem.diagnosis.table import MarketTable, MetricsRunner, build_table, local_metrics
from tandem.diagnosis.table_files import TableFiles, VersionIndex
from tandem.diagnosis.universe import require_stock, stock_codes
from tandem.marketdata.store import MarketStore
from tandem.marketdata.versioned_cache import VersionedCache

PRICE_DAYS = 250
MAX_DAYS = 2
"""Market tables kept per process (today and one other day); each holds the last ``PRICE_DAYS`` sessions only."""
MAX_REPORTS = 2048
"""Finished reports kept per process (about 30 KB each, most of it the one-year price line)."""


@dataclass(frozen=True, slots=True)
class _Sessions:
    """The trading days of stocks in one store version (sorted), to map any requested day to its session.

    ``index`` also holds each stock's first and last bar day, so a request is validated without reading any
    stock's history.
    """

    version: str | None
    index: VersionIndex

    @property
    def days(self) -> np.ndarray:
        """The sorted sessions."""
        return self.index.sessions

    def session_of(self, day: date) -> date | None:
        """The last session on or before ``day`` (None when the store has none)."""
        i = int(np.searchsorted(self.days, np.datetime64(day, "D"), side="right")) - 1
        return None if i < 0 else pd.Timestamp(self.days[i]).date()


@dataclass(frozen=True, slots=True)
class _Report:
    """A cached report and the listing day it was validated against."""

    diagnosis: Diagnosis
    list_date: date | None


class DiagnosisService:
    """Point-in-time diagnoses over one store, with per-process LRU caches of market tables and reports."""

    def __init__(
        self,
        store: MarketStore,
        *,
        rewriter: BriefRewriter | None = None,
        runner: MetricsRunner = local_metrics,
        max_days: int = MAX_DAYS,
        max_reports: int = MAX_REPORTS,
        table_files: TableFiles | None = None,
    ) -> None:
        self.store = store
        self.table_files = table_files
        """Where scored tables are shared with the other processes of the data home (None: this process only)."""
        self.rewriter = rewriter
        self.runner = runner
        self._tables: LruCache[tuple[str | None, date], MarketTable] = LruCache(max_days)
        self._reports: LruCache[tuple[str | None, str, date], _Report] = LruCache(max_reports)
        self._sessions: VersionedCache[str, _Sessions] = VersionedCache(store.current_version, capacity=1)
        self._build_lock = threading.Lock()
        store.on_new_version(self._drop_version)

    def _drop_version(self, version: str | None) -> None:
        """The store has a new version: free the old one's tables and reports now (they would never hit again)."""
        self._sessions.clear()
        self._tables.clear()
        self._reports.clear()

    def cache_stats(self) -> dict[str, CacheStats]:
        """Hit/miss counters and sizes of the market-table and report caches."""
        return {"tables": self._tables.stats(), "reports": self._reports.stats()}

    def _current(self) -> _Sessions:
        """The sessions of the live store version; a new version drops every cached table and report."""

        def build() -> _Sessions:
            self._tables.clear()
            self._reports.clear()
            version = self.store.current_version()
            stored = self.table_files.load_index(version) if self.table_files and version else None
            if stored is not None:
                return _Sessions(version, stored)
            index = _version_index(self.store)
            if self.table_files is not None and version is not None:
                self.table_files.save_index(version, index)
            return _Sessions(version, index)

        return self._sessions.get("sessions", build)

    def latest_day(self) -> date:
        """The last day with daily bars of stocks in the store."""
        sessions = self._current()
        if not len(sessions.days):
            raise UserError("the store has no daily bars of stocks; import some with `tandem data import`")
        return pd.Timestamp(sessions.days[-1]).date()

    def table(self, as_of: date | None = None) -> MarketTable:
        """The scored market table of ``as_of``'s session (default: the last), built once per version and session.

        The cached table's snapshot keeps the last ``PRICE_DAYS`` sessions of each panel only.
        """
        sessions = self._current()
        day = as_of or self.latest_day()
        session = sessions.session_of(day) or day  # no session: load_snapshot raises the clear message
        key = (sessions.version, session)
        cached = self._tables.get(key)
        if cached is not None:
            return cached
        with self._build_lock:  # concurrent first requests of a day wait for one build instead of each building
            cached = self._tables.get(key)
            if cached is None:

                def build() -> MarketTable:
                    built = build_table(load_snapshot(self.store, session), runner=self.runner)
                    return replace(built, snapshot=built.snapshot.tail(PRICE_DAYS))

                files, version = self.table_files, sessions.version
                cached = files.load_or_build(version, session, build) if files and version else build()
                self._tables.put(key, cached)
            return cached

    def diagnose(self, code: str, as_of: date | None = None) -> Diagnosis:
        """The diagnosis of ``code`` using only data available on ``as_of`` (cached per version, code, session)."""
        sessions = self._current()
        day = as_of or self.latest_day()
        session = sessions.session_of(day)
        norm = _norm(code)
        if session is not None and norm is not None:
            hit = self._reports.get((sessions.version, norm, session))
            if hit is not None and (hit.list_date is None or day >= hit.list_date):
                return _for_day(hit.diagnosis, day)
        inst = self.store.instrument(code)
        require_stock(inst)
        if inst.list_date is not None and day < inst.list_date:
            raise UserError(
                f"{_label(inst.code, inst.name)} was listed on {inst.list_date}; choose --as-of on or after that date"
            )
        span = sessions.index.span(inst.code)
        if span is None or span[0] > day or session is None:
            since = f"its first bar is {span[0]}" if span is not None else "it has none"
            raise NotFoundError(f"{_label(inst.code, inst.name)} has no daily bars on or before {day} ({since})")
        table = self.table(session)
        if inst.code not in table.scores.index:
            raise NotFoundError(f"{_label(inst.code, inst.name)} has no bars within five years before {day}")
        industry = table.snapshot.ref.at[inst.code, "industry"] if inst.code in table.snapshot.ref.index else None
        diag = self._explain(table, inst.code, inst.name, industry if isinstance(industry, str) else None)
        self._reports.put((sessions.version, inst.code, session), _Report(diag, inst.list_date))
        return _for_day(diag, day)

    def _explain(self, table: MarketTable, code: str, name: str, industry: str | None) -> Diagnosis:
        """The report of ``code`` from its rows of the session's table (as of the session itself)."""
        snap = table.snapshot
        dims = tuple(s.explain(code, _row(table.tables[s.key], code), snap.day) for s in all_scorers())
        available = [d.key for d in dims if d.score is not None]
        weights = effective_weights(available)
        dims = tuple(replace(d, weight=weights[d.key]) for d in dims)
        comp_row = _row(table.composite, code)
        missing = [d for d in dims if d.score is None]
        shares = Joined(
            tuple(Message("diag.weights.item", {"label": d.label, "weight": WEIGHTS[d.key]}) for d in dims), "sep.comma"
        )
        note = Message("diag.weights", {"weights": shares})
        if missing:
            labels = Joined(tuple(d.label for d in missing))
            note = Message("diag.weights.missing", {"weights": shares, "missing": labels})
        comp_ok = bool(np.isfinite(comp_row["composite"]))
        composite = Composite(
            score=round(float(comp_row["composite"])) if comp_ok else None,
            rank=int(comp_row["rank"]) if comp_ok else None,
            universe=int(table.composite["composite"].notna().sum()),
            weights_note=note,
        )
        notes: list[str] = []
        if bool(snap.suspended[code].iloc[-1]):
            notes.append(f"{code} was suspended on {snap.day}; trend and flow dimensions are not scored")
        closes = snap.close[code].dropna().iloc[-PRICE_DAYS:]
        draft = Diagnosis(
            code=code,
            name=_display_name(code, name, snap.ref.at[code, "name"]),
            industry=industry,
            board=str(snap.ref.at[code, "board"]),
            as_of=snap.day,
            data_date=snap.day,
            composite=composite,
            dimensions=dims,
            brief=Brief("", ""),
            disclaimer=Joined(()),
            notes=tuple(notes),
            price_history=tuple(zip(pd.DatetimeIndex(closes.index).date, closes.astype(float), strict=True)),
            industry_basis=industry_basis(_row(snap.ref, code)),
        )
        brief = compose_brief(draft)
        if self.rewriter is not None:
            brief = self.rewriter.rewrite(brief, draft)
        return replace(
            draft,
            brief=brief,
            disclaimer=footer_text(as_of=snap.day, ai_generated=brief.ai_generated, kind="stock"),
        )

    def missing_dimensions(self, diag: Diagnosis) -> list[DimensionScore]:
        """The dimensions of ``diag`` that could not be scored (each says why)."""
        return [d for d in diag.dimensions if d.score is None]


def _version_index(store: MarketStore) -> VersionIndex:
    """The sessions and bar spans of every stock in the store's live version (two aggregate queries)."""
    codes = stock_codes(store)
    spans = store.bar_spans(codes)
    return VersionIndex(
        sessions=store.session_days(codes),
        codes=spans["code"].to_numpy().astype(str),
        first=pd.to_datetime(spans["first"]).to_numpy().astype("datetime64[D]"),
        last=pd.to_datetime(spans["last"]).to_numpy().astype("datetime64[D]"),
    )


def _norm(code: str) -> str | None:
    """The normalised code, or None when it cannot be normalised (the slow path then explains why)."""
    try:
        return normalize_code(code)
    except UserError:
        return None


def _for_day(diag: Diagnosis, day: date) -> Diagnosis:
    """A session's report as asked for ``day``: the same report, with a note when ``day`` is not a session."""
    if day == diag.as_of:
        return diag
    note = f"{day} is not a trading day in the store; data as of {diag.data_date}"
    return replace(diag, as_of=day, notes=(note, *diag.notes))


def _display_name(code: str, *names: object) -> str:
    """The first real name among ``names`` (reference data may hold None, NaN or the code itself), else the code."""
    for name in names:
        if isinstance(name, str) and name.strip() and name != code and name.lower() != "nan":
            return name
    return code


def _label(code: str, name: str) -> str:
    return code if not name or name == code else f"{code} {name}"


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    """One code's row as a Series (codes are unique in every market table)."""
    return frame.iloc[frame.index.get_loc(code)]  # type: ignore[return-value]


def diagnose(store: MarketStore, code: str, as_of: date | None = None) -> Diagnosis:
    """One-shot diagnosis of ``code`` as of ``as_of`` (builds the day's market table; use the service to reuse it)."""
    return DiagnosisService(store).diagnose(code, as_of)
