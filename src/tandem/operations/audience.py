"""Who a campaign can reach: audience members and delivery contexts of the app's real client accounts.

A campaign targets client accounts (role ``investor``) — the people a push can reach — and is measured in the
event store. What a segment may test comes from three places, each read in bulk:

* **tags** from the engagement profiles (:class:`~tandem.engagement.profiles.ProfileState`), but only for clients
  who have not switched personalisation off: with the switch on no profile is used (PIPL Art.24), so such a
  client only matches segments without tag conditions;
* **tier** = the client's investor category from the latest unexpired risk assessment (``C1``…``C5``), or
  ``unassessed`` — the same tier the advisor's client book shows;
* **activity and funnel stage** from the event store in one DuckDB pass: distinct Beijing days with any event in
  the last 30 days, and the furthest funnel step ever reached (``landing`` when none).

:func:`~tandem.engagement.clients.client_contexts` gives the delivery policy what it may know (risk category,
the switch, channels): the policy, not the campaign, decides whether each push goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.compliance.suitability import InvestorCategory
from tandem.engagement.clients import valid_categories
from tandem.engagement.events import EventType
from tandem.engagement.profiles import ProfileState
from tandem.identity import User
from tandem.operations.campaigns import AudienceMember
from tandem.operations.scan import EventScan
from tandem.operations.steps import STEP_NAMES

UNASSESSED = "unassessed"
TIERS = (*(c.value for c in InvestorCategory), UNASSESSED)
"""The tiers a segment may name: the investor categories and ``unassessed``."""
ACTIVE_WINDOW = timedelta(days=30)


def audience_members(
    db: Session, scan: EventScan, profiles: ProfileState | None, *, now: datetime
) -> list[AudienceMember]:
    """One member per client account, with consented tags, tier, 30-day activity and furthest funnel stage."""
    users = {u.id: u for u in db.scalars(select(User).where(User.role == "investor"))}
    if not users:
        return []
    categories = valid_categories(db, list(users), now=now)
    consented = [uid for uid, u in users.items() if not u.non_personalised]
    tags = _tags(profiles, consented)
    activity, stages = _activity_and_stage(scan, list(users), now=now)
    return [
        AudienceMember(
            client_id=uid,
            tags=tags.get(uid, frozenset()),
            tier=categories[uid].value if uid in categories else UNASSESSED,
            active_days_30=activity.get(uid, 0),
            stage=stages.get(uid, STEP_NAMES[0]),
            risk_category=categories[uid].value if uid in categories else None,
        )
        for uid in sorted(users)
    ]


def _tags(profiles: ProfileState | None, clients: Sequence[int]) -> dict[int, frozenset[str]]:
    if profiles is None or profiles.tags.is_empty() or not clients:
        return {}
    mine = profiles.tags.filter(pl.col("client_id").is_in(list(clients)) & (pl.col("score") > 0))
    grouped = mine.group_by("client_id").agg(pl.col("tag"))
    return {int(c): frozenset(t) for c, t in grouped.iter_rows()}


def _activity_and_stage(scan: EventScan, clients: list[int], *, now: datetime) -> tuple[dict[int, int], dict[int, str]]:
    """Distinct active Beijing days in the last 30 days, and the furthest funnel step, per client (one scan)."""
    if not scan.has_events():
        return {}, {}
    types = tuple(t.value for t in EventType)
    base, params = scan.relation(types=types, first_day=None, last_day=None)
    since = (now - ACTIVE_WINDOW).astimezone(UTC)
    steps = ", ".join(f"'{s}'" for s in STEP_NAMES)
    rank = "CASE type " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STEP_NAMES)) + " END"
    sql = (
        f"SELECT client_id, count(DISTINCT CASE WHEN ts >= ? THEN CAST(ts + INTERVAL 8 HOUR AS DATE) END), "
        f"max(CASE WHEN type IN ({steps}) THEN {rank} END) FROM ({base}) "
        "WHERE list_contains(?, client_id) GROUP BY client_id"
    )
    with scan.connect() as con:
        rows = con.execute(sql, [since, *params, clients]).fetchall()
    activity = {int(c): int(n) for c, n, _ in rows}
    stages = {int(c): STEP_NAMES[int(s)] for c, _, s in rows if s is not None}
    return activity, stages
