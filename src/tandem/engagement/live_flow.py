"""Main-force anomalies of a live Level-2 replay, pushed to the stock's holders and watchers as they happen.

:class:`FlowPushes` sits behind the live engine's minute updates (``tandem l2 replay --push``): each finished minute
goes through the stateful :class:`~tandem.engagement.triggers.flow.MainForceAnomalyDetector`; an anomaly reads the
current client books (anomalies are rare, so the books are read per anomaly and always current) and submits one
candidate per follower through the delivery policy, committed at once, so the push exists as soon as the minute
does. Replaying the same day again adds nothing: each (stock, day, minute) is one fact per client and channel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from tandem.engagement.clients import client_books, client_contexts
from tandem.engagement.delivery.records import PolicyDecision
from tandem.engagement.delivery.service import PushService
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.flow import MainForceAnomalyDetector, flow_candidates
from tandem.level2.live import MinuteUpdate


class FlowPushes:
    """Feed minute updates; each anomaly becomes pushes to the stock's followers (decisions returned)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        push: PushService,
        day: date,
        names: dict[str, str] | None = None,
        detector: MainForceAnomalyDetector | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._push = push
        self._names = names or {}
        self._detector = detector or MainForceAnomalyDetector(day=day)
        self._clock = clock
        self.anomalies = 0

    def observe(self, update: MinuteUpdate) -> list[PolicyDecision]:
        """One finished minute: nothing, or the policy's decisions for the anomaly's followers."""
        anomaly = self._detector.observe(update)
        if anomaly is None:
            return []
        self.anomalies += 1
        now = self._clock()
        with self._sessions() as db:
            candidates = flow_candidates([anomaly], HolderIndex(client_books(db)), names=self._names)
            if not candidates:
                return []
            contexts = client_contexts(db, {int(c.client_id) for c in candidates}, now=now)
            decisions = self._push.submit(db, candidates=candidates, clients=contexts, now=now)
            db.commit()
        return decisions
