"""One batch read of everything the client book and the task rules need about a set of clients.

Both the book (2,000 clients per advisor) and the task rules (10,000 clients) read the same facts — latest
assessment, accepted plan weights, simulated holdings, watchlist, last contact, open tasks — so they are read
here once per table with a join on the assignment, never one query per client.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.models import AdvisorTask, ClientAssignment, ServiceRecord
from tandem.engagement.models import WatchItem
from tandem.identity import User
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import PlanRow, RiskAssessmentRow


def aware(t: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone columns; they are UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def wealth_id(user_id: int) -> str:
    """The wealth tables' client id of a user (``user:<id>``, as :mod:`tandem.wealth.client` writes it)."""
    return f"user:{user_id}"


@dataclass(slots=True)
class ClientFacts:
    """What is known about one client, as read in one snapshot."""

    user_id: int
    advisor_id: int
    display_name: str | None
    created_at: datetime
    assigned_at: datetime
    category: str | None = None
    assessed_at: datetime | None = None
    valid_until: datetime | None = None
    plan_id: int | None = None
    plan_status: str | None = None
    target_weights: dict[str, float] = field(default_factory=dict)
    holdings_value: dict[str, float] = field(default_factory=dict)
    holdings_cost: float = 0.0
    watch_codes: list[str] = field(default_factory=list)
    last_contact_at: datetime | None = None
    open_tasks: int = 0

    @property
    def total_value(self) -> float:
        """Value of the simulated holdings at their recorded NAV."""
        return sum(self.holdings_value.values())

    @property
    def drawdown(self) -> float:
        """Loss against cost as a fraction (0.12 = 12 % below cost; 0 when nothing is held or in profit)."""
        if self.holdings_cost <= 0:
            return 0.0
        return max(0.0, 1.0 - self.total_value / self.holdings_cost)

    @property
    def max_drift(self) -> float:
        """Largest absolute difference between a fund's weight and its plan target (0 without holdings)."""
        total = self.total_value
        if total <= 0 or not self.target_weights:
            return 0.0
        codes = set(self.target_weights) | set(self.holdings_value)
        return max(abs(self.holdings_value.get(c, 0.0) / total - self.target_weights.get(c, 0.0)) for c in codes)


def read_facts(db: Session, *, advisor_id: int | None) -> dict[int, ClientFacts]:
    """Facts of every assigned client (of one advisor, or of all advisors when ``advisor_id`` is None)."""
    base = select(ClientAssignment, User.display_name, User.created_at).join(
        User, User.id == ClientAssignment.client_user_id
    )
    if advisor_id is not None:
        base = base.where(ClientAssignment.advisor_id == advisor_id)
    facts: dict[int, ClientFacts] = {}
    for a, name, created in db.execute(base):
        facts[a.client_user_id] = ClientFacts(
            a.client_user_id, a.advisor_id, name, aware(created) or a.assigned_at, aware(a.assigned_at) or a.assigned_at
        )
    if not facts:
        return facts
    by_wealth = {wealth_id(uid): f for uid, f in facts.items()}
    _assessments(db, by_wealth)
    _plans(db, by_wealth)
    _holdings(db, by_wealth)
    _watch(db, facts, advisor_id)
    _contacts(db, facts, advisor_id)
    _tasks(db, facts, advisor_id)
    return facts


CHUNK = 2000


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(keys), CHUNK):
        yield keys[i : i + CHUNK]


def _rows(db: Session, stmt: Any, column: Any, keys: list[str]) -> Iterator[Any]:
    """Rows of ``stmt`` whose ``column`` is one of ``keys``, queried in chunks (bounded bind parameters)."""
    for part in _chunks(keys):
        yield from db.execute(stmt.where(column.in_(part)))


def _assessments(db: Session, by_wealth: dict[str, ClientFacts]) -> None:
    r = RiskAssessmentRow
    stmt = select(r.client_id, r.category, r.assessed_at, r.valid_until).order_by(r.assessed_at, r.id)
    for cid, category, assessed, valid in _rows(db, stmt, r.client_id, list(by_wealth)):
        f = by_wealth[cid]
        f.category, f.assessed_at, f.valid_until = category, aware(assessed), aware(valid)


def _plans(db: Session, by_wealth: dict[str, ClientFacts]) -> None:
    p = PlanRow
    stmt = select(p.client_id, p.id, p.status, p.payload).where(p.status != "superseded").order_by(p.id)
    for cid, pid, status, payload in _rows(db, stmt, p.client_id, list(by_wealth)):
        f = by_wealth[cid]
        if f.plan_status == "accepted" and status != "accepted":
            continue  # a newer proposal does not hide the plan the client holds
        f.plan_id, f.plan_status = pid, status
        holdings = payload.get("holdings", []) if isinstance(payload, dict) else []
        f.target_weights = {str(h["code"]): float(h["weight"]) for h in holdings if isinstance(h, dict)}


def _holdings(db: Session, by_wealth: dict[str, ClientFacts]) -> None:
    h = SimHoldingRow
    stmt = select(h.client_id, h.code, h.units, h.nav, h.cost)
    for cid, code, units, nav, cost in _rows(db, stmt, h.client_id, list(by_wealth)):
        f = by_wealth[cid]
        f.holdings_value[code] = f.holdings_value.get(code, 0.0) + units * nav
        f.holdings_cost += cost


def _assigned(advisor_id: int | None) -> Any:
    q = select(ClientAssignment.client_user_id)
    return q if advisor_id is None else q.where(ClientAssignment.advisor_id == advisor_id)


def _watch(db: Session, facts: dict[int, ClientFacts], advisor_id: int | None) -> None:
    stmt = select(WatchItem.user_id, WatchItem.code).where(WatchItem.user_id.in_(_assigned(advisor_id)))
    codes: dict[int, list[str]] = defaultdict(list)
    for uid, code in db.execute(stmt.order_by(WatchItem.id)):
        codes[uid].append(code)
    for uid, items in codes.items():
        facts[uid].watch_codes = items


def _contacts(db: Session, facts: dict[int, ClientFacts], advisor_id: int | None) -> None:
    s = ServiceRecord
    stmt = (
        select(s.client_user_id, func.max(s.at))
        .where(s.client_user_id.in_(_assigned(advisor_id)))
        .group_by(s.client_user_id)
    )
    for uid, at in db.execute(stmt):
        if uid in facts:
            facts[uid].last_contact_at = aware(at)


def _tasks(db: Session, facts: dict[int, ClientFacts], advisor_id: int | None) -> None:
    t = AdvisorTask
    stmt = (
        select(t.client_user_id, func.count())
        .where(t.status != "done", t.client_user_id.in_(_assigned(advisor_id)))
        .group_by(t.client_user_id)
    )
    for uid, n in db.execute(stmt):
        if uid in facts:
            facts[uid].open_tasks = int(n)
