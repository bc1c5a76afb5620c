"""Risk (volatility, drawdown, beta, limit-down days, ST, suspensions) and industry standing.

Limit-down days are counted with the dated rulebook: the band in force for each board, day and ST status
(``price_limit_pct_array``), the limit price rounded to the tick (``limit_prices``), compared with the raw close.
Days inside a new listing's no-limit window have no band and never count.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tandem.core.i18n import Joined, Message
from tandem.core.rulebook import limit_prices, price_limit_pct_array
from tandem.diagnosis import signals
from tandem.diagnosis.fmt import is_num, num, pct, yi
from tandem.diagnosis.models import DimensionScore, Evidence
from tandem.diagnosis.scorers.base import Scorer, last_row, pct_rank, reasons, weighted, with_score
from tandem.diagnosis.scorers.fundamentals import latest
from tandem.diagnosis.snapshot import BENCHMARK, Snapshot

YEAR = 250
BARS = "daily_bars (qfq at the snapshot day)"


def limit_down_days(snap: Snapshot, window: int = YEAR) -> pd.Series:
    """Days in the last ``window`` sessions each code closed at its limit-down price (rulebook bands)."""
    close = snap.raw_close.iloc[-window:]
    pre = snap.raw_preclose.iloc[-window:]
    boards = np.broadcast_to(snap.ref["board"].to_numpy(dtype=str), close.shape)
    days = np.broadcast_to(close.index.to_numpy(dtype="datetime64[D]")[:, None], close.shape)
    listed = snap.raw_close.notna().cumsum()
    first_row_listed = snap.raw_close.iloc[0].notna().to_numpy()
    session_no = (listed + np.where(first_row_listed, 10_000, 0)).iloc[-window:].to_numpy()
    band = price_limit_pct_array(boards, days, snap.is_st.iloc[-window:].to_numpy(), session_no)
    _, down = limit_prices(pre.to_numpy(), band)
    hit = (close.to_numpy() <= down + 1e-9) & ~snap.suspended.iloc[-window:].to_numpy() & np.isfinite(down)
    return pd.Series(hit.sum(axis=0), index=close.columns)


class RiskScorer(Scorer):
    """Low volatility / drawdown / beta percentiles score high; limit-down days, suspensions and ST cut the score."""

    key = "risk"
    label = Message("diag.dim.risk")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """120-day volatility, 1-year max drawdown and beta, limit-down days, ST, 60-day suspensions."""
        out = pd.DataFrame(index=snap.close.columns)
        ret = snap.close.ffill().pct_change(fill_method=None).where(snap.close.notna())
        bench_ret = snap.bench.ffill().pct_change(fill_method=None)
        out["vol120"] = signals.volatility(ret, 120).ffill().iloc[-1]
        year = snap.close.iloc[-YEAR:]
        out["mdd250"] = signals.drawdown(year).min()
        out["beta250"] = signals.beta(ret, bench_ret, YEAR).ffill().iloc[-1]
        out["limit_down"] = limit_down_days(snap)
        out["is_st"] = last_row(snap.is_st)
        since = snap.ref["st_since"] if "st_since" in snap.ref.columns else pd.Series(pd.NaT, index=snap.ref.index)
        out["st_since"] = pd.to_datetime(since.reindex(out.index)).where(out["is_st"].astype(bool))
        out["susp60"] = snap.suspended.iloc[-60:].sum()
        enough = snap.close.notna().sum() >= 120
        out["missing"] = reasons(out.index, ~enough, "fewer than 120 traded days: volatility and drawdown undefined")
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """100 × (1 − risk percentile) − 8 per limit-down day (max 32) − 1 per suspended day (max 10); ST ≤ 20."""
        m = metrics
        level = weighted([(pct_rank(m["vol120"]), 0.45), (pct_rank(-m["mdd250"]), 0.35), (pct_rank(m["beta250"]), 0.2)])
        s = 100.0 * (1.0 - level) - (8.0 * m["limit_down"]).clip(upper=32.0) - m["susp60"].clip(upper=10.0)
        s = s.where(~m["is_st"].astype(bool), s.clip(upper=20.0))
        return with_score(m, s)

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: volatility, max drawdown, beta, limit-down days; on an ST day the risk warning comes first.

        BaoStock's flag covers ST and *ST alike, so the evidence says "ST/*ST" rather than pick one; its value is the
        first day of the current risk-warning period (``st_periods``). Evidence is capped at four items, so the
        warning leads and beta (the least telling) is the one dropped.
        """
        st = _st_evidence(row, day)
        ev = [
            *st,
            Evidence("vol120", Message("diag.ev.vol120"), float(row["vol120"]),
                     pct(row["vol120"]), BARS, day),
            Evidence("mdd250", Message("diag.ev.mdd250"), float(row["mdd250"]), pct(row["mdd250"]),
                     BARS, day),
        ]  # fmt: skip
        if is_num(row["beta250"]) and not st:
            ev.append(Evidence("beta250", Message("diag.ev.beta250"), float(row["beta250"]),
                               num(row["beta250"]), f"{BARS} vs index_bars {BENCHMARK}", day))  # fmt: skip
        ev.append(Evidence("limit_down", Message("diag.ev.limit_down"), int(row["limit_down"]),
                           str(int(row["limit_down"])), "daily_bars raw close vs tandem.core.rulebook limit price",
                           day))  # fmt: skip
        s = row.get("score")
        parts = [Message("diag.risk.low") if is_num(s) and s >= 60 else Message("diag.risk.moderate")]
        if is_num(s) and s < 40:
            parts = [Message("diag.risk.high")]
        if row["is_st"]:
            parts.append(Message("diag.risk.st"))
        if row["susp60"] > 0:
            parts.append(Message("diag.risk.suspended", {"days": int(row["susp60"])}))
        return self.dimension(row, Joined(tuple(parts), "sep.clause"), ev)


def _st_evidence(row: pd.Series, day: date) -> list[Evidence]:
    """The risk-warning item (first day of the current ST period) when the code is ST on the snapshot day."""
    since = row.get("st_since")
    if not row["is_st"] or not isinstance(since, pd.Timestamp) or pd.isna(since):
        return []
    first = since.date().isoformat()
    return [
        Evidence("st", Message("diag.ev.st"), first, first,
                 "st_periods (BaoStock isST per day; ST and *ST not told apart)", day),
    ]  # fmt: skip


class IndustryStandingScorer(Scorer):
    """Rank within the industry by market value (raw close × total shares) and by annualised ROE."""

    key = "industry"
    label = Message("diag.dim.industry")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Market value and ROE per code."""
        out = pd.DataFrame(index=snap.close.columns)
        shares = latest(snap.fund, out.index, "total_share")
        out["mcap"] = snap.raw_close.ffill().iloc[-1] * shares["value"]
        out["mcap_period"] = shares["period"]
        roe = latest(snap.fund, out.index, "roe_avg")
        out["roe_ann"] = roe["value"] * 12.0 / roe["period"].dt.month.astype(float)
        out["missing"] = reasons(out.index, out["mcap"].isna(), "no total_share in fundamentals: market value unknown")
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Mean of the two within-industry rank scores; needs 3 peers in the store."""
        m = metrics.copy()
        ind = ref["industry"].reindex(m.index)
        m["industry"] = ind
        m["peers"] = m["mcap"].groupby(ind).transform("count")
        m["mcap_rank"] = m["mcap"].groupby(ind).rank(ascending=False, method="min")
        roe_rank = m["roe_ann"].groupby(ind).rank(ascending=False, method="min")
        n = (m["peers"] - 1.0).replace(0.0, np.nan)
        s = weighted([(1.0 - (m["mcap_rank"] - 1.0) / n, 0.6), (1.0 - (roe_rank - 1.0) / n, 0.4)])
        for col in ("industry_system", "industry_snapshot", "industry_backfilled"):
            if col in ref.columns:
                m[col] = ref[col].reindex(m.index)
        few = m["peers"].fillna(0) < 3
        reason = "fewer than 3 stocks of its industry in the store: " + ind.fillna("no industry").astype(str)
        m["missing"] = m["missing"].where(m["missing"].notna(), reason.where(few | ind.isna()))
        return with_score(m, 100.0 * s)

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: market value, its rank and the peer count."""
        ev = [
            Evidence("mcap", Message("diag.ev.mcap"), float(row["mcap"]), yi(row["mcap"]),
                     f"daily_bars.close × fundamentals.total_share (report {row['mcap_period'].date()})", day,
                     period=row["mcap_period"].date()),
            Evidence("mcap_rank", Message("diag.ev.mcap_rank"), int(row["mcap_rank"]),
                     str(int(row["mcap_rank"])), f"{_basis_source(row)} = {row['industry']}", day),
            Evidence("peers", Message("diag.ev.peers"), int(row["peers"]),
                     str(int(row["peers"])), _basis_source(row), day),
        ] if is_num(row.get("mcap_rank")) else []  # fmt: skip
        s = row.get("score")
        verdict = Message("diag.ind.leader") if is_num(s) and s >= 70 else Message("diag.ind.mid")
        if is_num(s) and s < 35:
            verdict = Message("diag.ind.behind")
        return self.dimension(row, verdict, ev)


def _basis_source(row: pd.Series) -> str:
    """Evidence source: the classification list that grouped the peers (table, system, snapshot day)."""
    system = row.get("industry_system")
    snap = row.get("industry_snapshot")
    if not isinstance(system, str) or system == "instruments" or not isinstance(snap, date | pd.Timestamp):
        return "instruments.industry (undated)"
    flag = ", published after the day (oldest list)" if bool(row.get("industry_backfilled")) else ""
    return f"industry_classification {system} {pd.Timestamp(snap).date()}{flag}"


def industry_basis(row: pd.Series) -> Message | None:
    """Which classification list grouped the peers, flagged when it postdates the day (None if unknown)."""
    system = row.get("industry_system")
    if not isinstance(system, str):
        return None
    params: dict[str, object] = {
        "system": Message(f"industry.system.{system}"),
        "backfilled": Message("industry.backfilled") if bool(row.get("industry_backfilled")) else "",
    }
    snap = row.get("industry_snapshot")
    if isinstance(snap, date | pd.Timestamp) and not pd.isna(snap):
        params["snapshot"] = Message("industry.snapshot", {"date": pd.Timestamp(snap).date()})
        return Message("industry.basis.dated", params)
    return Message("industry.basis.undated", params)
