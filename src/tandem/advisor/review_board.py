"""The compliance review board: each submitted version with what the phrase guard finds in it today.

Submission already ran the guard (:func:`tandem.advisor.content.submit`), so a version in the queue passed it;
the board runs it again so the reviewer sees the result next to the text (the phrase list may have grown since),
and whether the official disclaimer is present. The guard only knows fixed phrases — a promise worded another
way (保证年化收益 8%) passes it, which is why a person reviews every version before it can be sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_role
from tandem.advisor.content import DISCLAIMERS, review_queue
from tandem.advisor.models import ContentItem, ContentVersion
from tandem.compliance.phrase_guard import find_forbidden_phrases


@dataclass(frozen=True, slots=True)
class GuardHit:
    """Forbidden phrases found in one field (title, body, lesson n)."""

    where: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """One version waiting for a decision, with the guard's findings."""

    item: ContentItem
    version: ContentVersion
    hits: tuple[GuardHit, ...]
    has_disclaimer: bool

    @property
    def guard_clean(self) -> bool:
        """No forbidden phrase and the disclaimer present."""
        return not self.hits and self.has_disclaimer


def guard(item: ContentItem, version: ContentVersion) -> ReviewEntry:
    """The guard's findings on one version."""
    texts = {"title": item.title, "body": version.body}
    texts |= {f"lesson {i + 1}": x for i, x in enumerate(version.lessons)}
    hits = tuple(GuardHit(w, tuple(p)) for w, t in texts.items() if (p := find_forbidden_phrases(t)))
    return ReviewEntry(item, version, hits, any(d in version.body for d in DISCLAIMERS))


def review_board(db: Session, staff: Staff) -> list[ReviewEntry]:
    """Submitted versions, oldest first, each with the guard's findings (compliance only)."""
    require_role(staff, "compliance")
    return [guard(i, v) for i, v in review_queue(db)]
