"""The delivery policy: the one place that decides whether, when and how a candidate push goes out.

Rules, applied in this order to each candidate (the first that refuses gives the reason):

1. the channel must be one the client can be reached on (``channel_unavailable``);
2. the category must not be unsubscribed (``unsubscribed``);
3. with personalisation off, only pushes on the client's explicit choices go out (``personalisation_off``); the
   policy never reads a profile at all, it only sees :class:`~.records.ClientContext`;
4. a product push needs a valid assessment and a product risk at or below the client's category, checked
   through :class:`~tandem.compliance.suitability_service.SuitabilityService` so each check is audited
   (``no_valid_assessment``, ``suitability``);
5. a fact already pushed on that channel is not pushed again (``duplicate``);
6. candidates of one batch sharing ``(client, channel, collapse_key)`` become one push (``collapsed``);
7. inside quiet hours the push is deferred to their end (``quiet_hours``);
8. per-client and per-channel caps per local day of delivery (``cap_client``, ``cap_channel``); higher
   ``priority`` candidates are served first.

To add a rule, add a :class:`~.records.Reason` and a step here; nowhere else decides delivery.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.settings import Settings
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.records import (
    Basis,
    ClientContext,
    Outcome,
    PolicyDecision,
    PushCandidate,
    Reason,
)

ACTOR = "engagement.delivery"


def idempotency_key(channel: str, client_id: str, dedup_key: str) -> str:
    """The outbox key of one fact on one channel for one client (fixed length, no personal data)."""
    return hashlib.sha256(f"{channel}\x1f{client_id}\x1f{dedup_key}".encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """Quiet hours and caps (from :class:`~tandem.core.settings.Settings`)."""

    quiet: QuietHours
    cap_per_client_day: int
    cap_per_channel_day: Mapping[str, int]

    @classmethod
    def from_settings(cls, s: Settings) -> PolicyConfig:
        """Read the ``TANDEM_PUSH_*`` settings."""
        return cls(
            QuietHours.parse(s.push_quiet_start, s.push_quiet_end, s.push_timezone),
            s.push_cap_per_client_day,
            dict(s.push_cap_per_channel_day),
        )


@dataclass(slots=True)
class PushHistory:
    """What was already pushed: keys ever enqueued, and counts per (client, day) and (client, channel, day)."""

    keys: set[str] = field(default_factory=set)
    per_client: dict[tuple[str, date], int] = field(default_factory=lambda: defaultdict(int))
    per_channel: dict[tuple[str, str, date], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, client_id: str, channel: str, day: date) -> None:
        """Count one enqueued push."""
        self.keys.add(key)
        self.per_client[(client_id, day)] += 1
        self.per_channel[(client_id, channel, day)] += 1


class DeliveryPolicy:
    """Decide a batch of candidates against client contexts and history (keyword-only arguments)."""

    def __init__(self, *, config: PolicyConfig, suitability: SuitabilityService) -> None:
        self._config = config
        self._suitability = suitability

    @property
    def quiet(self) -> QuietHours:
        """The quiet-hours window in force."""
        return self._config.quiet

    def decide(
        self,
        *,
        candidates: Sequence[PushCandidate],
        clients: Mapping[str, ClientContext],
        history: PushHistory,
        now: datetime,
    ) -> list[PolicyDecision]:
        """One decision per candidate, in input order (a collapsed group's merged push comes first).

        ``history`` is updated with what is enqueued, so consecutive batches share caps and dedup.
        """
        out: list[tuple[float, PolicyDecision]] = []
        survivors: list[tuple[int, PushCandidate]] = []
        seen: set[str] = set()
        order = sorted(range(len(candidates)), key=lambda i: (-candidates[i].priority, i))
        for i in order:
            cand = candidates[i]
            refusal = self._refuse(cand, clients.get(cand.client_id), history, seen)
            if refusal is not None:
                out.append((i, refusal))
                continue
            seen.add(idempotency_key(cand.channel, cand.client_id, cand.dedup_key))
            survivors.append((i, cand))
        for pos, head, members in _collapse(survivors):
            key = idempotency_key(head.channel, head.client_id, head.dedup_key)
            if key in history.keys:
                decision = _reject(head, Reason.DUPLICATE, "this collapsed alert was already pushed")
            else:
                decision = self._schedule(head, key, history, now, tuple(m for _, m in members))
            out.append((pos - 0.5 if members else pos, decision))
            for mpos, m in members:
                if decision.enqueued:
                    detail = f"collapsed into one push with {len(members)} alerts ({head.collapse_key})"
                    collapsed = PolicyDecision(m, Outcome.COLLAPSED, Reason.COLLAPSED, detail, idempotency_key=key)
                    out.append((mpos, collapsed))
                    history.keys.add(idempotency_key(m.channel, m.client_id, m.dedup_key))
                else:
                    out.append((mpos, replace(decision, candidate=m, members=())))
        out.sort(key=lambda pair: pair[0])
        return [d for _, d in out]

    def _refuse(
        self, cand: PushCandidate, client: ClientContext | None, history: PushHistory, seen: set[str]
    ) -> PolicyDecision | None:
        if client is None or cand.channel not in client.channels:
            return _reject(cand, Reason.CHANNEL_UNAVAILABLE, f"client cannot be reached on channel {cand.channel!r}")
        if cand.category in client.unsubscribed:
            return _reject(cand, Reason.UNSUBSCRIBED, f"client unsubscribed from {cand.category!r}")
        if not client.personalised and cand.basis is Basis.PROFILE:
            return _reject(cand, Reason.PERSONALISATION_OFF, "personalisation is off; profile-based push refused")
        if cand.product_risk is not None and cand.product_code is not None:
            if client.risk_category is None:
                return _reject(cand, Reason.NO_VALID_ASSESSMENT, "no valid risk assessment; product push refused")
            verdict = self._suitability.check(
                actor=ACTOR,
                client_id=client.client_id,
                product_code=cand.product_code,
                category=client.risk_category,
                product_risk=cand.product_risk,
            )
            if not verdict.may_recommend:
                return _reject(cand, Reason.SUITABILITY, verdict.message.render("en"))
        key = idempotency_key(cand.channel, cand.client_id, cand.dedup_key)
        if key in history.keys or key in seen:
            return _reject(cand, Reason.DUPLICATE, f"fact {cand.dedup_key!r} already pushed on {cand.channel}")
        return None

    def _schedule(
        self,
        head: PushCandidate,
        key: str,
        history: PushHistory,
        now: datetime,
        members: tuple[PushCandidate, ...],
    ) -> PolicyDecision:
        at = self._config.quiet.next_open(now)
        day = self._config.quiet.local_day(at)
        client_cap = self._config.cap_per_client_day
        if history.per_client[(head.client_id, day)] >= client_cap:
            return _reject(head, Reason.CAP_CLIENT, f"client cap {client_cap}/day reached on {day}")
        cap = self._config.cap_per_channel_day.get(head.channel, self._config.cap_per_client_day)
        if history.per_channel[(head.client_id, head.channel, day)] >= cap:
            return _reject(head, Reason.CAP_CHANNEL, f"{head.channel} cap {cap}/day reached on {day}")
        history.add(key, head.client_id, head.channel, day)
        if at > now:
            detail = f"quiet hours; deferred to {at.isoformat()}"
            return PolicyDecision(head, Outcome.DEFERRED, Reason.QUIET_HOURS, detail, at, key, members)
        return PolicyDecision(head, Outcome.ACCEPTED, Reason.OK, "accepted", at, key, members)


def _reject(cand: PushCandidate, reason: Reason, detail: str) -> PolicyDecision:
    return PolicyDecision(cand, Outcome.REJECTED, reason, detail)


def _collapse(
    cands: Iterable[tuple[int, PushCandidate]],
) -> list[tuple[int, PushCandidate, list[tuple[int, PushCandidate]]]]:
    """Group by (client, channel, collapse_key): a lone candidate is its own push, a group gets one merged push.

    Returns (position of the first member, the push, its members — empty when not merged), highest priority first.
    """
    groups: dict[tuple[str, str, str], list[tuple[int, PushCandidate]]] = {}
    out: list[tuple[int, PushCandidate, list[tuple[int, PushCandidate]]]] = []
    for pos, c in cands:
        if c.collapse_key is None:
            out.append((pos, c, []))
        else:
            groups.setdefault((c.client_id, c.channel, c.collapse_key), []).append((pos, c))
    for (_client, _channel, ckey), members in groups.items():
        if len(members) == 1:
            out.append((members[0][0], members[0][1], []))
            continue
        ms = [m for _, m in members]
        first = ms[0]
        head = replace(
            first,
            title=f"{first.title}（等{len(ms)}条提醒）",
            body="\n".join(f"• {m.title}：{m.body}" for m in ms),
            rule="collapse/v1",
            dedup_key=f"collapse:{ckey}",
            source_events=tuple(dict.fromkeys(e for m in ms for e in m.source_events)),
            evidence={"collapsed": [{"rule": m.rule, "dedup_key": m.dedup_key, **m.evidence} for m in ms]},
            priority=max(m.priority for m in ms),
        )
        out.append((min(p for p, _ in members), head, members))
    out.sort(key=lambda item: (-item[1].priority, item[0]))
    return out
