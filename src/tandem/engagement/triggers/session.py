"""Run every session-driven trigger for one new session: price alerts, 异动 and diagnosis changes.

This is what the import job calls after a session lands; the Level-2, plan and assessment triggers run from
their own data (a replay, a NAV update, the daily clock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tandem.engagement.delivery.gcpause import cyclic_gc_paused
from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.diagnosis_change import score_candidates
from tandem.engagement.triggers.movers import MoverRules, detect_movers, mover_candidates
from tandem.engagement.triggers.price_alerts import alert_candidates
from tandem.engagement.triggers.records import PriceAlert, ScoreMove, SessionBars


@dataclass(slots=True)
class SessionRun:
    """Candidates of one session and counts per trigger (for the CLI summary and the benchmark)."""

    candidates: list[PushCandidate] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def run_session_triggers(
    *,
    bars: SessionBars,
    index: HolderIndex,
    alerts: Sequence[PriceAlert] = (),
    score_moves: Sequence[ScoreMove] = (),
    rules: MoverRules | None = None,
) -> SessionRun:
    """Evaluate the session's triggers over the followers in ``index`` (built once from the client books); no I/O."""
    run = SessionRun()
    with cyclic_gc_paused():
        for name, cands in (
            ("price_alert", alert_candidates(alerts, bars)),
            ("mover", mover_candidates(detect_movers(bars, rules), index)),
            ("diagnosis_change", score_candidates(score_moves, index)),
        ):
            run.counts[name] = len(cands)
            run.candidates.extend(cands)
    return run
