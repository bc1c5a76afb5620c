"""Typed records of the push half: a candidate push, what the policy knows about a client, and its decision.

A :class:`PushCandidate` is what a trigger proposes; it names the rule that fired and the events that caused
it (``source_events``) so every push can be traced back. The policy answers with one :class:`PolicyDecision`
per candidate, and the reason is one of :class:`Reason` so the decision log can be counted and filtered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from tandem.compliance.disclaimers import DisclaimerKind
from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.core.errors import UserError

CATEGORIES = (
    "price_alert",
    "mover",
    "diagnosis_change",
    "capital_flow",
    "plan_drift",
    "risk_assessment",
    "recommendation",
)
"""Push categories a client can unsubscribe from one by one."""


class Basis(StrEnum):
    """What a push rests on: the client's own explicit choices, or an inferred profile.

    With personalisation switched off only ``EXPLICIT`` pushes may go out (an alert the client set, a stock they
    hold or watch, their own plan or assessment); anything chosen from inferred interests is refused.
    """

    EXPLICIT = "explicit"
    PROFILE = "profile"


class Outcome(StrEnum):
    """What the policy did with a candidate."""

    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    COLLAPSED = "collapsed"
    REJECTED = "rejected"


class Reason(StrEnum):
    """Why: one code per rule of the policy (stored with each decision)."""

    OK = "ok"
    QUIET_HOURS = "quiet_hours"
    CHANNEL_UNAVAILABLE = "channel_unavailable"
    UNSUBSCRIBED = "unsubscribed"
    PERSONALISATION_OFF = "personalisation_off"
    NO_VALID_ASSESSMENT = "no_valid_assessment"
    SUITABILITY = "suitability"
    DUPLICATE = "duplicate"
    COLLAPSED = "collapsed"
    CAP_CLIENT = "cap_client"
    CAP_CHANNEL = "cap_channel"


def _frozen(evidence: Mapping[str, object]) -> Mapping[str, object]:
    """A read-only view; an already read-only mapping is shared, not copied (fan-out reuses one per stock)."""
    return evidence if isinstance(evidence, MappingProxyType) else MappingProxyType(dict(evidence))


@dataclass(slots=True)
class PushCandidate:
    """One push a trigger proposes to one client on one channel (treat as immutable; copy with ``replace``).

    Not ``frozen``: one rally session fans out to ~250,000 candidates for 10,000 clients and a frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` per field) costs five times a plain one. ``evidence`` is still a
    read-only mapping.

    ``dedup_key`` names the fact (same key = same fact, sent at most once per channel); ``collapse_key`` groups
    candidates of one batch that should reach the client as one push (several alerts on one stock in one
    session). ``product_risk`` is set when the push promotes or implies buying a product: the policy then checks
    suitability against the client's category.
    """

    client_id: str
    category: str
    channel: str
    title: str
    body: str
    rule: str
    dedup_key: str
    data_date: date
    source_events: tuple[str, ...]
    evidence: Mapping[str, object] = field(default_factory=dict)
    collapse_key: str | None = None
    product_code: str | None = None
    product_risk: ProductRisk | None = None
    basis: Basis = Basis.EXPLICIT
    kind: DisclaimerKind = "stock"
    ai_generated: bool = False
    priority: int = 0

    def __post_init__(self) -> None:
        for name in ("client_id", "channel", "title", "rule", "dedup_key"):
            if not str(getattr(self, name)).strip():
                raise UserError(f"push candidate field {name!r} is empty; every push needs it (rule {self.rule!r})")
        if self.category not in CATEGORIES:
            raise UserError(f"push category {self.category!r} is unknown; use one of {', '.join(CATEGORIES)}")
        if not self.source_events:
            raise UserError(
                f"push candidate of rule {self.rule!r} names no source events; every push must be traceable"
            )
        if (self.product_code is None) != (self.product_risk is None):
            raise UserError(f"push of rule {self.rule!r}: product_code and product_risk go together")
        self.evidence = _frozen(self.evidence)


@dataclass(frozen=True, slots=True)
class ClientContext:
    """What the policy may know about a client: risk category, switches and reachable channels — no profile.

    ``risk_category`` is ``None`` when the client has no valid (unexpired) assessment; product pushes are then
    refused. ``unsubscribed`` holds categories from :data:`CATEGORIES`.
    """

    client_id: str
    risk_category: InvestorCategory | None
    personalised: bool = True
    unsubscribed: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset({"inapp"})

    def __post_init__(self) -> None:
        unknown = set(self.unsubscribed) - set(CATEGORIES)
        if unknown:
            raise UserError(
                f"client {self.client_id}: unknown unsubscribe categories {sorted(unknown)}; "
                f"use {', '.join(CATEGORIES)}"
            )


@dataclass(frozen=True, slots=True)
class PolicyDecision:
    """The policy's answer for one candidate: outcome, reason, human detail and when it may be delivered."""

    candidate: PushCandidate
    outcome: Outcome
    reason: Reason
    detail: str
    deliver_at: datetime | None = None
    idempotency_key: str | None = None
    members: tuple[PushCandidate, ...] = ()

    @property
    def enqueued(self) -> bool:
        """Whether an outbox row was (or will be) written for this decision."""
        return self.outcome in (Outcome.ACCEPTED, Outcome.DEFERRED)
