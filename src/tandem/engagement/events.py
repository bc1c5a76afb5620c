"""The one versioned behaviour-event schema: what a client did, on what, when, in which session and channel.

Every event, whether the app sent it (page beacons, ``POST /api/v1/events``) or server code emitted it, is an
:class:`Event`. ``SCHEMA_VERSION`` is stored with each row so a later change of the schema can read old
partitions; bump it (and teach the readers) whenever a field changes meaning. ``EVENT_SPECS`` says, per type,
whether the app may send it and which object and properties it needs — validation reads that table, not ``if``
chains, so a new event type is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

SCHEMA_VERSION = 1

PropertyValue = str | int | float | bool


class EventType(StrEnum):
    """Every kind of behaviour event; the first group comes from the app, the second only from server code."""

    PAGE_VIEW = "page_view"
    STOCK_VIEW = "stock_view"
    FUND_VIEW = "fund_view"
    SEARCH = "search"
    WATCHLIST_ADD = "watchlist_add"
    WATCHLIST_REMOVE = "watchlist_remove"
    BRIEF_READ = "brief_read"
    CONTENT_READ = "content_read"
    BACKTEST_RUN = "backtest_run"
    STRATEGY_VIEW = "strategy_view"
    PLAN_VIEW = "plan_view"
    PLAN_ACCEPT = "plan_accept"
    RECOMMENDATION_CLICK = "recommendation_click"
    PUSH_OPEN = "push_open"
    PUSH_DISMISS = "push_dismiss"
    # server-side only
    LOGIN = "login"
    ASSESSMENT_COMPLETED = "assessment_completed"
    HOLDING_CHANGED = "holding_changed"
    RECOMMENDATION_SHOWN = "recommendation_shown"
    PUSH_SENT = "push_sent"
    ALERT_TRIGGERED = "alert_triggered"
    # a client who signed up says which anonymous visitor they were (analytics stitch the visitor's landings to them)
    IDENTIFY = "identify"
    # the account-opening funnel (开户导流), server-side only; ``tandem.operations`` reads them in this order
    LANDING = "landing"
    SIGN_UP = "sign_up"
    IDENTITY_VERIFIED = "identity_verified"
    RISK_QUESTIONNAIRE = "risk_questionnaire"
    ACCOUNT_OPENED = "account_opened"
    FIRST_DEPOSIT = "first_deposit"
    FIRST_TRADE = "first_trade"


class Channel(StrEnum):
    """Where the event happened: an app surface, or ``server`` for events emitted by Tandem itself."""

    WEB = "web"
    H5 = "h5"
    IOS = "ios"
    ANDROID = "android"
    EMAIL = "email"
    WECOM = "wecom"
    SERVER = "server"


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What one event type requires: who may send it, whether it names an object, which properties it needs."""

    from_client: bool
    needs_object: bool
    required: dict[str, type] = field(default_factory=dict)


EVENT_SPECS: dict[EventType, EventSpec] = {
    EventType.PAGE_VIEW: EventSpec(True, False, {"path": str}),
    EventType.STOCK_VIEW: EventSpec(True, True),
    EventType.FUND_VIEW: EventSpec(True, True),
    EventType.SEARCH: EventSpec(True, False, {"query": str}),
    EventType.WATCHLIST_ADD: EventSpec(True, True),
    EventType.WATCHLIST_REMOVE: EventSpec(True, True),
    EventType.BRIEF_READ: EventSpec(True, True, {"dwell_ms": int}),
    EventType.CONTENT_READ: EventSpec(True, True, {"dwell_ms": int}),
    EventType.BACKTEST_RUN: EventSpec(True, False, {"strategy": str}),
    EventType.STRATEGY_VIEW: EventSpec(True, True),
    EventType.PLAN_VIEW: EventSpec(True, True),
    EventType.PLAN_ACCEPT: EventSpec(True, True),
    EventType.RECOMMENDATION_CLICK: EventSpec(True, True),
    EventType.PUSH_OPEN: EventSpec(True, True),
    EventType.PUSH_DISMISS: EventSpec(True, True),
    EventType.LOGIN: EventSpec(False, False),
    EventType.ASSESSMENT_COMPLETED: EventSpec(False, False, {"category": str}),
    EventType.HOLDING_CHANGED: EventSpec(False, True),
    EventType.RECOMMENDATION_SHOWN: EventSpec(False, True),
    EventType.PUSH_SENT: EventSpec(False, True),
    EventType.ALERT_TRIGGERED: EventSpec(False, True),
    EventType.IDENTIFY: EventSpec(False, False, {"visitor": int}),
    # a landing names the referral link and the link's channel, partner and campaign (what attribution reads)
    EventType.LANDING: EventSpec(False, False, {"link": str, "source": str, "partner": str, "campaign": str}),
    EventType.SIGN_UP: EventSpec(False, False),
    EventType.IDENTITY_VERIFIED: EventSpec(False, False),
    EventType.RISK_QUESTIONNAIRE: EventSpec(False, False),
    EventType.ACCOUNT_OPENED: EventSpec(False, False),
    EventType.FIRST_DEPOSIT: EventSpec(False, False),
    EventType.FIRST_TRADE: EventSpec(False, False),
}

CLIENT_EVENT_TYPES: frozenset[EventType] = frozenset(t for t, s in EVENT_SPECS.items() if s.from_client)
EVENT_TYPES_BY_NAME: dict[str, EventType] = {t.value: t for t in EventType}
CHANNELS_BY_NAME: dict[str, Channel] = {c.value: c for c in Channel}


class Event(NamedTuple):
    """One stored behaviour event. ``client_id`` is the identity user id; times are timezone-aware UTC.

    A ``NamedTuple`` rather than a frozen dataclass: it is as immutable and typed, and builds ten times faster,
    which the ingest goal (≥ 50,000 events/s on one core) needs.

    ``object_id`` names what the event is about in one namespace per kind: ``600519.SH`` for a stock,
    ``fund:510300``, ``strategy:balanced``, ``content:<slug>``, ``plan:<id>``, ``push:<id>``; ``None`` when the
    type needs no object (a search, a page view).
    """

    event_id: str
    client_id: int
    type: EventType
    object_id: str | None
    properties: dict[str, PropertyValue]
    client_time: datetime
    server_time: datetime
    session_id: str
    channel: Channel
    schema_version: int = SCHEMA_VERSION
