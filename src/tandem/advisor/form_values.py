"""Values typed into the staff forms (dates, ids, id lists, the filter sets) read as the advisor services take them.

A staff form is plain text; the rules for what a date or an id looks like, and which fields a filter or an
assignment needs, are the workbench's, so the pages only pass the strings through. Every refusal names the field
and shows how to write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.advisor import workbench
from tandem.advisor.access import Staff
from tandem.core.errors import UserError, ValidationFailed


def parse_day(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` from a form as the UTC start of that day (``end``: start of the next day), or None if empty."""
    if value is None or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(f"{field}: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01") from exc
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def parse_id(value: str | None, field: str) -> int | None:
    """A positive id typed into a form, or None if empty; anything else is refused naming the field."""
    if value is None or not value.strip():
        return None
    text = value.strip().lstrip("#")
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        raise ValidationFailed(f"{field}: {value!r} is not an id; write the number shown in the list, e.g. 42")
    return int(text)


def parse_ids(value: str, field: str) -> list[int]:
    """Ids separated by commas, spaces or new lines (e.g. ``12, 13 14``); refused naming the first bad one."""
    parts = [p for p in value.replace(",", " ").replace("，", " ").split() if p]
    out = []
    for p in parts:
        one = parse_id(p, field)
        if one is not None:
            out.append(one)
    return out


def snooze_until(value: str) -> datetime:
    """The day a snoozed task comes back; a snooze without one is refused."""
    day = parse_day(value, "until")
    if day is None:
        raise ValidationFailed("until: pick the date the task should come back (YYYY-MM-DD)")
    return day


def oversight_filters(client: str, advisor: str, since: str, until: str) -> dict[str, Any]:
    """The audit and archive searches' client, advisor and date filters (``until`` includes that whole day)."""
    return {
        "client_user_id": parse_id(client, "client"),
        "advisor_id": parse_id(advisor, "advisor"),
        "since": parse_day(since, "from"),
        "until": parse_day(until, "to", end=True),
    }


def sample_period(since: str, until: str) -> tuple[datetime, datetime] | None:
    """The period a compliance sample is drawn from: both ends or neither (None: nothing drawn yet)."""
    start, end = parse_day(since, "from"), parse_day(until, "to", end=True)
    if (since or until) and (start is None or end is None):
        raise UserError("give both from and to (YYYY-MM-DD) to draw a sample of that period")
    return (start, end) if start is not None and end is not None else None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who takes the clients and which clients, as the assignment form asked."""

    advisor_id: int
    client_user_ids: list[int]


def assignment_from_form(
    db: Session, staff: Staff, *, to_advisor: str, client_ids: str, from_book: str, category: str
) -> Assignment:
    """Listed client ids, or a segment (``from_book``: an advisor id or ``unassigned``, optionally one level)."""
    target = parse_id(to_advisor, "to_advisor")
    if target is None:
        raise ValidationFailed("to_advisor: pick the advisor who takes the clients")
    ids = parse_ids(client_ids, "client_ids")
    if ids and from_book:
        raise ValidationFailed("list client ids or pick a segment, not both")
    if not ids:
        if not from_book:
            raise ValidationFailed("list client ids (e.g. 12, 13) or pick a segment to assign")
        source = None if from_book == "unassigned" else parse_id(from_book, "from_book")
        ids = workbench.assignment_segment(db, staff, from_advisor_id=source, category=category or None)
    return Assignment(advisor_id=target, client_user_ids=ids)
