"""View data the staff pages need beyond the client book and client page: plan drift per fund, segments, names.

The book (:mod:`tandem.advisor.book`) and client page (:mod:`tandem.advisor.client_page`) carry one summary
number per client (the largest drift); the client screen also shows every fund's target and actual weight, and
the send form resolves a *segment* of the advisor's own clients (all of them, one risk level, or those whose
assessment runs out soon) to ids. Everything here starts from the object-level rules of
:mod:`tandem.advisor.access`, so a page can never show or address more than the API would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_client_access, require_role
from tandem.advisor.book import mask_name
from tandem.advisor.models import AdvisorProfile, ClientAssignment, WeComContactRow
from tandem.advisor.snapshot import read_facts, wealth_id
from tandem.advisor.wecom.directory import bound_contacts
from tandem.core.db import utcnow
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.identity import User
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import PlanRow, RiskAssessmentRow

Segment = Literal["all", "C1", "C2", "C3", "C4", "C5", "expiring"]
SEGMENTS: tuple[Segment, ...] = ("all", "C1", "C2", "C3", "C4", "C5", "expiring")
EXPIRING_DAYS = 30


@dataclass(frozen=True, slots=True)
class FundLine:
    """One fund of the plan or the simulated holdings: target and actual weight, and their difference."""

    code: str
    name: str
    target: float
    actual: float
    value: float

    @property
    def drift(self) -> float:
        """Actual minus target weight (positive: over-weight)."""
        return self.actual - self.target


@dataclass(frozen=True, slots=True)
class PlanView:
    """The client's current plan (accepted one first) with the simulated holdings against it."""

    plan_id: int
    status: str
    strategy: str
    amount: float
    lines: tuple[FundLine, ...]
    total_value: float


def _current_plan(db: Session, client: str) -> PlanRow | None:
    rows = list(
        db.scalars(
            select(PlanRow).where(PlanRow.client_id == client, PlanRow.status != "superseded").order_by(PlanRow.id)
        )
    )
    accepted = [r for r in rows if r.status == "accepted"]
    pool = accepted or rows
    return pool[-1] if pool else None


def plan_view(db: Session, staff: Staff, *, client_user_id: int) -> PlanView | None:
    """The client's plan with per-fund drift, or None when the client has no plan (own clients only)."""
    require_client_access(db, staff, client_user_id=client_user_id)
    client = wealth_id(client_user_id)
    plan = _current_plan(db, client)
    if plan is None:
        return None
    holdings = [h for h in plan.payload.get("holdings", []) if isinstance(h, dict)]
    targets = {str(h["code"]): float(h.get("weight", 0.0)) for h in holdings}
    names = {str(h["code"]): str(h.get("name", h["code"])) for h in holdings}
    values: dict[str, float] = {}
    for h in db.scalars(select(SimHoldingRow).where(SimHoldingRow.client_id == client)):
        values[h.code] = values.get(h.code, 0.0) + h.units * h.nav
        names.setdefault(h.code, h.name)
    total = sum(values.values())
    lines = tuple(
        FundLine(code, names.get(code, code), targets.get(code, 0.0), values.get(code, 0.0) / total if total else 0.0,
                 round(values.get(code, 0.0), 2))
        for code in sorted(set(targets) | set(values))
    )  # fmt: skip
    return PlanView(plan.id, plan.status, plan.strategy, plan.amount, lines, round(total, 2))


def segment_ids(db: Session, staff: Staff, *, segment: str, now: datetime | None = None) -> list[int]:
    """The advisor's own clients in ``segment`` (all, one level C1–C5, or assessment expiring within 30 days)."""
    require_role(staff, "advisor")
    if segment not in SEGMENTS:
        raise ValidationFailed(f"segment must be one of {', '.join(SEGMENTS)}, not {segment!r}")
    t = now or utcnow()
    out = []
    for f in read_facts(db, advisor_id=staff.user_id).values():
        if segment == "expiring":
            if f.valid_until is None or (f.valid_until - t).days > EXPIRING_DAYS:
                continue
        elif segment != "all" and f.category != segment:
            continue
        out.append(f.user_id)
    if not out:
        raise ValidationFailed(f"none of your clients is in segment {segment!r}; pick another segment or one client")
    return sorted(out)


def masked_names(db: Session, *, user_ids: list[int]) -> dict[int, str]:
    """Masked display names (张** style) of the given users, for outcome lists and archive tables."""
    if not user_ids:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {uid: mask_name(name, uid) for uid, name in rows}


def advisor_choices(db: Session, staff: Staff) -> list[tuple[int, str]]:
    """Advisor accounts (id and display name) for the operations assignment form."""
    require_role(staff, "operations", "compliance")
    rows = db.execute(select(User.id, User.display_name).where(User.role == "advisor").order_by(User.id))
    return [(uid, name or f"#{uid}") for uid, name in rows]


def _unassigned(db: Session) -> dict[int, str | None]:
    """Investor accounts without an advisor, with their latest assessed level (None: never assessed)."""
    assigned = select(ClientAssignment.client_user_id)
    ids = list(db.scalars(select(User.id).where(User.role == "investor", User.id.not_in(assigned)).order_by(User.id)))
    levels: dict[int, str | None] = dict.fromkeys(ids)
    r = RiskAssessmentRow
    keys = {wealth_id(i): i for i in ids}
    for part in range(0, len(ids), 2000):
        chunk = list(keys)[part : part + 2000]
        stmt = select(r.client_id, r.category).where(r.client_id.in_(chunk)).order_by(r.assessed_at, r.id)
        for cid, category in db.execute(stmt):
            levels[keys[cid]] = category
    return levels


def assignment_segment(
    db: Session, staff: Staff, *, from_advisor_id: int | None, category: str | None, limit: int = 5000
) -> list[int]:
    """Clients to (re)assign in bulk: one advisor's book, or the unassigned investors (None), optionally one level."""
    require_role(staff, "operations")
    if category is not None and category not in ("C1", "C2", "C3", "C4", "C5"):
        raise ValidationFailed(f"category must be one of C1–C5, not {category!r}")
    if from_advisor_id is None:
        levels = _unassigned(db)
    else:
        levels = {f.user_id: f.category for f in read_facts(db, advisor_id=from_advisor_id).values()}
    ids = sorted(uid for uid, level in levels.items() if category is None or level == category)
    if not ids:
        where = f"advisor {from_advisor_id}'s book" if from_advisor_id else "the unassigned investors"
        raise NotFoundError(f"no client in {where} has level {category or 'any'}; nothing was assigned")
    return ids[:limit]


def mask_wecom_id(value: str) -> str:
    """``wmAbCdEfGh12`` → ``wmAb****12``: enough to tell two contacts apart on screen, not to copy the id."""
    if len(value) <= 6:
        return value[:1] + "*" * max(1, len(value) - 1)
    return value[:4] + "*" * 4 + value[-2:]


@dataclass(frozen=True, slots=True)
class WeComBindingView:
    """The client's WeCom binding as the client page shows it (read from the directory, nothing issued here).

    Bound: the masked external_userid and whose WeCom contact the client is (``advisor_id`` None when the member
    is no Tandem advisor's; ``mine`` whether it is the viewing advisor's, who can then send). Not bound:
    ``binding_code`` is the code for the 联系我 link (None until issued with
    :func:`~tandem.advisor.wecom.directory.binding`).
    """

    bound: bool
    binding_code: str | None
    external_masked: str | None
    member_userid: str | None
    advisor_id: int | None
    advisor_name: str | None
    mine: bool
    follow_at: datetime | None
    synced_at: datetime | None


def wecom_binding_view(db: Session, staff: Staff, *, client_user_id: int) -> WeComBindingView:
    """The client's binding status from the external-contact directory (another advisor's client: not found)."""
    require_client_access(db, staff, client_user_id=client_user_id)
    row = db.get(WeComContactRow, client_user_id)
    contact = bound_contacts(db, [client_user_id]).get(client_user_id)
    if contact is None:
        return WeComBindingView(
            False,
            row.binding_code if row else None,
            None,
            None,
            None,
            None,
            False,
            None,
            row.synced_at if row else None,
        )
    advisor_id = db.scalar(select(AdvisorProfile.user_id).where(AdvisorProfile.wecom_userid == contact.member_userid))
    name = masked_names(db, user_ids=[advisor_id]).get(advisor_id) if advisor_id is not None else None
    return WeComBindingView(
        True,
        None,
        mask_wecom_id(contact.external_userid),
        contact.member_userid,
        advisor_id,
        name,
        advisor_id == staff.user_id,
        row.follow_at if row else None,
        row.synced_at if row else None,
    )
