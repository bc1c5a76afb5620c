"""An independent pure-Python formulation of the funnel, cohort and attribution definitions (per row, on purpose).

It reads the stored rows through pyarrow (not DuckDB) and follows the module docstrings of
tandem.operations.funnel / cohorts / attribution literally, so a shared mistake in the SQL cannot hide.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

STEPS = ["landing", "sign_up", "identity_verified", "risk_questionnaire", "account_opened", "first_deposit",
         "first_trade"]  # fmt: skip
BJ = timedelta(hours=8)


def load(root: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(root.glob("day=*/part-*.parquet")):
        for r in pq.read_table(path).to_pylist():
            ts = min(r["client_time"], r["server_time"]).replace(tzinfo=None)
            rows.append({"client": r["client_id"], "type": r["type"], "ts": ts, "id": r["event_id"],
                         "props": json.loads(r["properties"])})  # fmt: skip
    return rows


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, datetime.min.time()) - BJ, datetime.combine(end, datetime.min.time()) + timedelta(
        days=1
    ) - BJ


def funnel_counts(rows, start, end, *, window=timedelta(days=30), skew=timedelta(minutes=5), **filters):
    lo, hi = _bounds(start, end)
    by_client = defaultdict(list)
    for r in rows:
        by_client[r["client"]].append(r)
    counts = [0] * len(STEPS)
    for events in by_client.values():
        landings = [e["ts"] for e in events if e["type"] == "landing" and lo <= e["ts"] < hi
                    and all(e["props"].get(k) == v for k, v in filters.items())]  # fmt: skip
        if not landings:
            continue
        t0 = prev = min(landings)
        counts[0] += 1
        for k in range(1, len(STEPS)):
            cands = [e["ts"] for e in events if e["type"] == STEPS[k] and prev - skew <= e["ts"] <= t0 + window]
            if not cands:
                break
            prev = min(cands)
            counts[k] += 1
    return counts


def attribution(rows, start, end, dimension, *, target="first_deposit", lookback=timedelta(days=30),
                reload=timedelta(minutes=30), skew=timedelta(minutes=5)):  # fmt: skip
    lo, hi = _bounds(start, end)
    first_conv: dict[int, datetime] = {}
    for r in rows:
        if r["type"] == target and (r["client"] not in first_conv or r["ts"] < first_conv[r["client"]]):
            first_conv[r["client"]] = r["ts"]
    conv = {c: t for c, t in first_conv.items() if lo <= t < hi}
    credit = defaultdict(lambda: [0.0, 0.0, 0.0])
    unattributed = 0
    seen_ids = set()
    touches = defaultdict(list)
    for r in rows:
        c = r["client"]
        if r["type"] != "landing" or c not in conv or r["id"] in seen_ids:
            continue
        if conv[c] - lookback <= r["ts"] <= conv[c] + skew:
            seen_ids.add(r["id"])
            touches[c].append((r["ts"], r["id"], r["props"]["link"], r["props"][dimension]))
    for c in conv:
        ts = sorted(touches.get(c, []))
        kept = []
        for i, t in enumerate(ts):
            if i and ts[i - 1][2] == t[2] and t[0] - ts[i - 1][0] <= reload:
                continue
            kept.append(t)
        if not kept:
            unattributed += 1
            continue
        n = len(kept)
        for i, t in enumerate(kept):
            p = 1.0 if n == 1 else 0.5 if n == 2 else (0.4 if i in (0, n - 1) else 0.2 / (n - 2))
            credit[t[3]][0] += 1.0 if i == 0 else 0.0
            credit[t[3]][1] += 1.0 if i == n - 1 else 0.0
            credit[t[3]][2] += p
    return len(conv), unattributed, dict(credit)


def cohort_sizes_and_week1(rows, start, end):
    lo, hi = _bounds(start, end)
    opened: dict[int, datetime] = {}
    for r in rows:
        if r["type"] == "account_opened" and (r["client"] not in opened or r["ts"] < opened[r["client"]]):
            opened[r["client"]] = r["ts"]
    cohort = {}
    for c, t in opened.items():
        if lo <= t < hi:
            d = (t + BJ).date()
            cohort[c] = d - timedelta(days=d.weekday())
    sizes = defaultdict(int)
    for w in cohort.values():
        sizes[w] += 1
    active = defaultdict(set)
    trading = defaultdict(set)
    for r in rows:
        c = r["client"]
        if c not in cohort or r["type"] in STEPS[:5]:
            continue
        d = (r["ts"] + BJ).date()
        n = ((d - timedelta(days=d.weekday())) - cohort[c]).days // 7
        active[(cohort[c], n)].add(c)
        if r["type"] in ("holding_changed", "first_trade"):
            trading[(cohort[c], n)].add(c)
    return dict(sizes), {k: len(v) for k, v in active.items()}, {k: len(v) for k, v in trading.items()}
