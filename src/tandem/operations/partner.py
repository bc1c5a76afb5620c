"""The partner view: counts per funnel step and Beijing day for a partner's own links — aggregates only.

The 2018 CSRC guidance on third-party referral says the partner may not receive client data. So this module
returns :class:`PartnerCell` records that hold a day, a step and a count, nothing else; a cell counting fewer
than ``k`` clients (k ≥ 10, :class:`PartnerPolicy`) is suppressed — its count is withheld and only marked — and no
totals are published, so a suppressed cell cannot be recovered by subtraction. The CSV export is built from the
same cells, so it obeys the same rule. A partner names no other partner: its code comes from its account
(:func:`partner_of`), and asking for a link that is not its own is refused without saying whether it exists.

Counting follows the funnel's definition (:mod:`tandem.operations.funnel`): a client belongs to the partner
when its funnel entry — first landing in the period — was on one of the partner's links.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.core.errors import NotFoundError
from tandem.operations.errors import PartnerScopeError
from tandem.operations.funnel import FunnelQuery, step_times_sql
from tandem.operations.models import PartnerMember, ReferralLink
from tandem.operations.scan import BEIJING, EventScan, Period
from tandem.operations.steps import STEP_NAMES

MIN_K = 10


@dataclass(frozen=True, slots=True)
class PartnerPolicy:
    """The k-anonymity threshold: cells below ``k`` clients are suppressed; ``k`` may be raised, never below 10."""

    k: int = MIN_K

    def __post_init__(self) -> None:
        if self.k < MIN_K:
            raise ValueError(f"the partner k-anonymity threshold is at least {MIN_K}, got {self.k}")


@dataclass(frozen=True, slots=True)
class PartnerCell:
    """Clients reaching ``step`` on ``day``; ``clients`` is ``None`` when the cell is suppressed (below k)."""

    day: date
    step: str
    clients: int | None

    @property
    def suppressed(self) -> bool:
        """Whether the count is withheld."""
        return self.clients is None


@dataclass(frozen=True, slots=True)
class PartnerView:
    """What a partner may see for a period: its code, the threshold used, and the cells."""

    partner: str
    period: Period
    k: int
    cells: tuple[PartnerCell, ...]


def partner_of(db: Session, *, user_id: int) -> str:
    """The partner code of a ``partner`` user; a user without one sees nothing (404 with how to fix)."""
    code = db.scalar(select(PartnerMember.partner).where(PartnerMember.user_id == user_id))
    if code is None:
        raise NotFoundError("this account is not linked to a partner; ask operations to link it")
    return code


def own_links(db: Session, *, partner: str) -> set[str]:
    """The codes of the partner's referral links."""
    return set(db.scalars(select(ReferralLink.code).where(ReferralLink.partner == partner)))


def check_link_scope(link: str | None, own: set[str]) -> None:
    """Refuse a link that is not the partner's own, with the same words whether it exists or not."""
    if link is not None and link not in own:
        raise PartnerScopeError(f"link {link!r} is not one of your links; you can only see your own links")


def partner_view(
    scan: EventScan, *, partner: str, period: Period, policy: PartnerPolicy, link: str | None = None
) -> PartnerView:
    """Daily step counts for the partner's funnel entries in ``period``, small cells suppressed."""
    if not scan.has_events():
        return PartnerView(partner, period, policy.k, ())
    head, params = step_times_sql(scan, FunnelQuery(period=period, partner=partner, link=link))
    offset = f"INTERVAL {int(BEIJING.total_seconds())} SECOND"
    parts = [f"SELECT {k} AS k, (t + {offset})::DATE AS day, count(*) AS n FROM s{k} GROUP BY ALL"
             for k in range(len(STEP_NAMES))]  # fmt: skip
    sql = head + "\n" + " UNION ALL ".join(parts) + " ORDER BY day, k"
    with scan.connect() as con:
        rows = con.execute(sql, params).fetchall()
    cells = tuple(
        PartnerCell(day=r[1], step=STEP_NAMES[int(r[0])], clients=int(r[2]) if int(r[2]) >= policy.k else None)
        for r in rows
    )
    return PartnerView(partner, period, policy.k, cells)


def partner_csv(view: PartnerView) -> str:
    """The view as CSV (``day,step,clients``); a suppressed count is written ``<k``, never the number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "step", "clients"])
    for cell in view.cells:
        writer.writerow([cell.day.isoformat(), cell.step, f"<{view.k}" if cell.clients is None else cell.clients])
    return out.getvalue()
