"""Main-force (主力) net inflow anomalies during a live Level-2 replay, from the engine's minute updates.

A minute is anomalous when its main-force net amount exceeds both ``min_amount`` CNY and ``z`` times the mean
absolute main-force net of the stock's previous ``window`` traded minutes (after ``warmup`` of them). Minutes
without a trade (the pre-open call before 09:25, lunch) are skipped, so an idle pre-open cannot make the first
trades look like an anomaly. The
detector keeps that state per code, so one instance follows a whole replay of many stocks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import date

from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.records import FlowAnomaly
from tandem.level2.live import MinuteUpdate

RULE = "capital_flow.main_force_anomaly/v1"


class MainForceAnomalyDetector:
    """Stateful per-code detector over :class:`~tandem.level2.live.MinuteUpdate` records."""

    def __init__(
        self, *, day: date, window: int = 30, warmup: int = 10, z: float = 3.0, min_amount: float = 1_000_000.0
    ) -> None:
        self.day = day
        self.window = window
        self.warmup = warmup
        self.z = z
        self.min_amount = min_amount
        self._recent: dict[str, deque[float]] = {}

    def observe(self, update: MinuteUpdate) -> FlowAnomaly | None:
        """Feed one finished minute; returns an anomaly when it stands out from the stock's recent minutes."""
        if not any(update.buy_amount.values()) and not any(update.sell_amount.values()):
            return None  # no trade this minute (pre-open call, lunch): neither an anomaly nor history
        recent = self._recent.setdefault(update.code, deque(maxlen=self.window))
        baseline = sum(recent) / len(recent) if recent else 0.0
        found = None
        if len(recent) >= self.warmup and abs(update.main_net) >= max(self.min_amount, self.z * baseline):
            found = FlowAnomaly(update.code, self.day, update.minute, update.main_net, update.cum_main_net, baseline)
        recent.append(abs(update.main_net))
        return found

    def observe_all(self, updates: Iterable[MinuteUpdate]) -> list[FlowAnomaly]:
        """Feed many minutes in order."""
        return [a for u in updates if (a := self.observe(u)) is not None]


def flow_candidates(
    anomalies: Iterable[FlowAnomaly], index: HolderIndex, *, names: dict[str, str] | None = None, channel: str = "inapp"
) -> list[PushCandidate]:
    """One push per (anomaly, follower); a stock's anomalies of one day collapse into one push per batch."""
    out = []
    for a in anomalies:
        name = (names or {}).get(a.code, a.code)
        word = "净流入" if a.main_net > 0 else "净流出"
        day = a.day.isoformat()
        for f in index.followers(a.code):
            out.append(
                PushCandidate(
                    client_id=f.client_id,
                    category="capital_flow",
                    channel=channel,
                    title=f"{'持仓' if f.held else '自选'} {name} 主力资金异动",
                    body=(
                        f"{name}（{a.code}）{day} {a.minute} 这一分钟主力{word} {abs(a.main_net) / 1e4:.0f} 万元，"
                        f"约为此前每分钟平均的 {abs(a.main_net) / max(a.baseline, 1.0):.1f} 倍；"
                        f"当日累计主力净额 {a.cum_main_net / 1e4:.0f} 万元。"
                    ),
                    rule=RULE,
                    dedup_key=f"capital_flow:{a.code}:{day}:{a.minute}",
                    collapse_key=f"capital_flow:{a.code}:{day}",
                    data_date=a.day,
                    source_events=(f"l2:{a.code}:{day}:{a.minute}",),
                    evidence={
                        "code": a.code,
                        "minute": a.minute,
                        "main_net": a.main_net,
                        "cum_main_net": a.cum_main_net,
                        "baseline": a.baseline,
                    },
                    priority=1 if f.held else 0,
                )
            )
    return out
