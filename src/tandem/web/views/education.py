"""Education-track records (:mod:`tandem.advisor.education`) as API schemas; the domain decides, this presents."""

from __future__ import annotations

from tandem.advisor.education import LessonState, TrackEntry
from tandem.web.schemas.advisor import LessonPublic, TrackPublic


def lesson_public(x: LessonState) -> LessonPublic:
    """One lesson with its read time."""
    return LessonPublic(position=x.position, item_id=x.item_id, title=x.title, read_at=x.read_at)


def track_public(e: TrackEntry) -> TrackPublic:
    """One course on the track with done/total and the next lesson."""
    nxt = e.next_lesson
    return TrackPublic(
        enrolment_id=e.enrolment_id,
        course_item_id=e.course_item_id,
        title=e.title,
        audience_risk=e.audience_risk,
        enrolled_at=e.enrolled_at,
        completed_at=e.completed_at,
        done=e.done,
        total=len(e.lessons),
        next_lesson=lesson_public(nxt) if nxt is not None else None,
        lessons=[lesson_public(x) for x in e.lessons],
    )
