"""A newly imported session, from the market store to the outbox, in the caller's transaction.

What the import job calls once a session has landed: read the session's bars, diagnosis composite moves of
followed stocks, run the session triggers over the clients' books and alerts (and, given ``interests``, the
movers under each client's interest tags: :mod:`~tandem.engagement.triggers.interests`), and submit the
candidates through the delivery policy. The caller commits ``session`` together with whatever else the import
wrote (for example disarming the fired price alerts), so the pushes exist exactly when the session does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from tandem.diagnosis.service import DiagnosisService
from tandem.engagement.delivery.records import ClientContext
from tandem.engagement.delivery.service import PushService
from tandem.engagement.profile_service import ClientProfile
from tandem.engagement.triggers.bars import session_bars
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.diagnosis_change import MIN_DELTA, score_moves_from_service
from tandem.engagement.triggers.interests import interest_candidates
from tandem.engagement.triggers.movers import detect_movers
from tandem.engagement.triggers.price_alerts import fired_alerts
from tandem.engagement.triggers.records import ClientBook, PriceAlert
from tandem.engagement.triggers.session import run_session_triggers


@dataclass(frozen=True, slots=True)
class InterestInputs:
    """What the interest trigger reads: each client's profile, and each stock's board and industry tags."""

    profiles: Mapping[str, ClientProfile]
    stock_tags: Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class SessionPushes:
    """What one session produced: candidates per trigger, decisions per outcome, and the alerts that fired."""

    day: date
    candidates: Mapping[str, int]
    outcomes: Mapping[str, int]
    fired_alert_ids: tuple[str, ...]


def push_session(
    session: Session,
    *,
    push: PushService,
    diagnosis: DiagnosisService,
    day: date,
    books: Sequence[ClientBook],
    alerts: Sequence[PriceAlert],
    clients: Mapping[str, ClientContext],
    now: datetime,
    min_delta: float = MIN_DELTA,
    interests: InterestInputs | None = None,
) -> SessionPushes:
    """Evaluate every session trigger for ``day`` and stage decisions and outbox rows in ``session``."""
    bars = session_bars(diagnosis.store, day)
    index = HolderIndex(books)
    moves = score_moves_from_service(diagnosis, day=day, codes=index.codes, min_delta=min_delta)
    run = run_session_triggers(bars=bars, index=index, alerts=alerts, score_moves=moves)
    if interests is not None:
        extra = interest_candidates(
            detect_movers(bars),
            profiles=interests.profiles,
            stock_tags=interests.stock_tags,
            followed={b.client_id: b.holdings | b.watchlist for b in books},
        )
        run.counts["interest_movers"] = len(extra)
        run.candidates.extend(extra)
    decisions = push.submit(session, candidates=run.candidates, clients=clients, now=now)
    return SessionPushes(
        day,
        dict(run.counts),
        dict(Counter(d.outcome.value for d in decisions)),
        tuple(a.alert_id for a in fired_alerts(alerts, bars)),
    )
