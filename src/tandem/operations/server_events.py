"""Server-side behaviour events the pages and API emit after their own transaction committed.

The account-opening funnel reads the same event store as engagement, so the app's own sign-up and risk
questionnaire must appear there as the simulator's do. The pages' watchlist changes, backtest runs and plan
views/accepts are recorded here too rather than by page script: the server knows the change committed (a
refused add or a plan that failed the suitability check never counts), and a click that never reached it does
not count either. Views, searches and reading time happen only in the browser and come from ``events.js``.

The callers pass the app's :class:`EventIngestService` (and, for a sign-up, the visitor cookie's value). The event
goes out after the database commit (a rolled-back sign-up never counts); a failing event store is logged
and never undoes what the client did — an analytics gap is better than a refused sign-up.
"""

from __future__ import annotations

import structlog

from tandem.engagement.events import EventType, PropertyValue
from tandem.engagement.ingest import EventIngestService
from tandem.operations.visitors import visitor_from_cookie

log = structlog.get_logger(__name__)


def _emit(
    svc: EventIngestService,
    client_id: int,
    kind: EventType,
    properties: dict[str, PropertyValue],
    object_id: str | None = None,
) -> None:
    try:
        svc.emit(client_id=client_id, type=kind, object_id=object_id, properties=properties)
    except Exception:  # the client's action stands; the gap is visible in the log
        log.exception("server event not stored", type=kind.value, client_id=client_id)


def record_sign_up(svc: EventIngestService, client_id: int, *, visitor_cookie: str | None) -> bool:
    """``identify`` (when the browser carries a visitor cookie from a referral landing) then ``sign_up``.

    Returns whether a visitor was identified, so the caller can clear the cookie (a second account opened in the
    same browser is not credited to the same landing).
    """
    visitor = visitor_from_cookie(visitor_cookie)
    if visitor is not None:
        _emit(svc, client_id, EventType.IDENTIFY, {"visitor": visitor})
    _emit(svc, client_id, EventType.SIGN_UP, {})
    return visitor is not None


def record_assessment(svc: EventIngestService, client_id: int, category: str) -> None:
    """The risk questionnaire as a funnel step and as the engagement profile's assessment event."""
    _emit(svc, client_id, EventType.RISK_QUESTIONNAIRE, {})
    _emit(svc, client_id, EventType.ASSESSMENT_COMPLETED, {"category": category})


def record_watch(svc: EventIngestService, client_id: int, code: str, *, added: bool) -> None:
    """A stock added to or removed from the watchlist on the page (``code`` as stored, e.g. ``600519.SH``)."""
    _emit(svc, client_id, EventType.WATCHLIST_ADD if added else EventType.WATCHLIST_REMOVE, {}, code)


def record_backtest(svc: EventIngestService, client_id: int, strategy: str, job_id: int) -> None:
    """A backtest the client queued from the builder (``strategy``: the name they gave it)."""
    _emit(svc, client_id, EventType.BACKTEST_RUN, {"strategy": strategy[:100], "job_id": job_id})


def record_plan(svc: EventIngestService, client_id: int, strategy: str, plan_id: int, *, accepted: bool) -> None:
    """A plan shown to (or accepted by) the client; the object is the model strategy, which the tags are made of."""
    kind = EventType.PLAN_ACCEPT if accepted else EventType.PLAN_VIEW
    _emit(svc, client_id, kind, {"plan_id": plan_id}, f"strategy:{strategy}")
