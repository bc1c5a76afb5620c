"""The market table: every scorer run over the whole cross-section of one day, plus the composite and its rank.

Single-stock diagnoses read their row from this table, so a stock's rank and percentiles are the same whether it
is diagnosed alone or in the nightly batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from tandem.diagnosis.composite import composite_scores
from tandem.diagnosis.scorers import Scorer, all_scorers
from tandem.diagnosis.snapshot import Snapshot

MetricsRunner = Callable[[Snapshot, Sequence[Scorer]], dict[str, pd.DataFrame]]


@dataclass(frozen=True, slots=True)
class MarketTable:
    """Scored tables per dimension key, the code × dimension score frame, and the composite frame."""

    snapshot: Snapshot
    tables: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    composite: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per code: name, industry, ``score_<dimension>`` columns, composite and rank (for storage)."""
        ref = self.snapshot.ref
        scores = self.scores.add_prefix("score_")
        out = pd.concat([ref[["name", "industry", "board"]], scores, self.composite], axis=1)
        out.index.name = "code"
        out = out.reset_index()
        out.insert(1, "as_of", self.snapshot.as_of)
        out.insert(2, "data_date", self.snapshot.day)
        return out


def local_metrics(snap: Snapshot, scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
    """Run every scorer's metrics step in this process over the whole panel."""
    return {s.key: s.metrics(snap) for s in scorers}


def build_table(
    snap: Snapshot, *, scorers: Sequence[Scorer] | None = None, runner: MetricsRunner = local_metrics
) -> MarketTable:
    """Metrics (via ``runner``: local or Ray), then the cross-sectional scores and the composite."""
    chosen = tuple(scorers) if scorers is not None else all_scorers()
    metrics = runner(snap, chosen)
    tables = {s.key: s.score(metrics[s.key], snap.ref) for s in chosen}
    scores = pd.DataFrame({k: t["score"].astype(float) for k, t in tables.items()})
    return MarketTable(snap, tables, scores, composite_scores(scores))
