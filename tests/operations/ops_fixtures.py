"""Small hand-made event stores for the operations tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType

T = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing


def link(
    code: str, source: str, partner: str = "direct", campaign: str = "direct"
) -> dict[str, str | int | float | bool]:
    return {"link": code, "source": source, "partner": partner, "campaign": campaign}


def ev(client: int, kind: str, when: datetime, props: dict[str, str | int | float | bool] | None = None, *,
       server: datetime | None = None, eid: str | None = None) -> Event:  # fmt: skip
    obj = "fund:510300" if kind == "holding_changed" else None
    return Event(eid or str(uuid.uuid4()), client, EventType(kind), obj, props or {}, when, server or when, "s",
                 Channel.SERVER)  # fmt: skip


def store(root: Path, events: list[Event]) -> ParquetEventStore:
    s = ParquetEventStore(root, durable=False)
    for e in events:  # one append per event: arrival order is the list order, not time order
        s.append([e])
    return s
