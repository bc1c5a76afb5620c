"""Tables owned by compliance: the append-only audit log.

Rows are never updated or deleted: :class:`tandem.compliance.audit.SqlAuditLog` exposes append and query only,
and database triggers (SQLite and PostgreSQL, created with the table) reject UPDATE and DELETE outright, so
even a raw SQL statement cannot rewrite history. Alembic migrations must carry the same triggers
(:data:`AUDIT_GUARD_DDL`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, DateTime, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow


class AuditLogRow(Base):
    """One audited event: who did what to which subject, the decision, and the rule version applied."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    subject: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    decision: Mapped[str] = mapped_column(String(64), nullable=False)
    rule_version: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


AUDIT_GUARD_DDL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
        "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
}

for _dialect, _statements in AUDIT_GUARD_DDL.items():
    for _sql in _statements:
        event.listen(
            AuditLogRow.__table__,
            "after_create",
            DDL(_sql).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )
