"""Event ingest: a bad batch stores nothing and names index and field; a replayed event changes nothing."""

from __future__ import annotations

import multiprocessing
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tandem.engagement.event_errors import (
    BatchTooLargeError,
    EventBatchError,
    FutureEventTimeError,
    MalformedEventError,
    StaleEventTimeError,
    UnknownEventTypeError,
    WrongClientError,
)
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType
from tandem.engagement.ingest import EventIngestService, IngestPolicy

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def raw_event(**over: object) -> dict[str, object]:
    """A valid stock view by user 7, one minute before NOW."""
    base: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "client_id": 7,
        "type": "stock_view",
        "object_id": "600519.SH",
        "properties": {"from": "search"},
        "client_time": (NOW - timedelta(minutes=1)).isoformat(),
        "session_id": "s-1",
        "channel": "web",
    }
    base.update(over)
    return base


@pytest.fixture
def store(tmp_path: Path) -> ParquetEventStore:
    return ParquetEventStore(tmp_path / "events")


@pytest.fixture
def service(store: ParquetEventStore) -> EventIngestService:
    return EventIngestService(sink=store, clock=lambda: NOW)


def test_valid_batch_is_stored_with_server_time_and_read_back(
    service: EventIngestService, store: ParquetEventStore
) -> None:
    earlier = (NOW - timedelta(minutes=2)).isoformat()
    batch = [raw_event(client_time=earlier), raw_event(type="brief_read", properties={"dwell_ms": 42_000}),
             raw_event(type="search", object_id=None, properties={"query": "茅台"},
                       client_time=int(NOW.timestamp() * 1000))]  # fmt: skip
    result = service.ingest(batch, client_id=7)
    assert (result.received, result.stored, result.duplicates) == (3, 3, 0)
    frame = store.read()
    assert frame["type"].to_list() == ["stock_view", "brief_read", "search"]
    assert set(frame["server_time"].to_list()) == {NOW}
    assert frame["properties"][1] == '{"dwell_ms":42000}'


def test_replayed_events_change_nothing(service: EventIngestService, store: ParquetEventStore) -> None:
    batch = [raw_event(), raw_event()]
    service.ingest(batch, client_id=7)
    files = sorted(store.root.rglob("*.parquet"))
    again = service.ingest([*batch, batch[0]], client_id=7)
    assert again.stored == 0 and again.duplicates == 3
    assert store.count() == 2
    assert sorted(store.root.rglob("*.parquet")) == files
    # a second store instance (another process) sees the ids on disk too
    other = EventIngestService(sink=ParquetEventStore(store.root), clock=lambda: NOW)
    assert other.ingest([batch[1], raw_event()], client_id=7).stored == 1


@pytest.mark.parametrize(
    ("bad", "kind", "field"),
    [
        ({"type": "teleport"}, UnknownEventTypeError, "type"),
        ({"type": "push_sent"}, UnknownEventTypeError, "type"),
        ({"client_time": (NOW + timedelta(minutes=6)).isoformat()}, FutureEventTimeError, "client_time"),
        ({"client_time": (NOW - timedelta(days=8)).isoformat()}, StaleEventTimeError, "client_time"),
        ({"client_time": "2026-12-07T08:00:00"}, MalformedEventError, "client_time"),
        ({"client_id": 8}, WrongClientError, "client_id"),
        ({"event_id": "not-a-uuid"}, MalformedEventError, "event_id"),
        ({"object_id": None}, MalformedEventError, "object_id"),
        ({"type": "brief_read", "properties": {"dwell_ms": -1}}, MalformedEventError, "properties.dwell_ms"),
        ({"channel": "server"}, MalformedEventError, "channel"),
        ({"colour": "red"}, MalformedEventError, "colour"),
    ],
)
def test_one_bad_event_rejects_the_whole_batch(
    service: EventIngestService, store: ParquetEventStore, bad: dict[str, object], kind: type, field: str
) -> None:
    batch = [raw_event(), raw_event(), raw_event(**bad)]
    with pytest.raises(kind) as info:
        service.ingest(batch, client_id=7)
    assert isinstance(info.value, EventBatchError)
    assert (info.value.index, info.value.field) == (2, field)
    assert f"events[2].{field}" in str(info.value)
    assert store.count() == 0


def test_skew_within_tolerance_is_accepted(service: EventIngestService) -> None:
    assert service.ingest([raw_event(client_time=(NOW + timedelta(minutes=4)).isoformat())], client_id=7).stored == 1


def test_every_problem_is_listed(service: EventIngestService) -> None:
    with pytest.raises(UnknownEventTypeError) as info:
        service.ingest([raw_event(type="x"), raw_event(), raw_event(client_id=9)], client_id=7)
    assert [(p.index, p.field, p.kind) for p in info.value.detail] == [(0, "type", UnknownEventTypeError),
                                                                       (2, "client_id", WrongClientError)]  # fmt: skip


def test_oversized_batch(store: ParquetEventStore) -> None:
    service = EventIngestService(sink=store, policy=IngestPolicy(max_batch=3), clock=lambda: NOW)
    with pytest.raises(BatchTooLargeError, match="at most 3 events, got 4"):
        service.ingest([raw_event() for _ in range(4)], client_id=7)
    assert store.count() == 0
    assert EventIngestService(sink=store, clock=lambda: NOW).ingest([raw_event()] * 1, client_id=7).stored == 1
    with pytest.raises(BatchTooLargeError):
        EventIngestService(sink=store, clock=lambda: NOW).ingest([raw_event() for _ in range(501)], client_id=7)


def test_server_emit_is_stored_and_checks_its_spec(service: EventIngestService, store: ParquetEventStore) -> None:
    event = service.emit(
        client_id=7, type=EventType.ASSESSMENT_COMPLETED, object_id=None, properties={"category": "C3"}
    )
    assert store.read()["event_id"].to_list() == [event.event_id]
    assert store.read()["channel"].to_list() == ["server"]
    with pytest.raises(MalformedEventError, match="category"):
        service.emit(client_id=7, type=EventType.ASSESSMENT_COMPLETED, object_id=None)


def test_read_filters_by_day_and_client(service: EventIngestService, store: ParquetEventStore) -> None:
    day_before = (NOW - timedelta(days=1)).isoformat()
    service.ingest([raw_event(), raw_event(client_time=day_before)], client_id=7)
    assert store.read(start=NOW.date()).height == 1
    assert store.read(end=(NOW - timedelta(days=1)).date()).height == 1
    assert store.read(client_ids=[8]).height == 0
    assert len(list(store.root.glob("day=*"))) == 2


def _append_in_child(root: str, ids: list[str]) -> None:
    when = NOW - timedelta(minutes=1)
    events = [Event(i, 7, EventType.STOCK_VIEW, "600519.SH", {}, when, NOW, "s", Channel.WEB) for i in ids]
    ParquetEventStore(Path(root)).append(events)


def test_concurrent_writers_store_each_id_once(tmp_path: Path) -> None:
    ids = [str(uuid.uuid4()) for _ in range(300)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_in_child, args=(str(tmp_path / "ev"), ids)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    store = ParquetEventStore(tmp_path / "ev")
    assert store.count() == 300
    assert store.read_files([]).height == 0
    assert store.read_files(store.files()).height == 300
