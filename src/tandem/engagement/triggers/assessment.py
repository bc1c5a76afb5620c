"""Risk assessments about to expire (or expired): remind the client to re-assess before product pushes stop.

Reminders go out at 30, 7 and 1 days before ``valid_until`` and once on expiry; each threshold is its own fact
(dedup key), so a daily run reminds at most once per threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.records import AssessmentStatus

RULE = "risk_assessment.expiring/v1"
THRESHOLDS = (30, 7, 1, 0)


def expiry_candidates(
    statuses: Iterable[AssessmentStatus], *, now: datetime, channel: str = "inapp"
) -> list[PushCandidate]:
    """One reminder per client for the tightest threshold already reached (nothing beyond 30 days)."""
    out = []
    for s in statuses:
        left = (s.valid_until - now).total_seconds() / 86_400
        reached = [t for t in THRESHOLDS if left <= t]
        if not reached:
            continue
        t = min(reached)
        until = s.valid_until.date().isoformat()
        text = (
            f"您的风险测评已于 {until} 过期，请重新测评；过期期间我们不会向您推荐任何产品。"
            if t == 0
            else f"您的风险测评将于 {until} 到期（约 {max(0, int(left))} 天后），请及时重新测评。"
        )
        out.append(
            PushCandidate(
                client_id=s.client_id,
                category="risk_assessment",
                channel=channel,
                title="风险测评已过期" if t == 0 else "风险测评即将到期",
                body=text,
                rule=RULE,
                dedup_key=f"risk_assessment:{until}:{t}",
                data_date=now.date(),
                source_events=(f"assessment:{s.client_id}:{until}",),
                evidence={"valid_until": s.valid_until.isoformat(), "threshold_days": t},
                kind="fund",
                priority=3,
            )
        )
    return out
