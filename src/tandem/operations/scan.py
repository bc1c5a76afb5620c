"""How operations analytics read the event store: one DuckDB relation with the stated time and dedup rules.

**Event time.** An event's analytic time is ``least(client_time, server_time)``: a device clock running ahead
cannot place an event after it reached the server, while an honest late upload (offline buffer) keeps its device
time. Steps compared in order may still be inverted by a few minutes between devices, so an ordered comparison
allows ``skew`` (default 5 min, the ingest's clock-skew allowance) — a step up to ``skew`` before the previous one
still counts, after it, never.

**Duplicates.** The store keeps each ``event_id`` once; on top of that every analytic counts *clients* (a step
reached twice counts once, at its first time) and attribution touches are de-duplicated by ``event_id``.

**Visitors.** A landing before sign-up is stored under an anonymous visitor id; the client's ``identify`` event
names it (see :mod:`tandem.operations.visitors`), and every event of that visitor is read as the client's. A
visitor identified by two accounts (two sign-ups in one browser) belongs to the first account that said so.

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
_HIVE = "hive_partitioning = true, hive_types = {'day': DATE}"


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

    def files(self) -> list[str]:
        """The part files, largest first, then in path order.

        DuckDB estimates a multi-file scan as *first file's rows × number of files*; in path order the first file
        is the oldest day (often a handful of rows), which made every estimate ~10⁴ on a 10⁷-row store and let the
        planner build hash tables on the wrong side (a 6.5 M-row build for an empty identify alias). Which files
        are read, and so every result, is unchanged.
        """
        parts = [(p.stat().st_size, str(p)) for p in self.root.glob("day=*/part-*.parquet")]
        parts.sort(key=lambda sp: (-sp[0], sp[1]))
        return [path for _, path in parts]

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
        where = ["e.type IN (" + ", ".join("?" for _ in types) + ")"]
        files = self.files()
        params: list[object] = [files, files, *types]
        if first_day is not None:
            where.append("e.day >= ?")
            params.append(first_day - timedelta(days=1))
        if last_day is not None:
            where.append("e.day <= ?")
            params.append(last_day + timedelta(days=1))
        sql = (
            "WITH alias AS ("
            "SELECT CAST(json_extract(properties, '$.visitor') AS BIGINT) AS visitor, "
            "arg_min(client_id, least(client_time, server_time)) AS client "
            f"FROM read_parquet(?, {_HIVE}) WHERE type = 'identify' GROUP BY 1) "
            "SELECT coalesce(alias.client, e.client_id) AS client_id, e.type, "
            "least(e.client_time, e.server_time) AS ts, e.event_id, e.properties "
            f"FROM read_parquet(?, {_HIVE}) AS e LEFT JOIN alias ON alias.visitor = e.client_id "
            f"WHERE {' AND '.join(where)}"
        )
        return sql, params
