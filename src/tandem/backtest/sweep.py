"""Parameter sweeps on whichever batch runner the caller chose, with a heatmap and a walk-forward check.

Results come as a table plus a heatmap; the walk-forward split warns when the in-sample ranking does not
hold out of sample.

Each task runs the whole grid over one chunk of stocks through
:func:`tandem.backtest.grid.ma_grid_final_equity`: integer-cent window sums once per window length per stock,
the exact crossover decisions inside the kernel, the same fill rules — bit for bit what ``ma_cross`` +
``final_equity`` give pair by pair (a test checks it). The sweep is split into as many stock chunks as the
runner has workers; each item carries only its own price columns, and the pairs and config travel inside a
``functools.partial`` of a module-level function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import structlog

from tandem.backtest.charts import heatmap
from tandem.backtest.config import ExecutionConfig
from tandem.backtest.grid import ma_grid_final_equity, price_market
from tandem.backtest.signals import to_cents
from tandem.compute import BatchRunner, SerialRunner
from tandem.core.errors import ValidationFailed

log = structlog.get_logger(__name__)


def _ma_chunk(
    config: ExecutionConfig, pairs: tuple[tuple[int, int], ...], close: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Final equity of every pair on one chunk of stocks, shaped pairs × stocks."""
    cents = to_cents(close)
    n = close.shape[1]
    dates = np.arange(close.shape[0]).astype("datetime64[D]")
    market = price_market(dates, ["600000.SH"] * n, cents / 100.0)
    return ma_grid_final_equity(cents, list(pairs), market, config).reshape(len(pairs), n)


@dataclass(frozen=True)
class SweepResult:
    """One row per parameter pair: mean total return over stocks and the share of stocks that gained."""

    table: pd.DataFrame

    def pivot(self, metric: str = "mean_return") -> pd.DataFrame:
        """Fast × slow table of one metric."""
        return self.table.pivot(index="fast", columns="slow", values=metric)

    def heatmap_png(self, metric: str = "mean_return") -> bytes:
        """The heatmap of ``metric`` as PNG bytes."""
        return heatmap(self.pivot(metric), f"双均线参数 {metric}")


def ma_sweep(
    close: pd.DataFrame,
    fasts: Sequence[int],
    slows: Sequence[int],
    config: ExecutionConfig | None = None,
    *,
    runner: BatchRunner | None = None,
) -> SweepResult:
    """Dual-MA crossover over every (fast < slow) pair, each stock its own portfolio (frictionless default).

    Stock chunks run on ``runner`` (default: this process), one chunk per worker.
    """
    cfg = config or ExecutionConfig.frictionless()
    pairs = [(f, s) for f in fasts for s in slows if f < s]
    if not pairs:
        raise ValidationFailed("no (fast, slow) pair with fast < slow; widen the parameter ranges")
    if close.shape[0] <= max(s for _, s in pairs):
        raise ValidationFailed(f"{close.shape[0]} days are not enough for a {max(s for _, s in pairs)}-day MA")
    if close.shape[1] == 0:
        raise ValidationFailed("the price panel has no stock columns; pass at least one stock's closes")
    arr = close.to_numpy(dtype=np.float64)
    run = runner or SerialRunner()
    parts = np.array_split(np.arange(arr.shape[1]), min(max(run.workers, 1), arr.shape[1]))
    chunks = [np.ascontiguousarray(arr[:, idx]) for idx in parts]
    equity = np.hstack(run.map(partial(_ma_chunk, cfg, tuple(pairs)), chunks, chunksize=1))
    rows: list[dict[str, Any]] = []
    for (f, s), eq in zip(pairs, equity, strict=True):
        ret = eq / cfg.initial_cash - 1.0
        rows.append({"fast": f, "slow": s, "mean_return": float(ret.mean()), "hit_rate": float((ret > 0).mean())})
    return SweepResult(pd.DataFrame(rows))


@dataclass(frozen=True)
class WalkForward:
    """In-sample vs out-of-sample results of the same grid, with the overfitting verdict."""

    in_sample: SweepResult
    out_of_sample: SweepResult
    rank_correlation: float
    best_params: tuple[int, int]
    best_oos_percentile: float
    warning: str | None


def walk_forward(
    close: pd.DataFrame,
    fasts: Sequence[int],
    slows: Sequence[int],
    config: ExecutionConfig | None = None,
    *,
    split: float = 0.7,
    runner: BatchRunner | None = None,
) -> WalkForward:
    """Sweep the first ``split`` of the days, then the rest; warn when the in-sample ranking falls apart."""
    if not 0.2 <= split <= 0.9:
        raise ValidationFailed(f"split {split} must be within 0.2..0.9")
    cut = int(len(close) * split)
    ins = ma_sweep(close.iloc[:cut], fasts, slows, config, runner=runner)
    oos = ma_sweep(close.iloc[cut:], fasts, slows, config, runner=runner)
    a = ins.table["mean_return"].rank()
    b = oos.table["mean_return"].rank()
    corr = float(np.corrcoef(a, b)[0, 1]) if len(a) > 2 else float("nan")
    best = int(np.argmax(ins.table["mean_return"].to_numpy()))
    pct = float(b.iloc[best] / len(b))
    row = ins.table.iloc[best]
    params = (int(row["fast"]), int(row["slow"]))
    warning = None
    if not np.isfinite(corr) or corr < 0.3 or pct < 0.5:
        warning = (
            f"possible overfitting: the in-sample best {params} ranks in the {pct:.0%} percentile out of sample and "
            f"the in/out-of-sample rank correlation is {corr:.2f}; prefer a robust region of the heatmap"
        )
        log.warning("walk-forward overfitting warning", params=params, oos_percentile=pct, rank_corr=corr)
    return WalkForward(ins, oos, corr, params, pct, warning)
