"""The scorer contract and the cross-sectional helpers every scorer shares.

A scorer has one job — one dimension — split in three steps so the whole market is scored at once:

* ``metrics(snap)``: time-series work per code, vectorized over the panel columns; independent per code, so it can
  run on chunks of codes in parallel (Ray). Returns a frame indexed by code; a ``missing`` column (text or None)
  says which data is missing and why.
* ``score(metrics, ref)``: cross-sectional work on the whole market (percentiles, industry ranks); adds ``score``
  (0–100, NaN exactly where ``missing`` is set).
* ``explain(code, row, day)``: the :class:`DimensionScore` of one code with its 2–4 evidence items.

To add a dimension: subclass :class:`Scorer`, implement the three methods, add it to ``scorers.ALL`` and give it
a weight in :mod:`tandem.diagnosis.composite`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import ClassVar

import numpy as np
import pandas as pd

from tandem.core.i18n import Joined, Message
from tandem.diagnosis.fmt import is_num
from tandem.diagnosis.models import DimensionScore, Evidence
from tandem.diagnosis.reasons import missing_reason
from tandem.diagnosis.snapshot import Snapshot


class Scorer(ABC):
    """One diagnosis dimension (see the module docstring for the three steps)."""

    key: ClassVar[str]
    label: ClassVar[Message]
    is_proxy: ClassVar[bool] = False

    @abstractmethod
    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Per-code metrics (index = code) with a ``missing`` column."""

    @abstractmethod
    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """``metrics`` plus cross-sectional columns and ``score``."""

    @abstractmethod
    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """The dimension for one code from its row of the scored table."""

    def missing_dimension(self, reason: str) -> DimensionScore:
        """A dimension that could not be scored, saying why (never a silent zero)."""
        return DimensionScore(
            self.key,
            self.label,
            None,
            Message("diag.not_scored"),
            (),
            missing=reason,
            is_proxy=self.is_proxy,
            missing_reason=missing_reason(reason),
        )

    def dimension(
        self, row: pd.Series, verdict: Message | Joined, evidence: list[Evidence], *, is_proxy: bool | None = None
    ) -> DimensionScore:
        """A scored dimension (or the missing one when the row says so)."""
        missing = row.get("missing")
        if isinstance(missing, str) and missing:
            return self.missing_dimension(missing)
        s = row.get("score")
        if not is_num(s):
            return self.missing_dimension("score could not be computed from the available data")
        return DimensionScore(
            self.key,
            self.label,
            round(float(s)),
            verdict,
            tuple(evidence[:4]),
            is_proxy=self.is_proxy if is_proxy is None else is_proxy,
        )


def reasons(index: pd.Index, mask: pd.Series | np.ndarray, text: str) -> pd.Series:
    """A ``missing`` column: ``text`` where ``mask`` is true, None elsewhere."""
    out = pd.Series([None] * len(index), index=index, dtype=object)
    out[np.asarray(mask, dtype=bool)] = text
    return out


def last_row(panel: pd.DataFrame) -> pd.Series:
    """The last row of a panel (the snapshot day)."""
    return panel.iloc[-1]


def last_valid(panel: pd.DataFrame) -> pd.Series:
    """Each column's last non-NaN value."""
    return panel.ffill().iloc[-1]


def pct_rank(x: pd.Series) -> pd.Series:
    """Cross-sectional percentile in (0, 1] (NaN stays NaN)."""
    return x.rank(pct=True)


def industry_pct_rank(x: pd.Series, industry: pd.Series, min_peers: int = 3) -> pd.Series:
    """Percentile of ``x`` within its industry; NaN where the industry has fewer than ``min_peers`` values."""
    groups = industry.reindex(x.index)
    ranks = x.groupby(groups).rank(pct=True)
    counts = x.groupby(groups).transform("count")
    return ranks.where(counts >= min_peers)


def clip_scale(x: pd.Series, lo: float, hi: float) -> pd.Series:
    """Linear map of ``[lo, hi]`` to ``[0, 1]``, clipped."""
    return ((x - lo) / (hi - lo)).clip(0.0, 1.0)


def weighted(parts: list[tuple[pd.Series, float]]) -> pd.Series:
    """Weighted mean of the available (non-NaN) parts per code; NaN when none is available."""
    num = sum((p.fillna(0.0) * w for p, w in parts), start=pd.Series(0.0, index=parts[0][0].index))
    den = sum(((p.notna()) * w for p, w in parts), start=pd.Series(0.0, index=parts[0][0].index))
    return (num / den.replace(0.0, np.nan)).astype(float)


def with_score(metrics: pd.DataFrame, score: pd.Series) -> pd.DataFrame:
    """Attach ``score`` (0–100), forcing NaN where a ``missing`` reason is set and a reason where it is NaN."""
    out = metrics.copy()
    s = score.clip(0.0, 100.0)
    has_reason = out["missing"].notna()
    out["score"] = s.where(~has_reason)
    unexplained = out["score"].isna() & ~has_reason
    out.loc[unexplained, "missing"] = "not enough data to compute this dimension on this day"
    return out
