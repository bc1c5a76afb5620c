"""The execution rules a backtest reports as events (limit-up, T+1, the minimum commission …), named in both languages.

The engine records one event per rule that changed or blocked an order; these are what a user should notice
first (the notable ones) and how each kind is named on the 量化 tab.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tandem.core.i18n import Message

RULE_LABELS: dict[str, Message] = {
    "limit_up": Message("quant.rule.limit_up"),
    "limit_down": Message("quant.rule.limit_down"),
    "suspended": Message("quant.rule.suspended"),
    "t_plus_one": Message("quant.rule.t_plus_one"),
    "opened_at_limit": Message("quant.rule.opened_at_limit"),
    "volume_cap": Message("quant.rule.volume_cap"),
    "min_commission": Message("quant.rule.min_commission"),
    "lot": Message("quant.rule.lot"),
    "cash": Message("quant.rule.cash"),
    "dividend": Message("quant.rule.dividend"),
    "bonus_shares": Message("quant.rule.bonus_shares"),
    "no_price": Message("quant.rule.no_price"),
}
"""Each rule's name is the catalogue's ``quant.rule.<rule>``."""
_NOTABLE = ("limit_up", "limit_down", "suspended", "t_plus_one", "opened_at_limit", "volume_cap")


def notable_events(result: dict[str, Any], limit: int = 12) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    """Rule events a user should notice (limits, suspensions, T+1 …) first, and counts of every kind."""
    events = result.get("rule_events") or []
    counts = Counter(e["rule"] for e in events)
    shown = [e for e in events if e["rule"] in _NOTABLE][:limit]
    return shown, counts.most_common()
