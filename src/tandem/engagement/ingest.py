"""The domain ingest service: validate a whole batch of raw app events, then store all of it or none.

This is what ``POST /api/v1/events`` and the page beacons call (``EventIngestService.ingest``) and what server
code calls to record what it did (``EventIngestService.emit``). Validation is hand-written rather than a pydantic
model per event because the ingest goal is ≥ 50,000 events/s on one core and every problem must name the index
and field in the batch; it reads the per-type rules from :data:`tandem.engagement.events.EVENT_SPECS`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tandem.core.db import utcnow
from tandem.engagement.event_errors import (
    BatchTooLargeError,
    EventBatchError,
    EventProblem,
    FutureEventTimeError,
    MalformedEventError,
    StaleEventTimeError,
    UnknownEventTypeError,
    WrongClientError,
)
from tandem.engagement.events import (
    EVENT_SPECS,
    EVENT_TYPES_BY_NAME,
    SCHEMA_VERSION,
    Channel,
    Event,
    EventType,
    PropertyValue,
)

FIELDS = frozenset(
    {
        "event_id",
        "client_id",
        "type",
        "object_id",
        "properties",
        "client_time",
        "session_id",
        "channel",
        "schema_version",
    }
)
CLIENT_CHANNELS = {c.value: c for c in Channel if c is not Channel.SERVER}
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # the canonical form, fast
MAX_PROPERTIES = 32
_SCALARS = (str, int, float, bool)
MAX_TEXT = 512
MAX_ID = 64


class EventSink(Protocol):
    """Where validated events go: the Parquet store, or a Redis stream whose consumer writes the store."""

    def append(self, events: Sequence[Event]) -> int:
        """Store (or enqueue) ``events``; return how many were new (a replayed event id counts zero)."""
        ...


@dataclass(frozen=True, slots=True)
class IngestPolicy:
    """The limits one batch must meet; the defaults are what the app is told in the API docs."""

    max_batch: int = 500
    clock_skew: timedelta = timedelta(minutes=5)
    replay_window: timedelta = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to an accepted batch: how many events came, how many were new, and the parsed events.

    ``events`` lets the caller feed what the batch says to a higher layer (the advisor's education track reads
    ``content_read``) without parsing it twice; engagement itself knows nothing of those layers.
    """

    received: int
    stored: int
    events: tuple[Event, ...] = ()

    @property
    def duplicates(self) -> int:
        """Events whose id was already stored (a replay; nothing changed for them)."""
        return self.received - self.stored


class EventIngestService:
    """Validate-then-store for app batches, and ``emit`` for server-side events (keyword-only arguments)."""

    def __init__(
        self, *, sink: EventSink, policy: IngestPolicy | None = None, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sink = sink
        self._policy = policy or IngestPolicy()
        self._clock = clock

    def ingest(self, raw: Sequence[Mapping[str, object]], *, client_id: int) -> IngestResult:
        """Validate every event of ``raw`` as sent by the authenticated ``client_id``; store all or raise.

        Raises a subclass of :class:`EventBatchError` (its ``detail`` lists every problem, each with index and
        field) before anything is stored when any event is bad or the batch is larger than the policy allows.
        """
        if len(raw) > self._policy.max_batch:
            raise BatchTooLargeError(
                [
                    EventProblem(
                        self._policy.max_batch,
                        "events",
                        f"a batch carries at most {self._policy.max_batch} events, got {len(raw)}; "
                        "split it into smaller batches",
                        BatchTooLargeError,
                    )
                ]
            )
        now = self._clock()
        events, problems = parse_batch(raw, client_id=client_id, now=now, policy=self._policy)
        if problems:
            raise problems[0].kind(problems)
        stored = self._sink.append(events) if events else 0
        return IngestResult(received=len(events), stored=stored, events=tuple(events))

    def emit(
        self,
        *,
        client_id: int,
        type: EventType,
        object_id: str | None,
        properties: Mapping[str, PropertyValue] | None = None,
        session_id: str = "server",
    ) -> Event:
        """Record one server-side event (a push sent, an assessment completed) and return it."""
        spec = EVENT_SPECS[type]
        props = dict(properties or {})
        missing = [k for k in spec.required if k not in props]
        if spec.needs_object and not object_id:
            missing.insert(0, "object_id")
        if missing:
            raise MalformedEventError(
                [EventProblem(0, missing[0], f"{type.value} needs {missing[0]}", MalformedEventError)]
            )
        now = self._clock()
        event = Event(str(uuid.uuid4()), client_id, type, object_id, props, now, now, session_id, Channel.SERVER)
        self._sink.append([event])
        return event


def parse_batch(
    raw: Sequence[Mapping[str, object]], *, client_id: int, now: datetime, policy: IngestPolicy
) -> tuple[list[Event], list[EventProblem]]:
    """Turn raw dicts into events, collecting every problem instead of stopping at the first."""
    latest, earliest = now + policy.clock_skew, now - policy.replay_window
    events: list[Event] = []
    problems: list[EventProblem] = []
    for i, item in enumerate(raw):
        found = _parse_one(i, item, client_id=client_id, now=now, latest=latest, earliest=earliest)
        if isinstance(found, Event):
            events.append(found)
        else:
            problems.extend(found)
    return events, problems


def _bad(i: int, name: str, message: str, kind: type[EventBatchError] = MalformedEventError) -> list[EventProblem]:
    return [EventProblem(i, name, message, kind)]


def _parse_one(
    i: int, item: Mapping[str, object], *, client_id: int, now: datetime, latest: datetime, earliest: datetime
) -> Event | list[EventProblem]:
    if type(item) is not dict and not isinstance(item, Mapping):  # `type(x) is` checks: this loop is the hot path
        return _bad(i, "(event)", f"an event is a JSON object, got {type(item).__name__}")
    if not FIELDS.issuperset(item):
        extra = item.keys() - FIELDS
        return _bad(i, sorted(extra)[0], f"unknown field; the schema has {', '.join(sorted(FIELDS))}")
    version = item.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        return _bad(i, "schema_version", f"this server reads schema version {SCHEMA_VERSION}, got {version!r}")
    type_text = item.get("type")
    etype = EVENT_TYPES_BY_NAME.get(type_text) if type(type_text) is str else None
    if etype is None:
        return _bad(
            i, "type", f"unknown event type {type_text!r}; see the event schema for the list", UnknownEventTypeError
        )
    spec = EVENT_SPECS[etype]
    if not spec.from_client:
        return _bad(
            i, "type", f"{etype.value} is emitted by the server only; the app may not send it", UnknownEventTypeError
        )
    cid = item.get("client_id")
    if type(cid) is not int:  # also refuses True/False
        return _bad(i, "client_id", f"must be the integer user id, got {cid!r}")
    if cid != client_id:
        return _bad(
            i,
            "client_id",
            f"is {cid} but the signed-in user is {client_id}; send only your own events",
            WrongClientError,
        )
    event_id = item.get("event_id")
    if type(event_id) is not str or not _is_uuid(event_id):
        return _bad(i, "event_id", f"must be a UUID string generated once per event, got {event_id!r}")
    when = _parse_time(item.get("client_time"))
    if when is None:
        return _bad(i, "client_time", "must be an ISO 8601 time with a UTC offset (…Z or +08:00) or epoch ms")
    if when > latest:
        return _bad(
            i, "client_time", f"{when.isoformat()} is in the future (server time {now.isoformat()}, "
            f"allowed skew {int((latest - now).total_seconds())} s); check the device clock", FutureEventTimeError,
        )  # fmt: skip
    if when < earliest:
        return _bad(
            i, "client_time", f"{when.isoformat()} is older than the {(now - earliest).days}-day replay window; "
            "drop such old buffered events", StaleEventTimeError,
        )  # fmt: skip
    session = item.get("session_id")
    if type(session) is not str or not 0 < len(session) <= MAX_ID:
        return _bad(i, "session_id", f"must be a non-empty string of at most {MAX_ID} characters")
    channel = item.get("channel")
    known_channel = CLIENT_CHANNELS.get(channel) if type(channel) is str else None
    if known_channel is None:
        return _bad(i, "channel", f"must be one of {', '.join(sorted(CLIENT_CHANNELS))}, got {channel!r}")
    obj = item.get("object_id")
    if obj is not None and (type(obj) is not str or not 0 < len(obj) <= MAX_ID):
        return _bad(i, "object_id", f"must be a string of 1–{MAX_ID} characters or null")
    if spec.needs_object and obj is None:
        return _bad(i, "object_id", f"{etype.value} events name their object (e.g. 600519.SH)")
    props = item.get("properties")
    if not props and not spec.required and (props is None or type(props) is dict):
        return Event(event_id, cid, etype, obj, {}, when, now, session, known_channel)
    checked = _check_properties(i, {} if props is None else props, spec.required, etype)
    if isinstance(checked, list):
        return checked
    return Event(event_id, cid, etype, obj, checked, when, now, session, known_channel)


def _check_properties(
    i: int, props: object, required: dict[str, type], etype: EventType
) -> dict[str, PropertyValue] | list[EventProblem]:
    if not isinstance(props, Mapping):
        return _bad(i, "properties", "must be a JSON object of scalar values")
    if len(props) > MAX_PROPERTIES:
        return _bad(i, "properties", f"at most {MAX_PROPERTIES} properties, got {len(props)}")
    for key, value in props.items():
        if not isinstance(key, str) or not 0 < len(key) <= MAX_ID:
            return _bad(i, "properties", f"property names are strings of 1–{MAX_ID} characters, got {key!r}")
        if not isinstance(value, _SCALARS) or (isinstance(value, str) and len(value) > MAX_TEXT):
            return _bad(i, f"properties.{key}", f"must be a number, boolean or string of ≤ {MAX_TEXT} characters")
    for key, kind in required.items():
        value = props.get(key)
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok or (kind is int and value < 0):  # type: ignore[operator]
            return _bad(i, f"properties.{key}", f"{etype.value} needs {key} as a non-negative {kind.__name__}")
    return dict(props)


def _is_uuid(text: str) -> bool:
    if _UUID_TEXT.fullmatch(text):
        return True
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)
