"""Weekly cohorts of opened accounts with retention (any activity, trading activity), in DuckDB.

A client's cohort is the Beijing week (Monday) of its first ``account_opened``; week *n* is the *n*-th calendar
week after it. A client is *active* in week *n* when it has any event other than the acquisition steps (landing
… account_opened), and *trading* when it has a ``holding_changed`` or ``first_trade``. Each client counts once per
week whatever its number of events. Weeks that start after ``as_of`` are not observed yet and come back ``None``
(never 0: an unobserved week is not a lost client).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tandem.engagement.events import EventType
from tandem.operations.scan import BEIJING, EventScan, Period
from tandem.operations.steps import STEP_NAMES, TRADE_TYPES

ACQUISITION = STEP_NAMES[:5]
ALL_TYPES = tuple(t.value for t in EventType)


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One weekly cohort: its Monday, size, and retention shares per week offset (``None`` = not observed)."""

    week: date
    size: int
    active: tuple[float | None, ...]
    trading: tuple[float | None, ...]


def cohorts(scan: EventScan, *, period: Period, weeks: int = 8, as_of: date | None = None) -> list[CohortRow]:
    """Cohorts opened in ``period`` with ``weeks`` + 1 retention columns (week 0 is the opening week)."""
    if not 0 <= weeks <= 52:
        raise ValueError(f"weeks must be 0…52, got {weeks}")
    if not scan.has_events():
        return []
    horizon = period.end + timedelta(days=7 * weeks + 7)
    base, params = scan.relation(types=ALL_TYPES, first_day=period.start, last_day=horizon)
    lo, hi = period.utc_bounds()
    offset = f"INTERVAL {int(BEIJING.total_seconds())} SECOND"
    sql = f"""
    WITH ev AS ({base}),
    opened AS (
      SELECT client_id, date_trunc('week', min(ts) + {offset})::DATE AS week FROM ev
      WHERE type = 'account_opened' GROUP BY client_id HAVING min(ts) >= ? AND min(ts) < ?),
    acts AS (
      SELECT e.client_id, o.week,
             date_diff('week', o.week, date_trunc('week', e.ts + {offset})::DATE) AS n,
             bool_or(e.type IN ({", ".join("?" for _ in TRADE_TYPES)})) AS trade
      FROM ev e JOIN opened o USING (client_id)
      WHERE e.type NOT IN ({", ".join("?" for _ in ACQUISITION)})
      GROUP BY ALL),
    sizes AS (SELECT week, count(*) AS size FROM opened GROUP BY week),
    cells AS (SELECT week, n, count(*) AS active, count(*) FILTER (WHERE trade) AS trading FROM acts
              WHERE n BETWEEN 0 AND ? GROUP BY week, n)
    SELECT s.week, s.size, c.n, c.active, c.trading FROM sizes s LEFT JOIN cells c USING (week) ORDER BY s.week, c.n
    """
    with scan.connect() as con:
        rows = con.execute(sql, [*params, lo, hi, *TRADE_TYPES, *ACQUISITION, weeks]).fetchall()
        if as_of is None:
            row = con.execute(f"SELECT max(ts) FROM ({base})", params).fetchone()
            as_of = (row[0] + BEIJING).date() if row and row[0] is not None else period.end
    return _assemble(rows, weeks, as_of)


def _assemble(rows: list[tuple[object, ...]], weeks: int, as_of: date) -> list[CohortRow]:
    by_week: dict[date, tuple[int, dict[int, tuple[int, int]]]] = {}
    for week, size, n, active, trading in rows:
        if not isinstance(week, date) or not isinstance(size, int):
            raise TypeError("unexpected cohort row")
        entry = by_week.setdefault(week, (size, {}))
        if isinstance(n, int) and isinstance(active, int) and isinstance(trading, int):
            entry[1][n] = (active, trading)
    out = []
    for week, (size, cells) in sorted(by_week.items()):
        seen = [week + timedelta(days=7 * n) <= as_of for n in range(weeks + 1)]
        active = tuple(cells.get(n, (0, 0))[0] / size if seen[n] else None for n in range(weeks + 1))
        trading = tuple(cells.get(n, (0, 0))[1] / size if seen[n] else None for n in range(weeks + 1))
        out.append(CohortRow(week=week, size=size, active=active, trading=trading))
    return out
