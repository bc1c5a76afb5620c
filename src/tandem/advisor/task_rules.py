"""The service SOP as rules: each looks at one client's facts and proposes the follow-ups that are due.

A rule is a one-method class: subclass :class:`TaskRule`, set ``kind`` and implement ``propose``. The key a
proposal carries names the rule and the *occasion* (the assessment's expiry date, the plan and week, the stock
and session), so the same occasion always yields the same key and a second run finds the task already there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.advisor.snapshot import ClientFacts
from tandem.engagement.score_changes import ScoreChange


@dataclass(frozen=True, slots=True)
class Proposal:
    """A follow-up a rule wants in the advisor's queue."""

    rule_key: str
    kind: str
    client_user_id: int
    advisor_id: int
    title: str
    due_at: datetime


class TaskRule(ABC):
    """One SOP rule; ``propose`` returns nothing when the client needs no follow-up for it."""

    kind: str

    @abstractmethod
    def propose(self, f: ClientFacts, *, now: datetime, changes: Mapping[str, ScoreChange]) -> list[Proposal]:
        """The follow-ups this rule asks for on ``f`` as of ``now``."""

    def _one(self, f: ClientFacts, occasion: str, title: str, due_at: datetime) -> list[Proposal]:
        return [Proposal(f"{self.kind}:{f.user_id}:{occasion}", self.kind, f.user_id, f.advisor_id, title, due_at)]


class AssessmentExpiring(TaskRule):
    """The risk assessment runs out within ``days``: reassess before the client may be advised again."""

    kind = "assessment_expiring"

    def __init__(self, days: int = 30) -> None:
        self.days = days

    def propose(self, f: ClientFacts, *, now: datetime, changes: Mapping[str, ScoreChange]) -> list[Proposal]:
        """A task due a week before expiry (or today when that is past)."""
        if f.valid_until is None or f.valid_until - now > timedelta(days=self.days):
            return []
        due = max(now, f.valid_until - timedelta(days=7))
        title = f"风险测评将于 {f.valid_until.date().isoformat()} 到期，请邀请客户重新测评"
        return self._one(f, f.valid_until.date().isoformat(), title, due)


class PlanDrift(TaskRule):
    """A held fund's weight is more than ``band`` away from the plan's target: discuss rebalancing."""

    kind = "plan_drift"

    def __init__(self, band: float = 0.05) -> None:
        self.band = band

    def propose(self, f: ClientFacts, *, now: datetime, changes: Mapping[str, ScoreChange]) -> list[Proposal]:
        """One task per plan per ISO week while the drift lasts."""
        if f.plan_status != "accepted" or f.max_drift <= self.band:
            return []
        year, week, _ = now.isocalendar()
        title = f"组合偏离目标 {f.max_drift:.1%}（阈值 {self.band:.0%}），请与客户沟通再平衡"
        return self._one(f, f"{f.plan_id}:{year}W{week:02d}", title, now + timedelta(days=3))


class LargeDrawdown(TaskRule):
    """Holdings are ``threshold`` or more below cost: call the client before they panic-sell."""

    kind = "large_drawdown"

    def __init__(self, threshold: float = 0.10) -> None:
        self.threshold = threshold

    def propose(self, f: ClientFacts, *, now: datetime, changes: Mapping[str, ScoreChange]) -> list[Proposal]:
        """One task per client per month while the loss lasts, due the next day."""
        if f.drawdown < self.threshold:
            return []
        title = f"模拟持仓较成本回撤 {f.drawdown:.1%}，请及时回访客户"
        return self._one(f, now.strftime("%Y-%m"), title, now + timedelta(days=1))


class DiagnosisDrop(TaskRule):
    """A stock the client holds or watches lost ``points`` or more of its diagnosis score in one session."""

    kind = "diagnosis_drop"

    def __init__(self, points: int = 10) -> None:
        self.points = points

    def propose(self, f: ClientFacts, *, now: datetime, changes: Mapping[str, ScoreChange]) -> list[Proposal]:
        """One task per stock and session."""
        out: list[Proposal] = []
        for code in f.watch_codes:
            ch = changes.get(code)
            if ch is None or ch.delta > -self.points:
                continue
            title = f"{ch.code} {ch.name} 诊断评分 {ch.prev_score}→{ch.score}，请向客户说明"
            out += self._one(f, f"{code}:{ch.day.isoformat()}", title, now + timedelta(days=1))
        return out


class FirstContact(TaskRule):
    """A client assigned ``days`` ago or more whom nobody has contacted yet."""

    kind = "first_contact"

    def __init__(self, days: int = 3) -> None:
        self.days = days

    def propose(self, f: ClientFacts, *, now: datetime, changes: Mapping[str, ScoreChange]) -> list[Proposal]:
        """One task per client and advisor, due on the day the grace period ends."""
        if f.last_contact_at is not None or now - f.assigned_at < timedelta(days=self.days):
            return []
        return self._one(
            f, str(f.advisor_id), "新分配客户尚未首次联系，请尽快联系", f.assigned_at + timedelta(days=self.days)
        )


def default_rules() -> list[TaskRule]:
    """The SOP in force: every rule with its documented default threshold."""
    return [AssessmentExpiring(), PlanDrift(), LargeDrawdown(), DiagnosisDrop(), FirstContact()]
