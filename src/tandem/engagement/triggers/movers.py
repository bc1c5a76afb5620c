"""异动 of a new session: limit-up/down hit or opened, volume spikes and gaps, fanned out to followers.

Definitions (``MoverRules`` holds the thresholds, each documented there):

* ``limit_up_hit`` — the high reached the limit-up price and the close stayed there (封板);
* ``limit_up_opened`` — the high reached it but the close fell below (炸板); ``limit_down_*`` mirror these;
* ``volume_spike`` — volume at least ``spike_ratio`` × the mean of the previous sessions;
* ``gap_up`` / ``gap_down`` — the open beyond the previous session's high / low by at least ``gap_pct``
  of the previous close (跳空).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.records import Mover, MoverKind, SessionBars

RULE_VERSION = "v1"
TICK = 0.005  # half a fen: prices equal to the fen count as equal


@dataclass(frozen=True, slots=True)
class MoverRules:
    """Thresholds of the 异动 rules."""

    spike_ratio: float = 3.0
    """Volume / mean volume of the previous sessions that counts as a spike."""
    gap_pct: float = 0.02
    """Minimum gap beyond the previous range, as a fraction of the previous close."""


TEXT: dict[MoverKind, str] = {
    "limit_up_hit": "涨停封板",
    "limit_up_opened": "涨停打开（炸板）",
    "limit_down_hit": "跌停",
    "limit_down_opened": "跌停打开",
    "volume_spike": "成交量放大",
    "gap_up": "跳空高开",
    "gap_down": "跳空低开",
}


def _num(x: float) -> float | None:
    """A JSON-safe figure: ``None`` for a missing one (PostgreSQL's JSON has no NaN)."""
    v = float(x)
    return round(v, 4) if np.isfinite(v) else None


def detect_movers(bars: SessionBars, rules: MoverRules | None = None) -> list[Mover]:
    """Every 异动 of the session, column-wise (NaN comparisons are False, so missing data fires nothing)."""
    r = rules or MoverRules()
    with np.errstate(invalid="ignore", divide="ignore"):
        up_hit = bars.high >= bars.limit_up - TICK
        down_hit = bars.low <= bars.limit_down + TICK
        masks: dict[MoverKind, np.ndarray] = {
            "limit_up_hit": up_hit & (bars.close >= bars.limit_up - TICK),
            "limit_up_opened": up_hit & (bars.close < bars.limit_up - TICK),
            "limit_down_hit": down_hit & (bars.close <= bars.limit_down + TICK),
            "limit_down_opened": down_hit & (bars.close > bars.limit_down + TICK),
            "volume_spike": (bars.avg_volume > 0) & (bars.volume >= r.spike_ratio * bars.avg_volume),
            "gap_up": bars.open - bars.prev_high >= r.gap_pct * bars.preclose,
            "gap_down": bars.prev_low - bars.open >= r.gap_pct * bars.preclose,
        }
        ratio = bars.volume / bars.avg_volume
        change = bars.close / bars.preclose - 1.0
    out: list[Mover] = []
    for kind, mask in masks.items():
        for i in np.flatnonzero(mask):
            evidence = {
                "close": _num(bars.close[i]),
                "preclose": _num(bars.preclose[i]),
                "change_pct": _num(change[i] * 100),
                "volume_ratio": _num(ratio[i]),
                "limit_up": _num(bars.limit_up[i]),
                "limit_down": _num(bars.limit_down[i]),
            }
            out.append(Mover(str(bars.codes[i]), str(bars.names[i]), bars.day, kind, evidence))
    return out


def mover_candidates(movers: list[Mover], index: HolderIndex, *, channel: str = "inapp") -> list[PushCandidate]:
    """One candidate per (stock, follower) per session, naming every 异动 of that stock.

    A stock's several 异动 of one session are one fact for the client (the policy would collapse them anyway), so
    they are merged here: the rule is the most important kind's (order of :data:`TEXT`), the evidence lists every
    kind with its rule, and the collapse key still lets a price alert on the same stock join the same push.
    """
    by_code: dict[str, list[Mover]] = {}
    for m in movers:
        by_code.setdefault(m.code, []).append(m)
    order = list(TEXT)
    out: list[PushCandidate] = []
    for code, ms in by_code.items():
        followers = index.followers(code)
        if not followers:
            continue
        ms.sort(key=lambda m: order.index(m.kind))
        head = ms[0]
        day = head.day.isoformat()
        what = "、".join(TEXT[m.kind] for m in ms)
        ev = dict(head.evidence)
        figures = [f"收盘 {ev['close']:.2f}" if ev["close"] is not None else None,
                   f"涨跌幅 {ev['change_pct']:+.2f}%" if ev["change_pct"] is not None else None,
                   f"量比 {ev['volume_ratio']:.2f}" if ev["volume_ratio"] is not None else None]  # fmt: skip
        body = f"{head.name}（{code}）{day} {what}：{'，'.join(f for f in figures if f)}。"
        events = (f"session:{day}", f"bar:{code}:{day}")
        rules = [f"mover.{m.kind}/{RULE_VERSION}" for m in ms]
        shared = {"code": code, "kinds": [m.kind for m in ms], "rules": rules, **ev}
        variants = {
            held: (f"{'持仓' if held else '自选'} {head.name} {what}", MappingProxyType({**shared, "held": held}))
            for held in (True, False)
        }
        key = f"mover:{code}:{day}"
        for f in followers:
            title, evidence = variants[f.held]
            out.append(
                PushCandidate(
                    client_id=f.client_id,
                    category="mover",
                    channel=channel,
                    title=title,
                    body=body,
                    rule=rules[0],
                    dedup_key=key,
                    collapse_key=key,
                    data_date=head.day,
                    source_events=events,
                    evidence=evidence,
                    priority=1 if f.held else 0,
                )
            )
    return out
