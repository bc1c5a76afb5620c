"""How operations analytics read the event store: one DuckDB relation with the stated time and dedup rules.

**Event time.** An event's analytic time is ``least(client_time, server_time)``: a device clock running ahead
cannot place an event after it reached the server, while an honest late upload (offline buffer) keeps its device
time. Steps compared in order may still be inverted by a few minutes between devices, so an ordered comparison
allows ``skew`` (default 5 min, the ingest's clock-skew allowance) — a step up to ``skew`` before the previous one
still counts, after it, never.

**Duplicates.** The store keeps each ``event_id`` once; on top of that every analytic counts *clients* (a step
reached twice counts once, at its first time) and attribution touches are de-duplicated by ``event_id``.

**Days** are Beijing days (UTC+8, no daylight saving, so a fixed offset is exact); the store's ``day=``
partitions are UTC days, so range filters prune partitions with a one-day margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb

BEIJING = timedelta(hours=8)
DEFAULT_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of Beijing days (``start`` ≤ ``end``), the filter every analytic takes."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}; swap them")

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """``[from, to)`` in naive UTC covering the Beijing days."""
        upper = datetime.combine(self.end + timedelta(days=1), time())
        return datetime.combine(self.start, time()) - BEIJING, upper - BEIJING


class EventScan:
    """The event store under ``root`` as DuckDB SQL: a ``read_parquet`` over its day partitions."""

    def __init__(self, root: Path, *, threads: int = 2) -> None:
        self.root = root
        self._threads = threads

    def has_events(self) -> bool:
        """Whether any part file exists (an empty store answers every analytic with zero rows)."""
        return any(self.root.glob("day=*/part-*.parquet"))

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A fresh in-memory connection limited to ``threads`` (the machine is shared)."""
        con = duckdb.connect()
        con.execute(f"SET threads = {int(self._threads)}")
        con.execute("SET TimeZone = 'UTC'")  # TIMESTAMPTZ → TIMESTAMP casts then mean "in UTC", whatever the host
        return con

    def relation(
        self, *, types: tuple[str, ...], first_day: date | None, last_day: date | None
    ) -> tuple[str, list[object]]:
        """SQL for events of ``types`` with ``client_id, type, ts, event_id, properties``, and its parameters.

        ``first_day``/``last_day`` (Beijing days, either open) prune the store's UTC day partitions with a day of
        margin; callers filter on ``ts`` exactly.
        """
        where = ["type IN (" + ", ".join("?" for _ in types) + ")"]
        params: list[object] = [str(self.root / "day=*" / "part-*.parquet"), *types]
        if first_day is not None:
            where.append("day >= ?")
            params.append(first_day - timedelta(days=1))
        if last_day is not None:
            where.append("day <= ?")
            params.append(last_day + timedelta(days=1))
        sql = (
            "SELECT client_id, type, least(client_time, server_time) AS ts, event_id, properties "
            "FROM read_parquet(?, hive_partitioning = true, hive_types = {'day': DATE}) "
            f"WHERE {' AND '.join(where)}"
        )
        return sql, params
