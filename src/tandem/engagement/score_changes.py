"""How a stock's diagnosis moved between the two latest sessions, for the 资讯 feed of its watchers.

The numbers are the diagnosis service's own: the composite is rounded from the session's market table as the
report rounds it, and each dimension is the scorer's ``explain`` of the same table row the report uses. Briefs
are not composed here (no LLM call per watched stock). Changes depend only on the store version, so they are
kept per version and dropped when an import makes a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.core.i18n import Message
from tandem.diagnosis.scorers import all_scorers
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table import MarketTable


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """A stock's composite on ``prev_day`` and ``day``, and the dimension that moved most (None when none moved)."""

    code: str
    name: str
    day: date
    prev_day: date
    score: int
    prev_score: int
    dim_label: Message | None
    dim_delta: int

    @property
    def delta(self) -> int:
        """The change of the rounded composite (what the two reports show)."""
        return self.score - self.prev_score


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.iloc[frame.index.get_loc(code)]  # type: ignore[return-value]


def _composite(table: MarketTable, code: str) -> int | None:
    if code not in table.composite.index:
        return None
    value = float(_row(table.composite, code)["composite"])
    return round(value) if np.isfinite(value) else None


def _dimensions(table: MarketTable, code: str) -> dict[str, tuple[Message, int | None]]:
    day = table.snapshot.day
    out = {}
    for s in all_scorers():
        d = s.explain(code, _row(table.tables[s.key], code), day)
        out[d.key] = (d.label, d.score)
    return out


def score_change(now: MarketTable, prev: MarketTable, code: str) -> ScoreChange | None:
    """The change of ``code`` from ``prev``'s session to ``now``'s (None when either composite is missing)."""
    score, prev_score = _composite(now, code), _composite(prev, code)
    if score is None or prev_score is None:
        return None
    a, b = _dimensions(now, code), _dimensions(prev, code)
    moves = [(label, s - p) for k, (label, s) in a.items() if s is not None and (p := b[k][1]) is not None]
    best = max(moves, key=lambda m: abs(m[1]), default=None)  # first in display order on ties
    name = now.snapshot.ref.at[code, "name"] if "name" in now.snapshot.ref.columns else code
    return ScoreChange(
        code=code,
        name=name if isinstance(name, str) and name.strip() and name.lower() != "nan" else code,
        day=now.snapshot.day,
        prev_day=prev.snapshot.day,
        score=score,
        prev_score=prev_score,
        dim_label=best[0] if best and best[1] else None,
        dim_delta=best[1] if best else 0,
    )


class DiagnosisChanges:
    """Score changes of the latest session against the previous one, cached per store version and code."""

    def __init__(self, service: DiagnosisService) -> None:
        self.service = service
        self._version: str | None = None
        self._changes: dict[str, ScoreChange | None] = {}
        self._lock = threading.Lock()

    def _tables(self) -> tuple[MarketTable, MarketTable] | None:
        now = self.service.table()
        try:
            prev = self.service.table(now.snapshot.day - timedelta(days=1))
        except UserError:  # no session before the latest one
            return None
        return (now, prev) if prev.snapshot.day < now.snapshot.day else None

    def for_codes(self, codes: Iterable[str]) -> dict[str, ScoreChange]:
        """The changes of those ``codes`` that are scored on both sessions (others are left out)."""
        version = self.service.store.versioned.current_version() or ""
        with self._lock:
            if version != self._version:
                self._changes, self._version = {}, version
            wanted = [c for c in dict.fromkeys(codes) if c not in self._changes]
            if wanted:
                try:
                    tables = self._tables()
                except UserError:  # the store has no stock bars
                    tables = None
                for code in wanted:
                    self._changes[code] = score_change(*tables, code) if tables else None
            return {c: ch for c in codes if (ch := self._changes.get(c)) is not None}
