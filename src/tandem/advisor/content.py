"""The content library: articles, courses and report templates, each version reviewed by compliance.

Life of a version: ``draft`` → ``submitted`` → ``approved`` | ``rejected`` (with reasons). Submission runs the
phrase guard over every text and requires one of the official risk disclaimers
(:mod:`tandem.compliance.disclaimers`) in the body; a failing draft stays a draft and the error lists what to
fix. An approved version is never changed: editing an item whose latest version is approved or rejected opens a
new draft version, and the approved one keeps serving sends until the new one is approved. Every review
decision goes to the audit log.

Other packages (operations campaigns) use :func:`get_approved` and :func:`list_approved` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_role
from tandem.advisor.models import ContentItem, ContentVersion
from tandem.advisor.snapshot import aware
from tandem.compliance.audit import AuditSink
from tandem.compliance.disclaimers import RISK_DISCLAIMER, STOCK_RISK_DISCLAIMER
from tandem.compliance.phrase_guard import find_forbidden_phrases
from tandem.compliance.suitability import ProductRisk
from tandem.core.db import utcnow
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed

KINDS = ("article", "course", "template")
REVIEW_RULE_VERSION = "content-review-2026.1"
DISCLAIMERS = tuple(RISK_DISCLAIMER.values()) + tuple(STOCK_RISK_DISCLAIMER.values())


@dataclass(frozen=True, slots=True)
class ApprovedContent:
    """An approved, immutable version of a library item, as senders and campaigns use it."""

    item_id: int
    version_id: int
    version: int
    kind: str
    title: str
    category: str
    tags: tuple[str, ...]
    audience_risk: ProductRisk
    body: str
    lessons: tuple[str, ...]
    approved_at: datetime


def _check_fields(kind: str, title: str, audience_risk: str, lessons: list[str]) -> None:
    problems = []
    if kind not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not title.strip() or len(title) > 120:
        problems.append("title must be 1–120 characters")
    if audience_risk not in {r.value for r in ProductRisk}:
        problems.append(f"audience_risk must be one of R1–R5, not {audience_risk!r}")
    if kind == "course" and not [x for x in lessons if x.strip()]:
        problems.append("a course needs at least one lesson (lessons are kept in the order given)")
    if problems:
        raise ValidationFailed("content item refused: " + "; ".join(problems), problems)


def create_item(
    db: Session,
    staff: Staff,
    *,
    kind: str,
    title: str,
    category: str,
    tags: list[str],
    audience_risk: str,
    body: str,
    lessons: list[str] | None = None,
) -> ContentVersion:
    """A new item with its first draft version (advisors and operations write content)."""
    require_role(staff, "advisor", "operations")
    _check_fields(kind, title, audience_risk, lessons or [])
    item = ContentItem(
        kind=kind,
        title=title.strip(),
        category=category.strip() or "general",
        tags=sorted(set(tags)),
        audience_risk=audience_risk,
        author_id=staff.user_id,
    )
    db.add(item)
    db.flush()
    version = ContentVersion(
        item_id=item.id, version=1, body=body, lessons=list(lessons or []), status="draft", review_reasons=[]
    )
    db.add(version)
    db.flush()
    return version


def latest_version(db: Session, *, item_id: int) -> ContentVersion:
    """The item's newest version, or NotFoundError."""
    v = db.scalar(
        select(ContentVersion).where(ContentVersion.item_id == item_id).order_by(ContentVersion.version.desc())
    )
    if v is None:
        raise NotFoundError(f"no content item {item_id}")
    return v


def edit(db: Session, staff: Staff, *, item_id: int, body: str, lessons: list[str] | None = None) -> ContentVersion:
    """Change the text: the draft in place, or a new draft version after approval or rejection."""
    require_role(staff, "advisor", "operations")
    item = db.get(ContentItem, item_id)
    if item is None:
        raise NotFoundError(f"no content item {item_id}")
    _check_fields(item.kind, item.title, item.audience_risk, lessons or [])
    v = latest_version(db, item_id=item_id)
    if v.status == "submitted":
        raise ConflictError(f"content {item_id} v{v.version} is under compliance review; wait for the decision")
    if v.status == "draft":
        v.body, v.lessons = body, list(lessons or [])
        db.flush()
        return v
    new = ContentVersion(
        item_id=item_id,
        version=v.version + 1,
        body=body,
        lessons=list(lessons or []),
        status="draft",
        review_reasons=[],
    )
    db.add(new)
    db.flush()
    return new


def submit(db: Session, staff: Staff, *, item_id: int, now: datetime | None = None) -> ContentVersion:
    """Send the draft to compliance after the phrase guard and the disclaimer rule; refused drafts stay drafts."""
    require_role(staff, "advisor", "operations")
    item = db.get(ContentItem, item_id)
    v = latest_version(db, item_id=item_id)
    if item is None or v.status != "draft":
        raise ConflictError(f"content {item_id} v{v.version} is {v.status}; only a draft can be submitted")
    problems = []
    texts = {"title": item.title, "body": v.body} | {f"lesson {i + 1}": x for i, x in enumerate(v.lessons)}
    for where, text in texts.items():
        hits = find_forbidden_phrases(text)
        if hits:
            problems.append(f"{where}: promises returns or denies risk ({', '.join(repr(h) for h in hits)})")
    if not any(d in v.body for d in DISCLAIMERS):
        problems.append(
            "body: the official risk disclaimer is missing; append risk_disclaimer(kind='fund') for fund content "
            "or risk_disclaimer(kind='stock') for stock content, word for word"
        )
    if problems:
        raise ValidationFailed(f"content {item_id} v{v.version} cannot be submitted: " + "; ".join(problems), problems)
    v.status, v.submitted_at = "submitted", now or utcnow()
    db.flush()
    return v


def review(
    db: Session,
    staff: Staff,
    audit: AuditSink,
    *,
    version_id: int,
    approve: bool,
    reasons: list[str],
    now: datetime | None = None,
) -> ContentVersion:
    """Compliance decides on a submitted version; a rejection needs reasons; the decision is audited."""
    require_role(staff, "compliance")
    v = db.get(ContentVersion, version_id)
    if v is None:
        raise NotFoundError(f"no content version {version_id}")
    if v.status != "submitted":
        raise ConflictError(f"content version {version_id} is {v.status}; only a submitted version can be reviewed")
    clean = [r.strip() for r in reasons if r.strip()]
    if not approve and not clean:
        raise ValidationFailed("a rejection needs at least one reason the author can act on")
    decision = "approved" if approve else "rejected"
    # audit first: the SQL audit log commits in its own session, before this session takes the write lock
    audit.append(
        actor=staff.actor,
        action="content.review",
        subject=f"content:{v.item_id}:v{v.version}",
        decision=decision,
        rule_version=REVIEW_RULE_VERSION,
        detail={"version_id": v.id, "reasons": clean},
    )
    v.status, v.review_reasons, v.reviewed_by, v.reviewed_at = decision, clean, staff.actor, now or utcnow()
    db.flush()
    return v


def review_queue(db: Session) -> list[tuple[ContentItem, ContentVersion]]:
    """Versions waiting for compliance, oldest submission first."""
    q = select(ContentItem, ContentVersion).join(ContentVersion, ContentVersion.item_id == ContentItem.id)
    rows = db.execute(q.where(ContentVersion.status == "submitted").order_by(ContentVersion.submitted_at))
    return [(i, v) for i, v in rows]


def _approved(item: ContentItem, v: ContentVersion) -> ApprovedContent:
    return ApprovedContent(
        item.id,
        v.id,
        v.version,
        item.kind,
        item.title,
        item.category,
        tuple(item.tags),
        ProductRisk(item.audience_risk),
        v.body,
        tuple(v.lessons),
        aware(v.reviewed_at) or utcnow(),
    )


def get_approved(db: Session, *, item_id: int, version_id: int | None = None) -> ApprovedContent:
    """The latest approved version of an item (or exactly ``version_id``), or NotFoundError naming why."""
    item = db.get(ContentItem, item_id)
    q = select(ContentVersion).where(ContentVersion.item_id == item_id, ContentVersion.status == "approved")
    if version_id is not None:
        q = q.where(ContentVersion.id == version_id)
    v = db.scalar(q.order_by(ContentVersion.version.desc()))
    if item is None or v is None:
        raise NotFoundError(f"content item {item_id} has no approved version; it must pass compliance review first")
    return _approved(item, v)


def list_approved(
    db: Session, *, kind: str | None = None, max_risk: ProductRisk | None = None
) -> list[ApprovedContent]:
    """Every item's latest approved version (optionally of one kind, at most ``max_risk``), newest item first."""
    newest = (
        select(ContentVersion.item_id, func.max(ContentVersion.version).label("v"))
        .where(ContentVersion.status == "approved")
        .group_by(ContentVersion.item_id)
        .subquery()
    )
    q = (
        select(ContentItem, ContentVersion)
        .join(newest, newest.c.item_id == ContentItem.id)
        .join(ContentVersion, (ContentVersion.item_id == ContentItem.id) & (ContentVersion.version == newest.c.v))
    )
    if kind is not None:
        q = q.where(ContentItem.kind == kind)
    out = [_approved(i, v) for i, v in db.execute(q.order_by(ContentItem.id.desc()))]
    return [c for c in out if max_risk is None or c.audience_risk.rank <= max_risk.rank]
