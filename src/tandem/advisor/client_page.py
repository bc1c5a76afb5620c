"""One screen per client: profile, assessments, plan, holdings, diagnosis, tags, service, tasks, education track.

The education track lists the client's courses with progress and the next lesson (:mod:`tandem.advisor.education`).

Every read starts with :func:`tandem.advisor.access.require_client_access`, so another advisor's client is not
found. Interest tags are shown only when the client has not opted out of personalisation
(``User.non_personalised``) — the consent the engagement profile honours — and a client's own tag deletions
are already applied by the profile service. Contacts are recorded here too (:func:`record_contact`), which is
what closes the first-contact rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_client_access
from tandem.advisor.assignments import AssignmentChange, history
from tandem.advisor.book import BookQuery, BookRow, ScoreChanges, client_book
from tandem.advisor.education import TrackEntry, track
from tandem.advisor.models import AdvisorTask, ServiceRecord
from tandem.advisor.snapshot import aware, wealth_id
from tandem.advisor.tasks import queue
from tandem.core.db import utcnow
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.engagement.profile_service import ClientProfile
from tandem.identity import Keys, User
from tandem.identity.accounts import AccountView, account_view
from tandem.wealth.models import RiskAssessmentRow

CONTACT_KINDS = ("call", "wecom", "meeting", "visit", "other")


class Profiles(Protocol):
    """The engagement profile of a client (:class:`tandem.engagement.profile_service.ProfileService`)."""

    def profile(self, client_id: int) -> ClientProfile:
        """The client's current profile."""
        ...


@dataclass(frozen=True, slots=True)
class AssessmentEntry:
    """One questionnaire result in the client's history."""

    category: str
    score: int
    assessed_at: datetime
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class ClientPage:
    """Everything the client screen shows."""

    account: AccountView
    summary: BookRow
    assessments: tuple[AssessmentEntry, ...]
    tags: tuple[str, ...]
    service: tuple[ServiceRecord, ...]
    tasks: tuple[AdvisorTask, ...]
    advisors: tuple[AssignmentChange, ...]
    education: tuple[TrackEntry, ...] = ()


def client_page(
    db: Session,
    staff: Staff,
    keys: Keys,
    *,
    client_user_id: int,
    changes: ScoreChanges | None = None,
    profiles: Profiles | None = None,
    now: datetime | None = None,
) -> ClientPage:
    """The client screen, or NotFoundError when the client is not the caller's to see."""
    assignment = require_client_access(db, staff, client_user_id=client_user_id)
    user = db.get(User, client_user_id)
    if user is None or assignment is None:
        raise NotFoundError(f"no client {client_user_id} in any client book; operations assign clients first")
    t = now or utcnow()
    page = client_book(
        db,
        staff,
        query=BookQuery(client_user_id=client_user_id, page_size=1),
        advisor_id=assignment.advisor_id,
        changes=changes,
        now=t,
    )
    rows = db.scalars(
        select(RiskAssessmentRow)
        .where(RiskAssessmentRow.client_id == wealth_id(client_user_id))
        .order_by(RiskAssessmentRow.assessed_at.desc())
    )
    assessments = tuple(
        AssessmentEntry(r.category, r.score, aware(r.assessed_at) or t, aware(r.valid_until) or t) for r in rows
    )
    tags: tuple[str, ...] = ()
    if profiles is not None and not user.non_personalised:
        tags = tuple(tag.label for tag in profiles.profile(client_user_id).tags)
    service = tuple(
        db.scalars(
            select(ServiceRecord)
            .where(ServiceRecord.client_user_id == client_user_id)
            .order_by(ServiceRecord.at.desc())
            .limit(50)
        )
    )
    advisor_view = Staff(user_id=assignment.advisor_id, role="advisor")
    return ClientPage(
        account=account_view(keys, user),
        summary=page.rows[0],
        assessments=assessments,
        tags=tags,
        service=service,
        tasks=tuple(queue(db, advisor_view, now=t, client_user_id=client_user_id)),
        advisors=tuple(history(db, client_user_id=client_user_id)),
        education=tuple(track(db, client_user_id=client_user_id)),
    )


def record_contact(
    db: Session, staff: Staff, *, client_user_id: int, kind: str, note: str, now: datetime | None = None
) -> ServiceRecord:
    """Add a contact to the client's service history (the advisor's own clients only)."""
    require_client_access(db, staff, client_user_id=client_user_id)
    if kind not in CONTACT_KINDS:
        raise ValidationFailed(f"contact kind must be one of {', '.join(CONTACT_KINDS)}, not {kind!r}")
    text = note.strip()
    if not text or len(text) > 500:
        raise ValidationFailed("a contact note must be 1–500 characters saying what was discussed")
    row = ServiceRecord(
        client_user_id=client_user_id, advisor_id=staff.user_id, at=now or utcnow(), kind=kind, note=text
    )
    db.add(row)
    db.flush()
    return row
