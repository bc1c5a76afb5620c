"""The client book: an advisor's clients with tier, assessment expiry, plan and holdings, watchlist and alerts.

An advisor sees their own clients only; operations and compliance may look at any advisor's book by naming
the advisor. Facts come from one :func:`tandem.advisor.snapshot.read_facts` call, filters and sorting run on
those facts, and only the visible page is enriched with today's diagnosis changes of the watched stocks.
Names are masked (张** style): the book is a staff screen, and staff do not need a client's full name to serve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from tandem.advisor.access import Staff
from tandem.advisor.snapshot import ClientFacts, read_facts
from tandem.core.db import utcnow
from tandem.core.errors import ValidationFailed
from tandem.engagement.score_changes import ScoreChange

Sort = Literal["expiry", "name", "tasks", "drift"]
EXPIRY_WARNING_DAYS = 30


class ScoreChanges(Protocol):
    """Today's diagnosis moves for stock codes (:class:`tandem.engagement.score_changes.DiagnosisChanges`)."""

    def for_codes(self, codes: Iterable[str]) -> Mapping[str, ScoreChange]:
        """Changes of the codes that have one (codes without two scored sessions are absent)."""
        ...


def mask_name(name: str | None, user_id: int) -> str:
    """``张三丰`` → ``张**``; a client without a name is shown by id (``客户 #42``)."""
    if not name:
        return f"客户 #{user_id}"
    return name[0] + "*" * max(1, len(name) - 1)


@dataclass(frozen=True, slots=True)
class BookQuery:
    """Filters, search and page of the client book (``search`` matches the name or the client id)."""

    search: str = ""
    category: str | None = None
    expiring_within_days: int | None = None
    with_open_tasks: bool = False
    sort: Sort = "expiry"
    page: int = 1
    page_size: int = 50
    client_user_id: int | None = None

    def __post_init__(self) -> None:
        """Refuse a page or size outside what the screen can show, naming the allowed range."""
        if self.page < 1:
            raise ValidationFailed(f"page must be 1 or more, not {self.page}")
        if not 1 <= self.page_size <= 200:
            raise ValidationFailed(f"page_size must be between 1 and 200, not {self.page_size}")
        if self.category is not None and self.category not in ("C1", "C2", "C3", "C4", "C5"):
            raise ValidationFailed(f"category must be one of C1–C5, not {self.category!r}")


@dataclass(frozen=True, slots=True)
class BookRow:
    """One client as listed in the book."""

    user_id: int
    name: str
    category: str | None
    valid_until: datetime | None
    days_left: int | None
    plan_status: str | None
    holdings_value: float
    drift: float
    drawdown: float
    watch_codes: tuple[str, ...]
    watch_changes: tuple[ScoreChange, ...]
    last_contact_at: datetime | None
    open_tasks: int

    @property
    def assessment_alert(self) -> bool:
        """Never assessed, expired, or expiring within the warning window."""
        return self.days_left is None or self.days_left <= EXPIRY_WARNING_DAYS


@dataclass(frozen=True, slots=True)
class BookPage:
    """One page of the book and the number of clients matching the filters."""

    rows: tuple[BookRow, ...]
    total: int
    page: int
    page_size: int


def _matches(f: ClientFacts, q: BookQuery, now: datetime) -> bool:
    if q.client_user_id is not None and f.user_id != q.client_user_id:
        return False
    if q.category is not None and f.category != q.category:
        return False
    if q.with_open_tasks and f.open_tasks == 0:
        return False
    days = q.expiring_within_days
    if days is not None and f.valid_until is not None and (f.valid_until - now).days > days:
        return False
    text = q.search.strip()
    if text:
        return text == str(f.user_id) or (f.display_name is not None and text in f.display_name)
    return True


def _days_left(f: ClientFacts, now: datetime) -> int | None:
    return None if f.valid_until is None else (f.valid_until - now).days


def _sort_key(q: BookQuery, now: datetime) -> Callable[[ClientFacts], tuple[int | str | float, ...]]:
    def key(f: ClientFacts) -> tuple[int | str | float, ...]:
        if q.sort == "name":
            return (f.display_name or "", f.user_id)
        if q.sort == "tasks":
            return (-f.open_tasks, f.user_id)
        if q.sort == "drift":
            return (-f.max_drift, f.user_id)
        left = _days_left(f, now)
        return (left if left is not None else -(10**6), f.user_id)

    return key


def _row(f: ClientFacts, now: datetime, changes: Mapping[str, ScoreChange]) -> BookRow:
    return BookRow(
        user_id=f.user_id,
        name=mask_name(f.display_name, f.user_id),
        category=f.category,
        valid_until=f.valid_until,
        days_left=_days_left(f, now),
        plan_status=f.plan_status,
        holdings_value=round(f.total_value, 2),
        drift=f.max_drift,
        drawdown=f.drawdown,
        watch_codes=tuple(f.watch_codes),
        watch_changes=tuple(changes[c] for c in f.watch_codes if c in changes),
        last_contact_at=f.last_contact_at,
        open_tasks=f.open_tasks,
    )


def client_book(
    db: Session,
    staff: Staff,
    *,
    query: BookQuery,
    advisor_id: int | None = None,
    changes: ScoreChanges | None = None,
    now: datetime | None = None,
) -> BookPage:
    """One page of a client book: the caller's own, or (supervising roles only) ``advisor_id``'s or everyone's."""
    owner = advisor_id if staff.supervises else staff.user_id
    t = now or utcnow()
    facts = [f for f in read_facts(db, advisor_id=owner).values() if _matches(f, query, t)]
    facts.sort(key=_sort_key(query, t))
    start = (query.page - 1) * query.page_size
    visible = facts[start : start + query.page_size]
    codes = {c for f in visible for c in f.watch_codes}
    moved = changes.for_codes(codes) if changes is not None and codes else {}
    return BookPage(tuple(_row(f, t, moved) for f in visible), len(facts), query.page, query.page_size)
