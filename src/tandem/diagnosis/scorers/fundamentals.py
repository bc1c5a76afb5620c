"""Profitability, growth and financial health from reports announced on or before the snapshot day.

Each field carries its own report period: a store may hold ROE for the latest quarter but revenue only for the
last half-year, and the evidence says which period each number belongs to. Reports older than
``STALE_DAYS`` at the snapshot day are still used but flagged in the verdict.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from tandem.core.i18n import Message
from tandem.diagnosis.fmt import is_num, num, pct, signed_pct
from tandem.diagnosis.models import DimensionScore, Evidence
from tandem.diagnosis.scorers.base import Scorer, clip_scale, industry_pct_rank, pct_rank, reasons, weighted, with_score
from tandem.diagnosis.snapshot import Snapshot

STALE_DAYS = 270
MAX_AGE_DAYS = 730
"""Balance-sheet and cash-flow figures announced longer ago than this are treated as missing, not as current."""
CASHFLOW_FIELDS = ("cfo_to_np", "sina_cf_to_net_profit")


def latest(fund: pd.DataFrame, codes: pd.Index, field: str, rank: int = 1) -> pd.DataFrame:
    """Value, report period and announce date of ``field`` at ``rank`` (1 = latest report) per code."""
    sel = fund[(fund["field"] == field) & (fund["rank"] == rank)].drop_duplicates("code").set_index("code")
    out = pd.DataFrame(index=codes)
    out["value"] = sel["value"].reindex(codes).astype(float)
    out["period"] = pd.to_datetime(sel["report_period"]).reindex(codes)
    out["announced"] = pd.to_datetime(sel["announce_date"]).reindex(codes)
    out["source"] = sel["source"].reindex(codes)
    return out


def _fund_evidence(row: pd.Series, name: str, display: str, field: str) -> Evidence:
    period = row[f"{name}_period"]
    announced = row[f"{name}_announced"]
    src = f"fundamentals.{field} ({row[f'{name}_source']}), report {period.date()}, announced {announced.date()}"
    return Evidence(
        name, Message(f"diag.ev.{name}"), float(row[name]), display, src, period.date(), period=period.date()
    )


def _stale_note(row: pd.Series, name: str, day: date) -> Message | str:
    announced = row.get(f"{name}_announced")
    if isinstance(announced, pd.Timestamp) and (day - announced.date()).days > STALE_DAYS:
        return Message("diag.note.stale")
    return ""


def _attach(out: pd.DataFrame, name: str, frame: pd.DataFrame) -> None:
    out[name] = frame["value"]
    out[f"{name}_period"] = frame["period"]
    out[f"{name}_announced"] = frame["announced"]
    out[f"{name}_source"] = frame["source"]


class ProfitabilityScorer(Scorer):
    """ROE (annualised from the year-to-date figure), net and gross margin; half market percentile, half absolute."""

    key = "profitability"
    label = Message("diag.dim.profitability")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Latest ROE and margins with their periods."""
        out = pd.DataFrame(index=snap.close.columns)
        for name in ("roe_avg", "np_margin", "gp_margin"):
            _attach(out, name, latest(snap.fund, out.index, name))
        months = out["roe_avg_period"].dt.month.astype(float)
        out["roe_ann"] = out["roe_avg"] * 12.0 / months
        none = out[["roe_avg", "np_margin"]].isna().all(axis=1)
        out["missing"] = reasons(out.index, none, "no ROE or net margin in fundamentals announced by this day")
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Blend of market percentile and absolute level (ROE 0–25 %, net margin 0–30 %)."""
        m = metrics
        rel = weighted(
            [(pct_rank(m["roe_ann"]), 0.5), (pct_rank(m["np_margin"]), 0.3), (pct_rank(m["gp_margin"]), 0.2)]
        )
        ab = weighted([(clip_scale(m["roe_ann"], 0.0, 0.25), 0.6), (clip_scale(m["np_margin"], 0.0, 0.30), 0.4)])
        return with_score(m, 100.0 * weighted([(rel, 0.5), (ab, 0.5)]))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: ROE (annualised), net margin, gross margin."""
        ev: list[Evidence] = []
        if is_num(row["roe_avg"]):
            roe = pct(row["roe_avg"])
            ev.append(_fund_evidence(row, "roe_avg", roe, "roe_avg"))
            ev.append(
                Evidence(
                    "roe_ann",
                    Message("diag.ev.roe_ann"),
                    float(row["roe_ann"]),
                    pct(row["roe_ann"]),
                    f"fundamentals.roe_avg × 12 / {int(row['roe_avg_period'].month)} months, "
                    f"report {row['roe_avg_period'].date()}",
                    row["roe_avg_period"].date(),
                    period=row["roe_avg_period"].date(),
                )
            )
        if is_num(row["np_margin"]):
            ev.append(_fund_evidence(row, "np_margin", pct(row["np_margin"]), "np_margin"))
        if is_num(row["gp_margin"]):
            gp = pct(row["gp_margin"])
            ev.append(_fund_evidence(row, "gp_margin", gp, "gp_margin"))
        s = row.get("score")
        level = "average"
        if is_num(s) and s >= 65:
            level = "strong"
        if is_num(s) and s < 35:
            level = "weak"
        return self.dimension(row, Message(f"diag.prof.{level}", {"note": _stale_note(row, "roe_avg", day)}), ev)


class GrowthScorer(Scorer):
    """Net-profit and revenue YoY and the change of net-profit YoY since the previous report (acceleration)."""

    key = "growth"
    label = Message("diag.dim.growth")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Latest and previous profit YoY, revenue YoY from two reports one year apart."""
        out = pd.DataFrame(index=snap.close.columns)
        _attach(out, "yoy_ni", latest(snap.fund, out.index, "yoy_ni"))
        prev = latest(snap.fund, out.index, "yoy_ni", rank=2)
        out["yoy_ni_prev"] = prev["value"]
        out["yoy_ni_prev_period"] = prev["period"]
        out["accel"] = out["yoy_ni"] - out["yoy_ni_prev"]
        rev = snap.fund[snap.fund["field"] == "revenue"].copy()
        rev["report_period"] = pd.to_datetime(rev["report_period"])
        cur = latest(snap.fund, out.index, "revenue")
        shifted = rev.assign(report_period=rev["report_period"] + pd.DateOffset(years=1))
        base = shifted.set_index(["code", "report_period"])["value"]
        key = pd.MultiIndex.from_arrays([out.index, cur["period"]])
        prior = pd.Series(base[~base.index.duplicated()].reindex(key).to_numpy(), index=out.index)
        _attach(out, "rev_yoy", cur.assign(value=cur["value"] / prior.where(prior > 0) - 1.0))
        out["missing"] = reasons(out.index, out["yoy_ni"].isna(), "no profit YoY (yoy_ni) in fundamentals by this day")
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Blend of market percentile and absolute level (profit YoY −50 %…+50 %)."""
        m = metrics
        rel = weighted([(pct_rank(m["yoy_ni"]), 0.5), (pct_rank(m["accel"]), 0.25), (pct_rank(m["rev_yoy"]), 0.25)])
        ab = weighted([(clip_scale(m["yoy_ni"], -0.5, 0.5), 0.6), (clip_scale(m["rev_yoy"], -0.3, 0.3), 0.4)])
        return with_score(m, 100.0 * weighted([(rel, 0.5), (ab, 0.5)]))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: profit YoY, its acceleration, revenue YoY."""
        ev: list[Evidence] = []
        if is_num(row["yoy_ni"]):
            yoy = signed_pct(row["yoy_ni"])
            ev.append(_fund_evidence(row, "yoy_ni", yoy, "yoy_ni"))
        if is_num(row["accel"]):
            ev.append(
                Evidence(
                    "accel",
                    Message("diag.ev.accel"),
                    float(row["accel"]),
                    signed_pct(row["accel"]),
                    f"fundamentals.yoy_ni, report {row['yoy_ni_period'].date()} minus "
                    f"report {row['yoy_ni_prev_period'].date()}",
                    row["yoy_ni_period"].date(),
                    period=row["yoy_ni_period"].date(),
                )
            )
        if is_num(row["rev_yoy"]):
            rev = _fund_evidence(row, "rev_yoy", signed_pct(row["rev_yoy"]), "revenue")
            base = (row["rev_yoy_period"] - pd.DateOffset(years=1)).date()
            ev.append(replace(rev, source=f"{rev.source}; vs fundamentals.revenue report {base}"))
        s = row.get("score")
        pace = "fast" if is_num(s) and s >= 65 else "steady"
        if is_num(s) and s < 35:
            pace = "slowing"
        return self.dimension(row, Message(f"diag.growth.{pace}", {"note": _stale_note(row, "yoy_ni", day)}), ev)


class HealthScorer(Scorer):
    """Debt ratio (within-industry, since banks run high leverage by design) and operating cash flow / profit."""

    key = "health"
    label = Message("diag.dim.health")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Latest debt ratio and CFO / net profit."""
        out = pd.DataFrame(index=snap.close.columns)
        _attach(out, "debt_ratio", latest(snap.fund, out.index, "debt_ratio"))
        cash = latest(snap.fund, out.index, CASHFLOW_FIELDS[0])
        for alias in CASHFLOW_FIELDS[1:]:
            cash = cash.combine_first(latest(snap.fund, out.index, alias))
        _attach(out, "cfo_to_np", cash)
        cutoff = pd.Timestamp(snap.day) - pd.Timedelta(days=MAX_AGE_DAYS)
        for name in ("debt_ratio", "cfo_to_np"):
            old = out[f"{name}_announced"] < cutoff
            out.loc[old, name] = np.nan
        out["missing"] = reasons(
            out.index,
            out["cfo_to_np"].isna() & out["debt_ratio"].isna(),
            "no cash-flow data for this period, and no balance-sheet debt ratio (debt_ratio) "
            f"announced within {MAX_AGE_DAYS} days before this day",
        )
        out["no_cashflow"] = out["cfo_to_np"].isna()
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Low debt within industry and cash earnings ≥ profit score high."""
        m = metrics.copy()
        debt_rel = industry_pct_rank(m["debt_ratio"], ref["industry"])
        debt = weighted([(1.0 - debt_rel, 0.5), (1.0 - clip_scale(m["debt_ratio"], 0.3, 0.9), 0.5)])
        cash = clip_scale(m["cfo_to_np"], 0.0, 1.2)
        return with_score(m, 100.0 * weighted([(debt, 0.5), (cash, 0.5)]))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: debt ratio and CFO / net profit (or the note that cash-flow data is missing)."""
        ev: list[Evidence] = []
        if is_num(row["debt_ratio"]):
            debt = pct(row["debt_ratio"])
            ev.append(_fund_evidence(row, "debt_ratio", debt, "debt_ratio"))
        if is_num(row["cfo_to_np"]):
            ev.append(
                _fund_evidence(
                    row,
                    "cfo_to_np",
                    num(row["cfo_to_np"]),
                    "cfo_to_np",
                )
            )
        note: Message | str = Message("diag.note.no_cashflow") if row["no_cashflow"] else ""
        s = row.get("score")
        base = "diag.health.sound" if is_num(s) and s >= 60 else "diag.health.average"
        return self.dimension(row, Message(base, {"note": note}), ev)
