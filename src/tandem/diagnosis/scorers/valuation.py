"""Valuation: where today's PE/PB/PS sit in the stock's own 5-year history and among its industry peers.

Cheaper than its own history and its peers scores high. Negative ratios (loss makers) are left out rather than
ranked, because a negative PE is not "cheap".
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tandem.core.i18n import Message
from tandem.diagnosis.fmt import is_num, num, pct
from tandem.diagnosis.models import DimensionScore, Evidence
from tandem.diagnosis.scorers.base import Scorer, industry_pct_rank, last_valid, reasons, weighted, with_score
from tandem.diagnosis.snapshot import Snapshot

MIN_HISTORY = 250
SOURCE = "daily_bars.{field} (BaoStock daily valuation)"


def _own_percentile(panel: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Current value, its percentile within the panel's history, and the number of valid days."""
    pos = panel.where(panel > 0)
    current = last_valid(panel)
    current = current.where(current > 0)
    valid = pos.notna().sum()
    below = (pos.le(current, axis=1)).sum()
    share = (below / valid.replace(0, np.nan)).where(valid >= MIN_HISTORY)
    return current, share.where(current.notna()), valid


class ValuationScorer(Scorer):
    """PE TTM / PB MRQ / PS TTM percentiles vs own 5 years and vs industry (low percentile = high score)."""

    key = "valuation"
    label = Message("diag.dim.valuation")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Current ratios and own-history percentiles."""
        out = pd.DataFrame(index=snap.close.columns)
        for name, panel in (("pe", snap.pe), ("pb", snap.pb), ("ps", snap.ps)):
            cur, share, valid = _own_percentile(panel)
            out[name] = cur
            out[f"{name}_own_pct"] = share
            out[f"{name}_days"] = valid
        none = out[["pe", "pb", "ps"]].isna().all(axis=1)
        out["missing"] = reasons(out.index, none, "no positive PE/PB/PS in daily_bars (loss maker or no data)")
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Cheapness = 1 − mean percentile over own-history PE/PB/PS and industry PE."""
        m = metrics.copy()
        m["pe_ind_pct"] = industry_pct_rank(m["pe"], ref["industry"])
        m["pb_ind_pct"] = industry_pct_rank(m["pb"], ref["industry"])
        rich = weighted(
            [
                (m["pe_own_pct"], 0.3),
                (m["pb_own_pct"], 0.2),
                (m["ps_own_pct"], 0.1),
                (m["pe_ind_pct"], 0.25),
                (m["pb_ind_pct"], 0.15),
            ]
        )
        return with_score(m, 100.0 * (1.0 - rich))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: PE and PB with their percentiles."""
        ev: list[Evidence] = []
        for name, field in (("pe", "pe_ttm"), ("pb", "pb_mrq")):
            if is_num(row[name]):
                ev.append(
                    Evidence(
                        name,
                        Message(f"diag.ev.{name}"),
                        float(row[name]),
                        num(row[name]),
                        SOURCE.format(field=field),
                        day,
                    )
                )
            if is_num(row[f"{name}_own_pct"]):
                ev.append(
                    Evidence(
                        f"{name}_own_pct",
                        Message(f"diag.ev.{name}_own_pct"),
                        float(row[f"{name}_own_pct"]),
                        pct(row[f"{name}_own_pct"], 0),
                        SOURCE.format(field=field) + f", {int(row[f'{name}_days'])} trading days",
                        day,
                    )
                )
        if is_num(row["pe_ind_pct"]) and len(ev) < 4:
            ev.append(
                Evidence(
                    "pe_ind_pct",
                    Message("diag.ev.pe_ind_pct"),
                    float(row["pe_ind_pct"]),
                    pct(row["pe_ind_pct"], 0),
                    "daily_bars.pe_ttm cross-section by instruments.industry",
                    day,
                )
            )
        s = row.get("score")
        verdict = Message("diag.val.cheap") if is_num(s) and s >= 65 else Message("diag.val.fair")
        if is_num(s) and s < 35:
            verdict = Message("diag.val.rich")
        return self.dimension(row, verdict, ev)
