"""What the delivery policy and the session triggers know about real client accounts, read in bulk from the DB.

* :func:`client_contexts`: risk category from the latest **unexpired** assessment (none: product pushes are
  refused), the personalisation switch, and the reachable channels — nothing from the profile.
* :func:`client_books`: each client's watched stocks and the codes of their simulated holdings, for the session
  triggers (异动, diagnosis changes, price alerts on held or watched codes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.compliance.suitability import InvestorCategory
from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.engagement.delivery.records import ClientContext
from tandem.engagement.models import WatchItem
from tandem.engagement.triggers.records import ClientBook
from tandem.identity import User
from tandem.wealth.client import client_id_of
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import RiskAssessmentRow

CHUNK = 500


def _aware(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone columns; they are UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


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
