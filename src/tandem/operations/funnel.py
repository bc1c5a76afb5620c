"""Ordered funnels with a conversion window, computed in DuckDB over the event store (no Python per row).

Definition (the tests' reference implements exactly this, independently):

* a client *enters* with its first ``landing`` whose time lies in the period (and, with filters, on a link of that
  source / partner / campaign); that time is ``t0``;
* step *k* is reached at the first event of its type with time ≥ (time of step *k−1*) − ``skew`` and
  ≤ ``t0 + window``; a step not reached ends the client's funnel (later steps are not counted even if present);
* counts are distinct clients, so duplicate and replayed events never count twice, and events arriving out of
  order in the store are ordered by their time, not their arrival.

Times are the scan's analytic times (see :mod:`tandem.operations.scan`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise

from tandem.operations.scan import DEFAULT_SKEW, EventScan, Period
from tandem.operations.steps import STEP_NAMES

HOUR_BUCKETS: tuple[float, ...] = (1.0, 24.0, 72.0, 168.0, 336.0, 720.0)  # edges of the time-to-convert histogram
DIMENSIONS = ("source", "partner", "campaign")


@dataclass(frozen=True, slots=True)
class FunnelQuery:
    """Which funnel: the landing period, the conversion window, optional link filters and the skew allowance."""

    period: Period
    window: timedelta = timedelta(days=30)
    source: str | None = None
    partner: str | None = None
    campaign: str | None = None
    link: str | None = None
    skew: timedelta = DEFAULT_SKEW

    def __post_init__(self) -> None:
        if not timedelta(hours=1) <= self.window <= timedelta(days=365):
            raise ValueError(f"conversion window must be 1 hour … 365 days, got {self.window}")
        if not timedelta(0) <= self.skew <= timedelta(hours=1):
            raise ValueError(f"skew allowance must be 0 … 1 hour, got {self.skew}")

    def filters(self) -> dict[str, str]:
        """The link filters that are set, by landing property name."""
        return {k: v for k in (*DIMENSIONS, "link") if (v := getattr(self, k)) is not None}


@dataclass(frozen=True, slots=True)
class StepRow:
    """One funnel step: clients reaching it, conversion from the previous step and from entry, time to convert."""

    step: str
    clients: int
    from_previous: float | None
    from_start: float | None
    drop_off: int
    hours_p50: float | None
    hours_p90: float | None
    hours_histogram: tuple[int, ...] = field(default=())  # counts per HOUR_BUCKETS interval, last is "> 720 h"


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """The funnel of a query, step by step in :data:`~tandem.operations.steps.STEPS` order."""

    query: FunnelQuery
    steps: tuple[StepRow, ...]


def step_times_sql(scan: EventScan, query: FunnelQuery) -> tuple[str, list[object]]:
    """SQL ``WITH`` body defining ``s0`` … ``s6`` (``client_id, t, t0``) for the query, and its parameters.

    Shared by the funnel, the partner view and campaign uplift, so all three count the same way.

    The store is read **once**: landings and later-step events together, as ``(client_id, k, ts, entry)`` with an
    integer step code ``k`` and ``entry`` marking a landing in the period that passes the link filters. One
    aggregate per client gives ``t0`` (the entry) and whether the client has any later-step event at all; only
    those (~1 in 8 here) take part in the step joins, which therefore never probe the millions of landing-only
    visitors. The joins themselves are the definition above, step by step.
    """
    lo, hi = query.period.utc_bounds()
    last = query.period.end + timedelta(days=query.window.days + 1)
    base, scan_params = scan.relation(types=STEP_NAMES, first_day=query.period.start, last_day=last)
    filt = "".join(f" AND json_extract_string(properties, '$.{k}') = ?" for k in query.filters())
    code = "CASE type " + " ".join(f"WHEN '{n}' THEN {k}" for k, n in enumerate(STEP_NAMES)) + " END::UTINYINT"
    parts = [f"a AS MATERIALIZED (SELECT client_id, {code} AS k, ts, "
             f"(type = '{STEP_NAMES[0]}' AND ts >= ? AND ts < ?{filt}) AS entry FROM ({base}))",
             "g AS MATERIALIZED (SELECT client_id, min(ts) FILTER (WHERE entry) AS t0, bool_or(k > 0) AS later "
             "FROM a GROUP BY client_id HAVING t0 IS NOT NULL)",
             "s0 AS (SELECT client_id, t0 AS t, t0 FROM g)",
             "ev AS MATERIALIZED (SELECT client_id, k, ts FROM a WHERE k > 0)"]  # fmt: skip
    params = [lo, hi, *query.filters().values(), *scan_params]
    window_s, skew_s = query.window.total_seconds(), query.skew.total_seconds()
    for k in range(1, len(STEP_NAMES)):
        # each step carries t0 along, so it joins only the (ever smaller) previous step
        prev = "(SELECT client_id, t0 AS t, t0 FROM g WHERE later)" if k == 1 else f"s{k - 1}"
        parts.append(
            f"s{k} AS MATERIALIZED (SELECT e.client_id, min(e.ts) AS t, any_value(p.t0) AS t0 FROM ev e "
            f"JOIN {prev} p ON e.client_id = p.client_id WHERE e.k = {k} "
            f"AND e.ts >= p.t - to_microseconds({int(skew_s * 1e6)}) "
            f"AND e.ts <= p.t0 + to_microseconds({int(window_s * 1e6)}) GROUP BY e.client_id)"
        )
    return "WITH " + ",\n".join(parts), params


def funnel(scan: EventScan, query: FunnelQuery) -> FunnelResult:
    """The ordered funnel with step conversion, drop-off and time-to-convert distribution."""
    if not scan.has_events():
        return _assemble(query, [(0, None, None, (0,) * (len(HOUR_BUCKETS) + 1))] * len(STEP_NAMES))
    head, params = step_times_sql(scan, query)
    edges = (0.0, *HOUR_BUCKETS, 1e12)
    buckets = ", ".join(f"count(*) FILTER (WHERE h >= {a} AND h < {b})" for a, b in pairwise(edges))
    nulls = ", ".join(["NULL"] * (len(edges) + 1))  # entry has no time to convert: count only, no 4.9 M-row quantile
    selects = [f"SELECT 0 AS k, count(*) AS n, {nulls} FROM s0"] + [
        f"SELECT {k} AS k, count(*) AS n, quantile_cont(h, 0.5), quantile_cont(h, 0.9), {buckets} FROM "
        f"(SELECT epoch(t - t0) / 3600.0 AS h FROM s{k})"
        for k in range(1, len(STEP_NAMES))
    ]
    sql = head + "\n" + " UNION ALL ".join(selects) + " ORDER BY k"
    with scan.connect() as con:
        rows = con.execute(sql, params).fetchall()
    return _assemble(query, [(int(r[1]), r[2], r[3], tuple(int(x or 0) for x in r[4:])) for r in rows])


def _assemble(query: FunnelQuery, rows: list[tuple[int, float | None, float | None, tuple[int, ...]]]) -> FunnelResult:
    out: list[StepRow] = []
    start = rows[0][0]
    for k, (n, p50, p90, hist) in enumerate(rows):
        prev = rows[k - 1][0] if k else None
        out.append(
            StepRow(
                step=STEP_NAMES[k],
                clients=n,
                from_previous=(n / prev if prev else None) if k else None,
                from_start=n / start if start else None,
                drop_off=(prev - n) if prev is not None else 0,
                hours_p50=None if p50 is None or not k else round(float(p50), 3),
                hours_p90=None if p90 is None or not k else round(float(p90), 3),
                hours_histogram=hist if k else (),
            )
        )
    return FunnelResult(query=query, steps=tuple(out))
