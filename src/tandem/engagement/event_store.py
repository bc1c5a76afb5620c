"""``ParquetEventStore``: the embedded, append-only event store — day partitions of Parquet read through DuckDB.

Layout: ``<root>/day=YYYY-MM-DD/part-<uuid>.parquet``, partitioned by the event's *client* time (UTC day), so a
replayed event lands in the same partition as its first copy and the idempotency check reads only the ids of
the partitions a batch touches. Each append writes one new file per touched day to a temporary name and renames
it into place (readers never see half a file); an ``flock`` on ``<root>/.lock`` serialises writers across
processes, and each writer refreshes the ids of files other processes added before it filters a batch. Nothing
is ever rewritten or deleted: the store is append-only. A batch spanning several days is one file per day; should
the disk fail between them, the caller's retry of the same batch stores only the missing part (ids dedupe).
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tandem.engagement.events import Event

EVENT_ARROW_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("client_id", pa.int64()),
        ("type", pa.string()),
        ("object_id", pa.string()),
        ("properties", pa.string()),
        ("client_time", pa.timestamp("us", tz="UTC")),
        ("server_time", pa.timestamp("us", tz="UTC")),
        ("session_id", pa.string()),
        ("channel", pa.string()),
        ("schema_version", pa.int16()),
    ]
)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one encoder: json.dumps builds one per call


def events_to_table(events: Sequence[Event]) -> pa.Table:
    """Columnar form of ``events`` in the stored schema (properties as compact JSON text)."""
    return pa.Table.from_pydict(
        {
            "event_id": [e.event_id for e in events],
            "client_id": [e.client_id for e in events],
            "type": [e.type.value for e in events],
            "object_id": [e.object_id for e in events],
            "properties": [_JSON.encode(e.properties) if e.properties else "{}" for e in events],
            "client_time": [e.client_time for e in events],
            "server_time": [e.server_time for e in events],
            "session_id": [e.session_id for e in events],
            "channel": [e.channel.value for e in events],
            "schema_version": [e.schema_version for e in events],
        },
        schema=EVENT_ARROW_SCHEMA,
    )


class _Partition:
    """The ids already stored in one day partition, and which files they were read from."""

    __slots__ = ("files", "ids")

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.ids: set[str] = set()


class ParquetEventStore:
    """Append-only, idempotent-by-id event store under ``root`` (``<home>/events`` by default)."""

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self._durable = durable
        self._partitions: dict[str, _Partition] = {}

    def append(self, events: Sequence[Event]) -> int:
        """Store the events whose ids are new; return how many that was (a replay returns 0)."""
        if not events:
            return 0
        by_day: dict[date, list[Event]] = {}
        for event in events:
            by_day.setdefault(event.client_time.astimezone(UTC).date(), []).append(event)
        stored = 0
        with self._locked():
            for day, group in by_day.items():
                stored += self._append_day(day.isoformat(), events_to_table(group))
        return stored

    def append_table(self, table: pa.Table) -> int:
        """Store rows of ``table`` (the stored schema) whose ``event_id`` is new; the bulk path of the simulator."""
        table = table.select(EVENT_ARROW_SCHEMA.names).cast(EVENT_ARROW_SCHEMA)
        days = pc.strftime(table["client_time"], format="%Y-%m-%d")
        stored = 0
        with self._locked():
            for day in pc.unique(days).to_pylist():
                part = table.filter(pc.equal(days, day))
                stored += self._append_day(day, part)
        return stored

    def _append_day(self, day: str, part: pa.Table) -> int:
        known = self._known(day)
        ids = part["event_id"].to_pylist()
        keep: list[bool] = []
        seen: set[str] = set()
        for event_id in ids:
            fresh = event_id not in known and event_id not in seen
            keep.append(fresh)
            seen.add(event_id)
        if not any(keep):
            return 0
        new = part if all(keep) else part.filter(pa.array(keep))
        folder = self.root / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{uuid.uuid4().hex}.parquet"
        tmp = folder / f".{name}.tmp"
        with tmp.open("wb") as fh:
            pq.write_table(new, fh, compression="zstd")
            if self._durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
        partition = self._partitions[day]
        partition.files.add(name)
        partition.ids.update(new["event_id"].to_pylist())
        return int(new.num_rows)

    def _known(self, day: str) -> set[str]:
        partition = self._partitions.setdefault(day, _Partition())
        folder = self.root / f"day={day}"
        if folder.is_dir():
            for path in folder.glob("part-*.parquet"):
                if path.name not in partition.files:
                    partition.ids.update(pq.read_table(path, columns=["event_id"])["event_id"].to_pylist())
                    partition.files.add(path.name)
        return partition.ids

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _glob(self) -> str | None:
        if not any(self.root.glob("day=*/part-*.parquet")):
            return None
        return str(self.root / "day=*" / "part-*.parquet")

    def read(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        client_ids: Sequence[int] | None = None,
        received_after: datetime | None = None,
        columns: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """Events with client-time day in ``[start, end]`` (either open), oldest first, as a polars frame.

        ``received_after`` keeps only events whose server time is later (the incremental readers' watermark).
        """
        cols = list(columns or EVENT_ARROW_SCHEMA.names)
        unknown = set(cols) - set(EVENT_ARROW_SCHEMA.names)
        if unknown:
            raise ValueError(f"unknown event columns {sorted(unknown)}; the store has {EVENT_ARROW_SCHEMA.names}")
        pattern = self._glob()
        if pattern is None:
            return _empty(cols)
        where: list[str] = ["TRUE"]
        params: list[object] = []
        if start is not None:
            where.append("day >= ?")
            params.append(start)
        if end is not None:
            where.append("day <= ?")
            params.append(end)
        if received_after is not None:
            where.append("server_time > ?")
            params.append(received_after)
        if client_ids is not None:
            where.append("list_contains(?, client_id)")
            params.append(list(client_ids))
        select = ", ".join(f'"{c}"' for c in cols)
        query = (
            f"SELECT {select} FROM read_parquet(?, hive_partitioning = true, hive_types = {{'day': DATE}}) "
            f"WHERE {' AND '.join(where)} ORDER BY client_time, event_id"
        )
        with duckdb.connect() as con:
            frame = pl.from_arrow(con.sql(query, params=[pattern, *params]).to_arrow_table())
        if not isinstance(frame, pl.DataFrame):
            raise TypeError("the event query did not return a table")
        times = [c for c in ("client_time", "server_time") if c in frame.columns]
        return frame.with_columns(pl.col(times).dt.convert_time_zone("UTC")) if times else frame

    def files(self) -> list[str]:
        """Every stored part file, relative to the root (``day=…/part-….parquet``); files never change once listed."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.glob("day=*/part-*.parquet"))

    def read_files(self, files: Sequence[str]) -> pl.DataFrame:
        """The events in the given part files (the incremental readers' way to take exactly what is new)."""
        if not files:
            return _empty(EVENT_ARROW_SCHEMA.names)
        with duckdb.connect() as con:
            paths = [str(self.root / f) for f in files]
            frame = pl.from_arrow(con.sql("SELECT * FROM read_parquet(?)", params=[paths]).to_arrow_table())
        if not isinstance(frame, pl.DataFrame):
            raise TypeError("the event query did not return a table")
        return frame.select(EVENT_ARROW_SCHEMA.names).with_columns(
            pl.col("client_time", "server_time").dt.convert_time_zone("UTC")
        )

    def count(self) -> int:
        """How many events are stored (each id once)."""
        pattern = self._glob()
        if pattern is None:
            return 0
        with duckdb.connect() as con:
            row = con.execute("SELECT count(*) FROM read_parquet(?)", [pattern]).fetchone()
        return int(row[0]) if row else 0


def _empty(columns: Sequence[str]) -> pl.DataFrame:
    empty = pl.from_arrow(EVENT_ARROW_SCHEMA.empty_table().select(list(columns)))
    return empty if isinstance(empty, pl.DataFrame) else empty.to_frame()
