"""Attribution of conversions to referral touches: first touch, last touch and position-based (40/20/40), in DuckDB.

A *conversion* is a client's first event of the target step (default ``first_deposit``: funded accounts) whose
Beijing day lies in the period. Its *touches* are the client's ``landing`` events in the ``lookback`` before it
(up to ``skew`` after it still counts, see :mod:`tandem.operations.scan`), de-duplicated by ``event_id`` and with
reloads collapsed — a landing on the same link within ``reload`` of the previous touch is the same touch.

Credits per conversion always sum to 1 in each model:

* first touch: 1 to the earliest touch; last touch: 1 to the latest;
* position-based: one touch gets 1; two get ½ each; *n* ≥ 3 give 0.4 to the first and the last and share 0.2
  equally among the *n* − 2 in between.

Ties in time are broken by ``event_id`` so the answer is deterministic. Conversions with no touch in the lookback
are reported as ``unattributed`` and credit nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tandem.operations.funnel import DIMENSIONS
from tandem.operations.scan import DEFAULT_SKEW, EventScan, Period
from tandem.operations.steps import step_index

MODELS = ("first_touch", "last_touch", "position")


def us(span: timedelta) -> str:
    """An SQL interval literal of ``span`` (microsecond precision, no parameter needed)."""
    return f"to_microseconds({int(span.total_seconds() * 1e6)})"


@dataclass(frozen=True, slots=True)
class AttributionRow:
    """Credit of one channel / partner / campaign value under each model (sums of per-conversion weights)."""

    value: str
    first_touch: float
    last_touch: float
    position: float
    touched: int  # conversions that had at least one touch on this value


@dataclass(frozen=True, slots=True)
class AttributionResult:
    """All rows for one dimension, the conversions counted and those without any touch."""

    dimension: str
    target: str
    conversions: int
    unattributed: int
    rows: tuple[AttributionRow, ...]


def attribution(
    scan: EventScan,
    *,
    period: Period,
    dimension: str = "source",
    target: str = "first_deposit",
    lookback: timedelta = timedelta(days=30),
    reload: timedelta = timedelta(minutes=30),
    skew: timedelta = DEFAULT_SKEW,
) -> AttributionResult:
    """Credit per value of ``dimension`` (source, partner or campaign) for conversions to ``target``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, got {dimension!r}")
    if step_index(target) == 0:
        raise ValueError("the target step must come after landing")
    if not scan.has_events():
        return AttributionResult(dimension, target, 0, 0, ())
    base, params = scan.relation(
        types=("landing", target), first_day=period.start - timedelta(days=lookback.days + 1), last_day=period.end
    )
    lo, hi = period.utc_bounds()
    sql = f"""
    WITH ev AS ({base}),
    conv AS (SELECT client_id, min(ts) AS t FROM ev WHERE type = ? GROUP BY client_id
             HAVING min(ts) >= ? AND min(ts) < ?),
    raw AS (SELECT DISTINCT ON (e.event_id) e.client_id, e.ts, e.event_id,
                   json_extract_string(e.properties, '$.link') AS link,
                   json_extract_string(e.properties, '$.{dimension}') AS value
            FROM ev e JOIN conv c USING (client_id)
            WHERE e.type = 'landing' AND e.ts >= c.t - {us(lookback)} AND e.ts <= c.t + {us(skew)}),
    marked AS (SELECT *, lag(link) OVER w AS prev_link, lag(ts) OVER w AS prev_ts FROM raw
               WINDOW w AS (PARTITION BY client_id ORDER BY ts, event_id)),
    touches AS (SELECT client_id, value,
                  row_number() OVER w AS r, count(*) OVER (PARTITION BY client_id) AS n
                FROM marked WHERE prev_link IS NULL OR prev_link <> link OR ts - prev_ts > {us(reload)}
                WINDOW w AS (PARTITION BY client_id ORDER BY ts, event_id)),
    credit AS (SELECT value, client_id,
                 CASE WHEN r = 1 THEN 1.0 ELSE 0.0 END AS f,
                 CASE WHEN r = n THEN 1.0 ELSE 0.0 END AS l,
                 CASE WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5 WHEN r = 1 OR r = n THEN 0.4
                      ELSE 0.2 / (n - 2) END AS p
               FROM touches)
    SELECT value, sum(f), sum(l), sum(p), count(DISTINCT client_id), (SELECT count(*) FROM conv),
           (SELECT count(*) FROM conv WHERE client_id NOT IN (SELECT client_id FROM touches))
    FROM credit GROUP BY value ORDER BY sum(p) DESC, value
    """
    with scan.connect() as con:
        rows = con.execute(sql, [*params, target, lo, hi]).fetchall()
        if not rows:
            count = con.execute(
                f"WITH ev AS ({base}) SELECT count(*) FROM (SELECT client_id FROM ev WHERE type = ? "
                "GROUP BY client_id HAVING min(ts) >= ? AND min(ts) < ?)",
                [*params, target, lo, hi],
            ).fetchone()
            n = int(count[0]) if count else 0
            return AttributionResult(dimension, target, n, n, ())
    out = tuple(AttributionRow(str(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4])) for r in rows)
    return AttributionResult(dimension, target, int(rows[0][5]), int(rows[0][6]), out)
