"""What the operations screens show: the period filter, the dashboard's three analytics, the campaign board, a launch.

The dashboard page and the ``/api/v1/ops`` routes read the same event store and launch campaigns the same way;
the machinery (the event scan, the delivery policy with its audited suitability check, the saved profiles) is put
together here once, from the settings, so the handlers only pass the request's values through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.advisor.content import list_approved
from tandem.compliance.audit import audit_in
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ValidationFailed
from tandem.core.i18n import Lang, translate
from tandem.core.settings import Settings
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.service import PushService
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.profile_service import ProfileStateStore
from tandem.operations import referrals
from tandem.operations.attribution import AttributionResult, attribution
from tandem.operations.audience import TIERS
from tandem.operations.campaign_service import CHANNELS, LaunchResult, campaign_rows, launch_campaign
from tandem.operations.cohorts import CohortRow, cohorts
from tandem.operations.funnel import FunnelQuery, FunnelResult, funnel
from tandem.operations.link_codes import landing_url
from tandem.operations.scan import EventScan, Period
from tandem.operations.steps import SOURCES, STEP_LABELS_ZH, STEP_NAMES
from tandem.operations.uplift import MIN_GROUP

DEFAULT_DAYS = 90
"""A period without a start covers the 90 Beijing days up to its end (today by default)."""


def event_scan(settings: Settings) -> EventScan:
    """The event store of this home as DuckDB SQL."""
    return EventScan(event_store_root(settings))


def api_period(start: date | None, end: date | None) -> Period:
    """The API's ``from``/``to``: a start after the end is refused naming both."""
    last = end or date.today()
    try:
        return Period(start or last - timedelta(days=DEFAULT_DAYS - 1), last)
    except ValueError as exc:
        raise ValidationFailed(str(exc), [f"from/to: {exc}"]) from exc


def page_period(start: date | None, end: date | None) -> Period:
    """The dashboard's date inputs: swapped ends are read in order (a form is forgiving, the API is not)."""
    last = end or date.today()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    return Period(min(first, last), max(first, last))


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The funnel, attribution by source and weekly cohorts for one filter, and the funnel's bar chart."""

    funnel: FunnelResult
    attribution: AttributionResult
    cohorts: list[CohortRow]
    chart: dict[str, list[Any]]


def dashboard(scan: EventScan, q: FunnelQuery) -> Dashboard:
    """Everything the ``/ops`` page draws (DuckDB work: call it off the event loop)."""
    f = funnel(scan, q)
    chart: dict[str, list[Any]] = {
        "labels": [STEP_LABELS_ZH[s.step] for s in f.steps],
        "values": [s.clients for s in f.steps],
    }
    a = attribution(scan, period=q.period, dimension="source")
    return Dashboard(funnel=f, attribution=a, cohorts=cohorts(scan, period=q.period), chart=chart)


def campaign_board(db: Session, settings: Settings, *, base_url: str) -> dict[str, Any]:
    """The campaign board, the approved library items a campaign may send, and the referral links with QR codes."""
    links = [(k, landing_url(base_url, k)) for k in referrals.list_links(db)]
    return {
        "rows": campaign_rows(db, scan=event_scan(settings), now=datetime.now(UTC)), "library": list_approved(db),
        "channels": CHANNELS, "steps": STEP_NAMES[1:], "labels": STEP_LABELS_ZH, "tiers": TIERS,
        "sources": SOURCES, "links": links, "errors": [], "message": "", "min_group": MIN_GROUP,
    }  # fmt: skip


def push_service(db: Session, settings: Settings) -> PushService:
    """The delivery policy with suitability audited inside the caller's transaction (see ``audit_in``)."""
    suitability = SuitabilityService(audit=audit_in(db))
    return PushService(policy=DeliveryPolicy(config=PolicyConfig.from_settings(settings), suitability=suitability))


def launch_now(db: Session, code: str, settings: Settings, *, data_date: date) -> LaunchResult:
    """Launch ``code`` now over the last saved profiles, staging its pushes in the caller's transaction."""
    profiles = ProfileStateStore(settings.home / "engagement" / "profiles").load()
    return launch_campaign(
        db, code, scan=event_scan(settings), profiles=profiles, push=push_service(db, settings),
        now=datetime.now(UTC), data_date=data_date,
    )  # fmt: skip


def launch_message(code: str, result: LaunchResult, lang: Lang) -> str:
    """The board's line after a launch: the split and each delivery outcome's count."""
    outcomes = "，".join(f"{translate(lang, f'ops.outcome.{k}')} {v}" for k, v in sorted(result.outcomes.items()))
    return f"{code} 已投放：实验组 {result.treated}，对照组 {result.control}；{outcomes or '无推送'}"
