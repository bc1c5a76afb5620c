"""Clients' own price alerts against a new session.

``above`` fires when the high reached the price, ``below`` when the low did. An alert fires once (its dedup
key is the alert id), so the caller disarms it in the same transaction as the push it submits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.records import PriceAlert, SessionBars

RULE = "price_alert.cross/v1"


def fired_alerts(alerts: Sequence[PriceAlert], bars: SessionBars) -> list[PriceAlert]:
    """Alerts whose price the session's range reached (stocks without a bar that day fire nothing)."""
    if not alerts:
        return []
    pos = {str(c): i for i, c in enumerate(bars.codes)}
    idx = np.array([pos.get(a.code, -1) for a in alerts])
    price = np.array([a.price for a in alerts])
    above = np.array([a.direction == "above" for a in alerts])
    ok = idx >= 0
    safe = np.where(ok, idx, 0)
    hit = ok & np.where(above, bars.high[safe] >= price, bars.low[safe] <= price)
    return [a for a, h in zip(alerts, hit, strict=True) if h]


def alert_candidates(alerts: Sequence[PriceAlert], bars: SessionBars, *, channel: str = "inapp") -> list[PushCandidate]:
    """One push per fired alert, quoting the alert and the session's range."""
    pos = {str(c): i for i, c in enumerate(bars.codes)}
    day = bars.day.isoformat()
    out = []
    for a in fired_alerts(alerts, bars):
        i = pos[a.code]
        name = str(bars.names[i])
        word = "升至" if a.direction == "above" else "跌至"
        out.append(
            PushCandidate(
                client_id=a.client_id,
                category="price_alert",
                channel=channel,
                title=f"价格提醒：{name} {word} {a.price:.2f}",
                body=(
                    f"您设置的提醒已触发：{name}（{a.code}）{day} 最高 {bars.high[i]:.2f}、最低 {bars.low[i]:.2f}、"
                    f"收盘 {bars.close[i]:.2f}。"
                ),
                rule=RULE,
                dedup_key=f"price_alert:{a.alert_id}",
                collapse_key=f"mover:{a.code}:{day}",
                data_date=bars.day,
                source_events=(f"alert:{a.alert_id}", f"bar:{a.code}:{day}"),
                evidence={
                    "code": a.code,
                    "direction": a.direction,
                    "price": a.price,
                    "high": float(bars.high[i]),
                    "low": float(bars.low[i]),
                },
                priority=2,
            )
        )
    return out
