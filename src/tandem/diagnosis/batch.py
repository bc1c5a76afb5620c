"""Whole-market diagnosis: one snapshot, every scorer vectorized over the cross-section, on any batch runner.

Without a runner the metrics step runs here, scorer by scorer. With one, the codes are split into one part per
worker and each part's metrics run as a batch item (the shared snapshot travels with the task function, so Ray
stores it once); the cross-sectional scoring and the composite then run once here, so percentiles and ranks are
the same as in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from tandem.compute import BatchRunner
from tandem.diagnosis.scorers import Scorer
from tandem.diagnosis.snapshot import Snapshot, load_snapshot
from tandem.diagnosis.table import MarketTable, MetricsRunner, build_table, local_metrics
from tandem.marketdata.store import MarketStore

Progress = Callable[[str, int, int], None]


def _chunk_metrics(snap: Snapshot, scorers: Sequence[Scorer], codes: list[str]) -> dict[str, pd.DataFrame]:
    return local_metrics(snap.subset(codes), scorers)


def batch_metrics(runner: BatchRunner, progress: Progress | None = None) -> MetricsRunner:
    """A metrics runner that spreads code parts, one per worker of ``runner``, over that runner."""

    def run(snap: Snapshot, scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
        parts = [list(p) for p in np.array_split(np.asarray(snap.codes), runner.workers) if len(p)]
        step = None if progress is None else partial(progress, "metrics")
        results = runner.map(partial(_chunk_metrics, snap, tuple(scorers)), parts, chunksize=1, progress=step)
        return {s.key: pd.concat([r[s.key] for r in results]) for s in scorers}

    return run


def _serial_metrics(progress: Progress | None) -> MetricsRunner:
    def run(snap: Snapshot, scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
        out = {}
        for i, s in enumerate(scorers):
            if progress is not None:
                progress(s.label.render("en"), i, len(scorers))
            out[s.key] = s.metrics(snap)
        return out

    return run


def diagnose_all(
    store: MarketStore,
    as_of: date,
    *,
    runner: BatchRunner | None = None,
    progress: Progress | None = None,
) -> MarketTable:
    """Score every stock in the store as of ``as_of``; returns the market table (see ``MarketTable.summary``).

    ``runner`` spreads the metrics step (default: scorer by scorer in this process, with progress per scorer).
    """
    if progress:
        progress("loading snapshot", 0, 1)
    snap = load_snapshot(store, as_of)
    metrics = _serial_metrics(progress) if runner is None else batch_metrics(runner, progress)
    table = build_table(snap, runner=metrics)
    if progress:
        progress("done", 1, 1)
    return table
