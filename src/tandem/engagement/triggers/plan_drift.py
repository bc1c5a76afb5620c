"""Advisory plans that drifted beyond their band: tell the client which funds to trade back to target.

Uses :func:`tandem.wealth.rebalance.suggest_rebalance`. A rebalance may mean buying funds, so the push carries
the riskiest fund it would buy as its product: the delivery policy re-checks suitability before it goes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.records import PlanPosition
from tandem.wealth.rebalance import suggest_rebalance

RULE = "plan_drift.band/v1"


@dataclass(frozen=True, slots=True)
class _Target:
    code: str
    weight: float


def drift_candidates(positions: Iterable[PlanPosition], *, channel: str = "inapp") -> list[PushCandidate]:
    """One push per plan whose largest drift exceeds its band."""
    out = []
    for p in positions:
        total = sum(p.values.values())
        moves = suggest_rebalance(
            targets=[_Target(c, w) for c, w in p.targets.items()], current=p.values, threshold=p.band, total=total
        )
        if not moves:
            continue
        worst = max(moves, key=lambda m: abs(m.current_weight - m.target_weight))
        buys = [m for m in moves if m.action == "buy" and m.code in p.risks]
        riskiest = max(buys, key=lambda m: p.risks[m.code].rank) if buys else None
        lines = "；".join(f"{m.code} 当前 {m.current_weight:.0%} / 目标 {m.target_weight:.0%}" for m in moves)
        day = p.as_of.isoformat()
        out.append(
            PushCandidate(
                client_id=p.client_id,
                category="plan_drift",
                channel=channel,
                title="您的投顾方案持仓已偏离目标",
                body=f"截至 {day}，持仓偏离超过 {p.band:.0%} 的调仓阈值：{lines}。可在方案页查看调仓建议。",
                rule=RULE,
                dedup_key=f"plan_drift:{p.plan_id}:{day}",
                data_date=p.as_of,
                source_events=(f"plan:{p.plan_id}", f"nav:{day}"),
                evidence={
                    "plan": p.plan_id,
                    "worst": worst.code,
                    "drift": round(worst.current_weight - worst.target_weight, 4),
                    "band": p.band,
                },
                product_code=riskiest.code if riskiest else None,
                product_risk=p.risks[riskiest.code] if riskiest else None,
                kind="fund",
            )
        )
    return out
