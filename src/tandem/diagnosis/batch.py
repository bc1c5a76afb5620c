"""Whole-market diagnosis: one snapshot, every scorer vectorized over the cross-section, in-process or on Ray.

Ray parallelises the per-code metrics step by splitting the codes into chunks (each task gets the shared snapshot
by reference and computes its chunk); the cross-sectional scoring and the composite then run once on the driver,
so percentiles and ranks are the same as in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from tandem.diagnosis.scorers import Scorer
from tandem.diagnosis.snapshot import Snapshot, load_snapshot
from tandem.diagnosis.table import MarketTable, MetricsRunner, build_table, local_metrics
from tandem.marketdata.store import MarketStore

Progress = Callable[[str, int, int], None]


def _chunk_metrics(snap: Snapshot, codes: list[str], scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
    return local_metrics(snap.subset(codes), scorers)


def ray_metrics(chunks: int = 4) -> MetricsRunner:
    """A metrics runner that spreads code chunks over Ray workers (``ray.init`` must have run, or runs locally)."""

    def run(snap: Snapshot, scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
        import ray

        if not ray.is_initialized():
            ray.init(include_dashboard=False, log_to_driver=False)
        remote = ray.remote(_chunk_metrics)
        ref = ray.put(snap)
        parts = [list(p) for p in np.array_split(np.asarray(snap.codes), chunks) if len(p)]
        results = ray.get([remote.remote(ref, p, scorers) for p in parts])
        return {s.key: pd.concat([r[s.key] for r in results]) for s in scorers}

    return run


def _tracked(runner: MetricsRunner, progress: Progress | None) -> MetricsRunner:
    def run(snap: Snapshot, scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
        if progress is None or runner is not local_metrics:
            return runner(snap, scorers)
        out = {}
        for i, s in enumerate(scorers):
            progress(f"{s.label_en}", i, len(scorers))
            out[s.key] = s.metrics(snap)
        return out

    return run


def diagnose_all(
    store: MarketStore,
    as_of: date,
    *,
    runner: MetricsRunner = local_metrics,
    progress: Progress | None = None,
) -> MarketTable:
    """Score every stock in the store as of ``as_of``; returns the market table (see ``MarketTable.summary``)."""
    if progress:
        progress("loading snapshot", 0, 1)
    snap = load_snapshot(store, as_of)
    table = build_table(snap, runner=_tracked(runner, progress))
    if progress:
        progress("done", 1, 1)
    return table
