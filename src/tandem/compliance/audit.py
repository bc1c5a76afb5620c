"""The audit-log port and its adapters: append and query, never update or delete.

Every suitability check, special warning, client confirmation, questionnaire result and plan decision is
appended here so the firm can show the regulator who did what, when, and under which rule version.
:class:`AuditSink` is the one-method port callers depend on; :class:`SqlAuditLog` is the database adapter
(table ``audit_log``), :class:`MemoryAuditLog` keeps entries in a list for batch runs over synthetic books and
for tests. To add a destination (e.g. a WORM object store) implement ``append`` and ``append_many``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.models import AuditLogRow
from tandem.core.db import session_scope, utcnow
from tandem.core.errors import UserError


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited event as callers see it."""

    actor: str
    action: str
    subject: str
    decision: str
    rule_version: str
    detail: Mapping[str, Any] | None = None
    at: datetime = field(default_factory=utcnow)
    id: int | None = None


class AuditSink(Protocol):
    """Where audit entries go; append-only by construction."""

    def append(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        decision: str,
        rule_version: str,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record one event and return it as stored."""
        ...

    def append_many(self, entries: Sequence[AuditEntry]) -> int:
        """Record several events in one write; returns how many were stored."""
        ...


def _validate(entry: AuditEntry) -> None:
    for name in ("actor", "action", "subject", "decision", "rule_version"):
        if not str(getattr(entry, name)).strip():
            raise UserError(f"audit entry field {name!r} is empty; every audit entry needs who, what and the rule")


class SqlAuditLog:
    """Audit log in the application database (table ``audit_log``)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def append(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        decision: str,
        rule_version: str,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one row and return it with its id and timestamp."""
        entry = AuditEntry(actor, action, subject, decision, rule_version, dict(detail) if detail else None)
        _validate(entry)
        with session_scope(self._sessions) as session:
            row = _to_row(entry)
            session.add(row)
            session.flush()
            return _from_row(row)

    def append_many(self, entries: Sequence[AuditEntry]) -> int:
        """Append rows in one transaction."""
        for entry in entries:
            _validate(entry)
        with session_scope(self._sessions) as session:
            session.add_all([_to_row(e) for e in entries])
        return len(entries)

    def query(
        self,
        *,
        subject: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """Entries matching every given filter, oldest first."""
        stmt = select(AuditLogRow).order_by(AuditLogRow.id).limit(limit)
        if subject is not None:
            stmt = stmt.where(AuditLogRow.subject == subject)
        if actor is not None:
            stmt = stmt.where(AuditLogRow.actor == actor)
        if action is not None:
            stmt = stmt.where(AuditLogRow.action == action)
        if since is not None:
            stmt = stmt.where(AuditLogRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditLogRow.at < until)
        with session_scope(self._sessions) as session:
            return [_from_row(r) for r in session.scalars(stmt)]


def audit_in(db: Session) -> SqlAuditLog:
    """An audit log writing on ``db``'s own connection, inside its transaction (committed or rolled back with it).

    A separate audit session is a second writer: on SQLite it waits for the write lock the caller's transaction
    holds until it commits, so a request that audits suitability checks mid-transaction (a campaign launch) failed
    with "database is locked" as soon as one recipient had a valid assessment.
    """
    return SqlAuditLog(sessionmaker(bind=db.connection()))


class MemoryAuditLog:
    """In-memory audit sink (batch runs over synthetic books, tests); entries are kept in order."""

    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []

    def append(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        decision: str,
        rule_version: str,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry."""
        entry = AuditEntry(actor, action, subject, decision, rule_version, dict(detail) if detail else None)
        _validate(entry)
        self._entries.append(entry)
        return entry

    def append_many(self, entries: Sequence[AuditEntry]) -> int:
        """Append several entries."""
        for entry in entries:
            _validate(entry)
        self._entries.extend(entries)
        return len(entries)

    def query(self, *, subject: str | None = None, action: str | None = None) -> list[AuditEntry]:
        """Entries matching the filters, oldest first (a copy; the log itself cannot be edited)."""
        return [
            e
            for e in self._entries
            if (subject is None or e.subject == subject) and (action is None or e.action == action)
        ]


def _to_row(entry: AuditEntry) -> AuditLogRow:
    return AuditLogRow(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        decision=entry.decision,
        rule_version=entry.rule_version,
        detail=dict(entry.detail) if entry.detail else None,
    )


def _from_row(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(row.actor, row.action, row.subject, row.decision, row.rule_version, row.detail, row.at, row.id)
