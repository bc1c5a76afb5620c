"""What the delivery policy and the session triggers know about real client accounts, read in bulk from the DB.

* :func:`client_contexts`: risk category from the latest **unexpired** assessment (none: product pushes are
  refused), the personalisation switch, and the reachable channels — nothing from the profile.
* :func:`client_books`: each client's watched stocks and the codes of their simulated holdings, for the session
  triggers (异动, diagnosis changes, price alerts on held or watched codes).
* :func:`assessment_statuses`: when each client's latest risk assessment expires, for the expiry reminders.
* :func:`plan_positions`: each accepted plan's targets and simulated holdings at the latest NAVs, for plan drift.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.engagement.delivery.records import ClientContext
from tandem.engagement.models import WatchItem
from tandem.engagement.triggers.records import AssessmentStatus, ClientBook, PlanPosition
from tandem.identity import User
from tandem.wealth.client import client_id_of
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import PlanRow, RiskAssessmentRow
from tandem.wealth.plans import DRIFT_BAND

CHUNK = 500


def _aware(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone columns; they are UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def investor_ids(db: Session) -> list[int]:
    """Ids of every client account (role ``investor``), ascending."""
    return list(db.scalars(select(User.id).where(User.role == "investor").order_by(User.id)))


def valid_categories(db: Session, user_ids: Iterable[int], *, now: datetime) -> dict[int, InvestorCategory]:
    """The category of each client's latest assessment still valid at ``now`` (an expired one counts as none)."""
    by_wealth = {client_id_of(uid): uid for uid in user_ids}
    keys = list(by_wealth)
    out: dict[int, InvestorCategory] = {}
    for i in range(0, len(keys), CHUNK):
        rows = db.execute(
            select(RiskAssessmentRow.client_id, RiskAssessmentRow.category, RiskAssessmentRow.valid_until)
            .where(RiskAssessmentRow.client_id.in_(keys[i : i + CHUNK]))
            .order_by(RiskAssessmentRow.id)
        )
        latest: dict[str, tuple[str, datetime | None]] = {}
        for client, category, valid_until in rows:
            latest[client] = (category, _aware(valid_until))
        for client, (category, expires) in latest.items():
            if expires is not None and expires > now:
                out[by_wealth[client]] = InvestorCategory(category)
    return out


def client_contexts(db: Session, user_ids: Iterable[int], *, now: datetime) -> dict[str, ClientContext]:
    """The policy's view of each client account; unknown ids and staff are left out (the policy refuses them)."""
    wanted = sorted(set(user_ids))
    users: dict[int, User] = {}
    for i in range(0, len(wanted), CHUNK):
        q = select(User).where(User.id.in_(wanted[i : i + CHUNK]), User.role == "investor")
        users |= {u.id: u for u in db.scalars(q)}
    categories = valid_categories(db, users, now=now)
    return {
        str(uid): ClientContext(
            client_id=str(uid),
            risk_category=categories.get(uid),
            personalised=not u.non_personalised,
            channels=frozenset({"inapp", "email"}) if u.login_kind == "email" else frozenset({"inapp"}),
        )
        for uid, u in users.items()
    }


def client_books(db: Session) -> list[ClientBook]:
    """Every client account with a watchlist or simulated holdings: watched codes and held codes (normalised)."""
    watch: dict[int, set[str]] = defaultdict(set)
    for uid, code in db.execute(select(WatchItem.user_id, WatchItem.code)):
        watch[int(uid)].add(code)
    held: dict[int, set[str]] = defaultdict(set)
    for client, code in db.execute(select(SimHoldingRow.client_id, SimHoldingRow.code).distinct()):
        if client.startswith("user:") and client[5:].isdigit():
            try:
                held[int(client[5:])].add(normalize_code(code))
            except UserError:  # an off-exchange fund code: no exchange bars, no session trigger
                continue
    ids = sorted(set(watch) | set(held))
    investors = set(db.scalars(select(User.id).where(User.id.in_(ids), User.role == "investor"))) if ids else set()
    return [
        ClientBook(str(uid), holdings=frozenset(held.get(uid, ())), watchlist=frozenset(watch.get(uid, ())))
        for uid in ids
        if uid in investors
    ]


def assessment_statuses(db: Session) -> list[AssessmentStatus]:
    """When each client account's latest risk assessment stops being valid (for the expiry reminders)."""
    investors = {client_id_of(uid): uid for uid in db.scalars(select(User.id).where(User.role == "investor"))}
    latest: dict[int, datetime] = {}
    rows = db.execute(select(RiskAssessmentRow.client_id, RiskAssessmentRow.valid_until).order_by(RiskAssessmentRow.id))
    for client, valid_until in rows:
        uid = investors.get(client)
        until = _aware(valid_until)
        if uid is not None and until is not None:
            latest[uid] = until
    return [AssessmentStatus(str(uid), until) for uid, until in sorted(latest.items())]


def plan_positions(
    db: Session, *, navs: Mapping[str, float], as_of: date, band: float = DRIFT_BAND
) -> list[PlanPosition]:
    """Each client's accepted plan with its simulated holdings valued at ``navs`` (the catalogue's latest NAVs).

    ``as_of`` is the NAVs' date: the drift push's fact, so unchanged NAVs never push the same drift twice.
    Holdings of funds without a NAV are left out of the value (and so show as under-weight, never as invented).
    """
    investors = {client_id_of(uid): uid for uid in db.scalars(select(User.id).where(User.role == "investor"))}
    plans: dict[str, PlanRow] = {}
    for row in db.scalars(select(PlanRow).where(PlanRow.status == "accepted").order_by(PlanRow.id)):
        if row.client_id in investors:
            plans[row.client_id] = row  # the latest accepted plan
    units: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for client, plan_id, code, n in db.execute(
        select(SimHoldingRow.client_id, SimHoldingRow.plan_id, SimHoldingRow.code, SimHoldingRow.units)
    ):
        held = units[(client, int(plan_id))]
        held[code] = held.get(code, 0.0) + float(n)
    out = []
    for client, row in sorted(plans.items(), key=lambda kv: investors[kv[0]]):
        holdings = row.payload.get("holdings", []) if isinstance(row.payload, dict) else []
        targets = {str(h["code"]): float(h["weight"]) for h in holdings}
        risks = {str(h["code"]): ProductRisk(h["risk_level"]) for h in holdings}
        held = units.get((client, row.id), {})
        values = {c: n * navs[c] for c, n in held.items() if c in navs}
        if values:
            out.append(PlanPosition(str(investors[client]), str(row.id), targets, values, risks, band, as_of))
    return out
