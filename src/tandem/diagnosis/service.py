"""Diagnose one stock as of a day: validate the request, read its row of the market table, write the brief.

:class:`DiagnosisService` keeps the market table of each (store version, day) it has built, so a second stock
of the same day costs only its explanation (the web app holds one service). :func:`diagnose` is the one-shot
form. Bad requests raise :class:`~tandem.core.errors.UserError` subclasses that say how to fix them; stocks
with partial data get a partial diagnosis naming the missing dimensions.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from tandem.compliance.disclaimers import footer
from tandem.core.errors import NotFoundError, UserError
from tandem.diagnosis.brief import compose_brief
from tandem.diagnosis.composite import WEIGHTS, effective_weights
from tandem.diagnosis.llm import BriefRewriter
from tandem.diagnosis.models import Brief, Composite, Diagnosis, DimensionScore
from tandem.diagnosis.scorers import all_scorers
from tandem.diagnosis.snapshot import load_snapshot
from tandem.diagnosis.table import MarketTable, MetricsRunner, build_table, local_metrics
from tandem.diagnosis.universe import require_stock
from tandem.marketdata.store import MarketStore

PRICE_DAYS = 250


class DiagnosisService:
    """Point-in-time diagnoses over one store, caching the market table per store version and day."""

    def __init__(
        self, store: MarketStore, *, rewriter: BriefRewriter | None = None, runner: MetricsRunner = local_metrics
    ) -> None:
        self.store = store
        self.rewriter = rewriter
        self.runner = runner
        self._tables: dict[tuple[str | None, date], MarketTable] = {}

    def latest_day(self) -> date:
        """The last day with daily bars in the store."""
        last = self.store.sql("SELECT max(date) AS d FROM daily_bars")["d"].iloc[0]
        if last is None or last is pd.NaT:
            raise UserError("the store has no daily bars; import some with `tandem data import`")
        return pd.Timestamp(last).date()

    def table(self, as_of: date | None = None) -> MarketTable:
        """The scored market table of ``as_of`` (default: the store's last day), built once per store version."""
        day = as_of or self.latest_day()
        key = (self.store.versioned.current_version(), day)
        if key not in self._tables:
            self._tables = {k: v for k, v in self._tables.items() if k[0] == key[0]}
            self._tables[key] = build_table(load_snapshot(self.store, day), runner=self.runner)
        return self._tables[key]

    def diagnose(self, code: str, as_of: date | None = None) -> Diagnosis:
        """The diagnosis of ``code`` using only data available on ``as_of``."""
        inst = self.store.instrument(code)
        require_stock(inst)
        day = as_of or self.latest_day()
        if inst.list_date is not None and day < inst.list_date:
            raise UserError(
                f"{_label(inst.code, inst.name)} was listed on {inst.list_date}; choose --as-of on or after that date"
            )
        first = self.store.daily_bars(inst.code, end=day)
        if first.empty:
            bars = self.store.daily_bars(inst.code)
            since = f"its first bar is {pd.Timestamp(bars['date'].iloc[0]).date()}" if len(bars) else "it has none"
            raise NotFoundError(f"{_label(inst.code, inst.name)} has no daily bars on or before {day} ({since})")
        table = self.table(day)
        if inst.code not in table.scores.index:
            raise NotFoundError(f"{_label(inst.code, inst.name)} has no bars within five years before {day}")
        return self._explain(table, inst.code, inst.name, inst.industry, day)

    def _explain(self, table: MarketTable, code: str, name: str, industry: str | None, day: date) -> Diagnosis:
        snap = table.snapshot
        dims = tuple(s.explain(code, _row(table.tables[s.key], code), snap.day) for s in all_scorers())
        available = [d.key for d in dims if d.score is not None]
        weights = effective_weights(available)
        dims = tuple(replace(d, weight=weights[d.key]) for d in dims)
        comp_row = _row(table.composite, code)
        missing = [d for d in dims if d.score is None]
        note_zh = "权重：" + "，".join(f"{d.label_zh}{WEIGHTS[d.key]:.0%}" for d in dims)
        note_en = "Weights: " + ", ".join(f"{d.label_en} {WEIGHTS[d.key]:.0%}" for d in dims)
        if missing:
            note_zh += f"；缺失{'、'.join(d.label_zh for d in missing)}，已按可用维度重新加权"
            note_en += f"; missing {', '.join(d.label_en for d in missing)}, re-weighted over the available ones"
        comp_ok = bool(np.isfinite(comp_row["composite"]))
        composite = Composite(
            score=round(float(comp_row["composite"])) if comp_ok else None,
            rank=int(comp_row["rank"]) if comp_ok else None,
            universe=int(table.composite["composite"].notna().sum()),
            weights_note_zh=note_zh,
            weights_note_en=note_en,
        )
        notes: list[str] = []
        if snap.day != day:
            notes.append(f"{day} is not a trading day in the store; data as of {snap.day}")
        if bool(snap.suspended[code].iloc[-1]):
            notes.append(f"{code} was suspended on {snap.day}; trend and flow dimensions are not scored")
        closes = snap.close[code].dropna().iloc[-PRICE_DAYS:]
        draft = Diagnosis(
            code=code,
            name=name if name and name != code else str(snap.ref.at[code, "name"] or code),
            industry=industry,
            board=str(snap.ref.at[code, "board"]),
            as_of=day,
            data_date=snap.day,
            composite=composite,
            dimensions=dims,
            brief=Brief("", ""),
            disclaimer_zh="",
            disclaimer_en="",
            notes=tuple(notes),
            price_history=tuple(zip(pd.DatetimeIndex(closes.index).date, closes.astype(float), strict=True)),
        )
        brief = compose_brief(draft)
        if self.rewriter is not None:
            brief = self.rewriter.rewrite(brief, draft)
        return replace(
            draft,
            brief=brief,
            disclaimer_zh=footer(as_of=snap.day, lang="zh", ai_generated=brief.ai_generated, kind="stock"),
            disclaimer_en=footer(as_of=snap.day, lang="en", ai_generated=brief.ai_generated, kind="stock"),
        )

    def missing_dimensions(self, diag: Diagnosis) -> list[DimensionScore]:
        """The dimensions of ``diag`` that could not be scored (each says why)."""
        return [d for d in diag.dimensions if d.score is None]


def _label(code: str, name: str) -> str:
    return code if not name or name == code else f"{code} {name}"


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    """One code's row as a Series (codes are unique in every market table)."""
    return frame.iloc[frame.index.get_loc(code)]  # type: ignore[return-value]


def diagnose(store: MarketStore, code: str, as_of: date | None = None) -> Diagnosis:
    """One-shot diagnosis of ``code`` as of ``as_of`` (builds the day's market table; use the service to reuse it)."""
    return DiagnosisService(store).diagnose(code, as_of)
