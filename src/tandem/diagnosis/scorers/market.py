"""Price-based dimensions: technical trend, relative strength and capital flow (Level-2 or labelled proxies).

All three read forward-adjusted closes anchored at the snapshot day, with suspended days skipped. A stock
suspended on the snapshot day gets no trend or flow score: yesterday's signals would read as today's.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tandem.core.i18n import Message
from tandem.diagnosis import signals
from tandem.diagnosis.fmt import is_num, num, pct, signed_pct, yi
from tandem.diagnosis.models import DimensionScore, Evidence
from tandem.diagnosis.scorers.base import Scorer, clip_scale, last_row, pct_rank, reasons, weighted, with_score
from tandem.diagnosis.snapshot import BENCHMARK, Snapshot

BARS = "daily_bars (qfq at the snapshot day)"
SUSPENDED = "suspended on the snapshot day: price signals would describe an earlier day"
L2_MIN_PEERS = 10
MAIN_FORCE_CLASSES = ("super_large", "large")  # same as tandem.level2.thresholds.MAIN_FORCE_CLASSES
HORIZONS = (20, 60, 120)


def _tail(panel: pd.DataFrame, n: int) -> pd.DataFrame:
    """The last ``n`` traded rows of every column, aligned at the bottom (suspended rows squeezed out)."""
    values = panel.to_numpy(dtype=np.float64)
    order = np.argsort(~np.isnan(values), axis=0, kind="stable")
    packed = np.take_along_axis(values, order, axis=0)[-n:]
    return pd.DataFrame(packed, columns=panel.columns)


class TechnicalScorer(Scorer):
    """MA5/20/60 alignment (40), MACD (30), 60-day breakout and position in the 60-day range (30)."""

    key = "technical"
    label = Message("diag.dim.technical")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Moving averages, MACD and the 60-day support/resistance on the last traded day."""
        c = snap.close
        out = pd.DataFrame(index=c.columns)
        out["close"] = last_row(c)
        for p in (5, 20, 60):
            out[f"ma{p}"] = last_row(signals.sma(c, p))
        line, hist = signals.macd_hist(c)
        out["macd"], out["macd_hist"] = last_row(line), last_row(hist)
        hi, lo = _tail(snap.high, 61), _tail(snap.low, 61)
        out["resistance"] = hi.iloc[:-1].max().to_numpy()
        out["support"] = lo.iloc[:-1].min().to_numpy()
        out["missing"] = reasons(out.index, out["ma60"].isna(), "fewer than 60 traded days before the snapshot day")
        out.loc[out["close"].isna(), "missing"] = SUSPENDED
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Rule points, summed."""
        m = metrics
        align = ((m["close"] > m["ma5"]).astype(float) + (m["ma5"] > m["ma20"]) + (m["ma20"] > m["ma60"])) / 3.0
        macd = 0.5 * (m["macd_hist"] > 0) + 0.5 * (m["macd"] > 0)
        span = (m["resistance"] - m["support"]).replace(0.0, np.nan)
        position = ((m["close"] - m["support"]) / span).clip(0.0, 1.0)
        breakout = (m["close"] >= m["resistance"]).astype(float)
        return with_score(m, 40.0 * align + 30.0 * macd + 20.0 * breakout + 10.0 * position.fillna(0.5))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: close vs MA20/MA60, MACD histogram, 60-day support and resistance."""
        ev: list[Evidence] = []
        if is_num(row["close"]):
            close = float(row["close"])
            ev.append(Evidence("close", Message("diag.ev.close"), close, num(close), BARS, day))
        for p in (20, 60):
            if is_num(row[f"ma{p}"]):
                ma = float(row[f"ma{p}"])
                ev.append(Evidence(f"ma{p}", Message("diag.ev.ma", {"p": p}), ma, num(ma), BARS, day))
        if is_num(row["support"]) and is_num(row["resistance"]):
            ev.append(
                Evidence(
                    "range60",
                    Message("diag.ev.range60"),
                    f"{num(row['support'])}-{num(row['resistance'])}",
                    f"{num(row['support'])}-{num(row['resistance'])}",
                    BARS + ", min low / max high of the previous 60 traded days",
                    day,
                )
            )
        up = is_num(row["ma20"]) and row["ma5"] > row["ma20"] > row["ma60"]
        down = is_num(row["ma20"]) and row["ma5"] < row["ma20"] < row["ma60"]
        trend = Message("diag.tech.up") if up else Message("diag.tech.mixed")
        if down:
            trend = Message("diag.tech.down")
        macd = Message("diag.tech.macd_pos") if row["macd_hist"] > 0 else Message("diag.tech.macd_neg")
        if is_num(row["close"]) and is_num(row["resistance"]) and row["close"] >= row["resistance"]:
            trend = Message("diag.tech.breakout", {"trend": trend})
        return self.dimension(row, Message("diag.tech.verdict", {"trend": trend, "macd": macd}), ev)


class RelativeStrengthScorer(Scorer):
    """Excess return over 20/60/120 traded days vs CSI 300 (60 %) and vs the industry median (40 %)."""

    key = "relative_strength"
    label = Message("diag.dim.relative_strength")

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Stock and benchmark returns over each horizon, on the stock's own traded days."""
        out = pd.DataFrame(index=snap.close.columns)
        filled = snap.close.ffill()
        bench = snap.bench.ffill()
        for n in HORIZONS:
            tail = _tail(snap.close, n + 1)
            out[f"ret{n}"] = (tail.iloc[-1] / tail.iloc[0] - 1.0).to_numpy()
            b = bench.iloc[-1] / bench.iloc[-(n + 1)] - 1.0 if len(bench) > n else np.nan
            out[f"bench{n}"] = b
            out[f"excess{n}"] = out[f"ret{n}"] - b
        out["missing"] = reasons(out.index, filled.iloc[-1].isna() | out["ret20"].isna(), "fewer than 21 traded days")
        if bench.isna().all():
            out["missing"] = f"no {BENCHMARK} index bars in the store for these days"
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Percentile of mean excess vs the index, blended with percentile of excess vs industry median."""
        m = metrics.copy()
        ind = ref["industry"].reindex(m.index)
        for n in HORIZONS:
            med = m[f"ret{n}"].groupby(ind).transform("median")
            cnt = m[f"ret{n}"].groupby(ind).transform("count")
            m[f"ind_excess{n}"] = (m[f"ret{n}"] - med).where(cnt >= 3)
        vs_index = m[[f"excess{n}" for n in HORIZONS]].mean(axis=1)
        vs_ind = m[[f"ind_excess{n}" for n in HORIZONS]].mean(axis=1)
        return with_score(m, 100.0 * weighted([(pct_rank(vs_index), 0.6), (pct_rank(vs_ind), 0.4)]))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: 20/60/120-day excess return vs CSI 300, 60-day excess vs industry."""
        ev = [
            Evidence(
                f"excess{n}",
                Message("diag.ev.excess", {"n": n}),
                float(row[f"excess{n}"]),
                signed_pct(row[f"excess{n}"]),
                f"{BARS} vs index_bars {BENCHMARK}",
                day,
            )
            for n in HORIZONS
            if is_num(row[f"excess{n}"])
        ]
        if is_num(row.get("ind_excess60")):
            ev.append(
                Evidence(
                    "ind_excess60",
                    Message("diag.ev.ind_excess60"),
                    float(row["ind_excess60"]),
                    signed_pct(row["ind_excess60"]),
                    f"{BARS}, industry median from instruments.industry",
                    day,
                )
            )
        s = row.get("score")
        verdict = Message("diag.rs.strong") if is_num(s) and s >= 60 else Message("diag.rs.even")
        if is_num(s) and s < 40:
            verdict = Message("diag.rs.weak")
        return self.dimension(row, verdict, ev)


class CapitalFlowScorer(Scorer):
    """Main-force net inflow from Level-2 capital flow; without it, volume/amount proxies labelled as proxies."""

    key = "capital_flow"
    label = Message("diag.dim.capital_flow")
    is_proxy = True

    def metrics(self, snap: Snapshot) -> pd.DataFrame:
        """Level-2 main-force net / gross (20 sessions) where present; up-day amount share and OBV trend always."""
        out = pd.DataFrame(index=snap.close.columns)
        amount, close = _tail(snap.amount, 21), _tail(snap.close, 21)
        up = close.diff().iloc[1:] > 0
        amt = amount.iloc[1:]
        out["up_share"] = (amt.where(up).sum() / amt.sum().replace(0.0, np.nan)).to_numpy()
        out["amount20"] = amt.mean().to_numpy()
        obv = signals.obv(snap.close, snap.volume)
        obv_tail = _tail(obv, 21)
        vol20 = _tail(snap.volume, 20).sum().replace(0.0, np.nan).to_numpy()
        out["obv_trend"] = ((obv_tail.iloc[-1] - obv_tail.iloc[0]).to_numpy()) / vol20
        out["l2_net_ratio"] = np.nan
        out["l2_net"] = np.nan
        out["l2_days"] = 0
        out["l2_last"] = pd.NaT
        if len(snap.flow):
            main = snap.flow[snap.flow["class"].isin(MAIN_FORCE_CLASSES)].groupby("code")
            gross = snap.flow.groupby("code")["gross_amount"].sum()
            net = main["net_amount"].sum()
            out["l2_net"] = net.reindex(out.index)
            out["l2_net_ratio"] = (net / gross.replace(0.0, np.nan)).reindex(out.index)
            out["l2_days"] = main["days"].max().reindex(out.index).fillna(0).astype(int)
            out["l2_last"] = pd.to_datetime(main["last_date"].max()).reindex(out.index)
        out["missing"] = reasons(out.index, snap.suspended.iloc[-1].to_numpy(), SUSPENDED)
        out.loc[out["up_share"].isna() & out["missing"].isna(), "missing"] = "no traded amount in the last 20 days"
        return out

    def score(self, metrics: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
        """Level-2 where present, else the proxy percentiles.

        The Level-2 score maps the main-force net ratio from −15 % … +15 % onto 0–100; when at least
        ``L2_MIN_PEERS`` stocks have Level-2 rows it is blended half and half with their percentile (a percentile
        among two or three stocks would say little).
        """
        m = metrics
        proxy = weighted([(pct_rank(m["up_share"]), 0.5), (pct_rank(m["obv_trend"]), 0.5)])
        level = clip_scale(m["l2_net_ratio"], -0.15, 0.15)
        if int(m["l2_net_ratio"].notna().sum()) >= L2_MIN_PEERS:
            level = weighted([(level, 0.5), (pct_rank(m["l2_net_ratio"]), 0.5)]).where(level.notna())
        return with_score(m, 100.0 * level.where(level.notna(), proxy))

    def explain(self, code: str, row: pd.Series, day: date) -> DimensionScore:
        """Evidence: Level-2 main-force net inflow, or the labelled proxies."""
        if is_num(row["l2_net_ratio"]):
            last = row["l2_last"].date()
            days = int(row["l2_days"])
            src = f"capital_flow (Level-2 tick-by-tick, {days} session{'s' if days > 1 else ''} up to {last})"
            ev = [
                Evidence("l2_net", Message("diag.ev.l2_net"), float(row["l2_net"]), yi(row["l2_net"]),
                         f"{src}: super-large + large orders", last),
                Evidence("l2_net_ratio", Message("diag.ev.l2_net_ratio"), float(row["l2_net_ratio"]),
                         signed_pct(row["l2_net_ratio"]), src, last),
                Evidence("l2_days", Message("diag.ev.l2_days"), days, str(days), src, last),
            ]  # fmt: skip
            verdict = Message("diag.flow.l2_in") if row["l2_net"] > 0 else Message("diag.flow.l2_out")
            return self.dimension(row, verdict, ev, is_proxy=False)
        ev = []
        if is_num(row["up_share"]):
            ev.append(Evidence("up_share", Message("diag.ev.up_share"), float(row["up_share"]), pct(row["up_share"], 0),
                               "daily_bars.amount — proxy, not Level-2 capital flow", day))  # fmt: skip
        if is_num(row["amount20"]):
            ev.append(Evidence("amount20", Message("diag.ev.amount20"), float(row["amount20"]), yi(row["amount20"]),
                               "daily_bars.amount", day))  # fmt: skip
        s = row.get("score")
        verdict = Message("diag.flow.proxy_neutral")
        if is_num(s) and s >= 60:
            verdict = Message("diag.flow.proxy_in")
        if is_num(s) and s < 40:
            verdict = Message("diag.flow.proxy_out")
        return self.dimension(row, verdict, ev, is_proxy=True)
