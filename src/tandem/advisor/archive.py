"""The send archive (留痕): search by advisor, client, product and date, CSV export, and retention purging.

WeCom's own message archive serves only the last days, so this table is the firm's record. The delivery status
is read live from the engagement outbox row the archive names (pending, sent, dead); a rejected recipient has
no outbox row and shows ``rejected``. Rows older than the configured retention
(``TANDEM_ADVISOR_ARCHIVE_RETENTION_YEARS``) are purged by :func:`purge_expired`, never earlier.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff
from tandem.advisor.models import SendArchiveRow
from tandem.advisor.snapshot import aware
from tandem.core.db import utcnow
from tandem.core.errors import ValidationFailed
from tandem.engagement.delivery.models import OutboxRow

COLUMNS = (
    "send_id",
    "at",
    "advisor_id",
    "client_user_id",
    "source",
    "content_item_id",
    "content_version_id",
    "product_code",
    "product_risk",
    "category",
    "channel",
    "title",
    "decision",
    "reason",
    "rule_version",
    "delivery_status",
)


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One archived recipient with the live delivery status."""

    row: SendArchiveRow
    delivery_status: str


def search(
    db: Session,
    staff: Staff,
    *,
    client_user_id: int | None = None,
    advisor_id: int | None = None,
    product: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[ArchiveEntry]:
    """Archived recipients newest first; an advisor searches only their own sends."""
    if not 1 <= limit <= 100_000:
        raise ValidationFailed(f"limit must be between 1 and 100000, not {limit}")
    a = SendArchiveRow
    q = select(a, OutboxRow.status).outerjoin(OutboxRow, OutboxRow.idempotency_key == a.outbox_key)
    owner = advisor_id if staff.supervises else staff.user_id
    if owner is not None:
        q = q.where(a.advisor_id == owner)
    if client_user_id is not None:
        q = q.where(a.client_user_id == client_user_id)
    if product is not None:
        q = q.where(a.product_code == product)
    if since is not None:
        q = q.where(a.at >= since)
    if until is not None:
        q = q.where(a.at < until)
    rows = db.execute(q.order_by(a.at.desc(), a.id.desc()).limit(limit))
    return [ArchiveEntry(r, status if r.outbox_key else "rejected") for r, status in rows]


def to_csv(entries: list[ArchiveEntry]) -> str:
    """The entries as CSV with a header row (UTF-8 text; the body is not exported, the version id names it)."""
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(COLUMNS)
    for e in entries:
        r = e.row
        at = aware(r.at) or r.at
        out.writerow(
            [
                r.send_id,
                at.isoformat(),
                r.advisor_id,
                r.client_user_id,
                r.source,
                r.content_item_id,
                r.content_version_id,
                r.product_code,
                r.product_risk,
                r.category,
                r.channel,
                r.title,
                r.decision,
                r.reason,
                r.rule_version,
                e.delivery_status,
            ]
        )
    return buf.getvalue()


def purge_expired(db: Session, *, retention_years: int, now: datetime | None = None) -> int:
    """Delete archive rows older than ``retention_years``; returns how many went."""
    if retention_years < 5:
        raise ValidationFailed("the send archive must be kept at least 5 years (证券投资顾问业务暂行规定)")
    t = now or utcnow()
    cutoff = t.replace(year=t.year - retention_years, day=min(t.day, 28))
    result = db.execute(delete(SendArchiveRow).where(SendArchiveRow.at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
