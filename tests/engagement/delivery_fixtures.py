"""Helpers shared by the delivery tests (imported by name; tests/engagement has no conftest on purpose)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

import tandem.compliance.models
import tandem.engagement.delivery.models  # noqa: F401  (tables on Base)
from tandem.compliance.audit import MemoryAuditLog, SqlAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import Base, make_engine, make_sessionmaker
from tandem.engagement.delivery.channels.base import OutgoingMessage, TransientChannelError
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.records import ClientContext, PushCandidate
from tandem.engagement.delivery.service import PushService

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2024, 3, 5, 12, 0, tzinfo=SHANGHAI).astimezone(UTC)
"""A moment outside the default quiet hours (12:00 Shanghai)."""


def sqlite_sessions(path: str) -> sessionmaker[Session]:
    """A fresh SQLite database with every table."""
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return make_sessionmaker(engine)


@contextmanager
def pg_sessions(url: str) -> Iterator[tuple[sessionmaker[Session], str]]:
    """Every table in a throwaway schema of the real PostgreSQL test database."""
    schema = f"dlv_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    scoped = f"{url}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(scoped)
    try:
        Base.metadata.create_all(engine)
        yield make_sessionmaker(engine), scoped
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def config(
    *,
    quiet: tuple[time, time] = (time(22, 0), time(8, 0)),
    cap_client: int = 6,
    cap_channel: dict[str, int] | None = None,
) -> PolicyConfig:
    return PolicyConfig(QuietHours(quiet[0], quiet[1], SHANGHAI), cap_client, cap_channel or {"inapp": 5, "email": 2})


def policy(**kw: Any) -> DeliveryPolicy:
    """A policy over an in-memory audit log (pure decisions, no database)."""
    return DeliveryPolicy(config=config(**kw), suitability=SuitabilityService(audit=MemoryAuditLog()))


def push_service(sessions: sessionmaker[Session], **kw: Any) -> PushService:
    audit = SqlAuditLog(sessions)
    return PushService(policy=DeliveryPolicy(config=config(**kw), suitability=SuitabilityService(audit=audit)))


def candidate(client: str = "c1", fact: str = "f1", **kw: Any) -> PushCandidate:
    base: dict[str, Any] = {
        "client_id": client,
        "category": "mover",
        "channel": "inapp",
        "title": f"600000 涨停 {fact}",
        "body": "浦发银行今日触及涨停。",
        "rule": "mover.limit_up_hit/v1",
        "dedup_key": f"mover:{fact}",
        "data_date": date(2024, 3, 5),
        "source_events": (f"session:2024-03-05:{fact}",),
        "evidence": {"code": "600000"},
    }
    base.update(kw)
    return PushCandidate(**base)


def client(cid: str = "c1", **kw: Any) -> ClientContext:
    base: dict[str, Any] = {
        "client_id": cid,
        "risk_category": InvestorCategory.C3,
        "channels": frozenset({"inapp", "email"}),
    }
    base.update(kw)
    return ClientContext(**base)


class RecordingChannel:
    """A channel that records what it was asked to send and can fail the first ``fail`` calls."""

    def __init__(self, name: str = "inapp", fail: int = 0) -> None:
        self.name = name
        self.sent: list[OutgoingMessage] = []
        self.calls = 0
        self._fail = fail

    def send(self, message: OutgoingMessage) -> None:
        self.calls += 1
        if self.calls <= self._fail:
            raise TransientChannelError(f"simulated outage #{self.calls}")
        self.sent.append(message)
