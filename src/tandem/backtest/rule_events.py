"""The execution rules a backtest reports as events (limit-up, T+1, the minimum commission …), named in both languages.

The engine records one event per rule that changed or blocked an order; these are what a user should notice
first (the notable ones) and how each kind is named on the 量化 tab.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

RULE_LABELS: dict[str, tuple[str, str]] = {
    "limit_up": ("涨停买入受阻", "Buy blocked at limit-up"),
    "limit_down": ("跌停卖出受阻", "Sell blocked at limit-down"),
    "suspended": ("停牌无法交易", "Suspended"),
    "t_plus_one": ("T+1 当日买入不可卖", "T+1: bought today, not sellable"),
    "opened_at_limit": ("开盘封板后打开，收盘成交", "Opened at the limit, filled at close"),
    "volume_cap": ("成交量占比上限", "Volume participation cap"),
    "min_commission": ("佣金按最低5元收取", "5-yuan minimum commission"),
    "lot": ("按整手取整", "Rounded to whole lots"),
    "cash": ("现金不足减少买入", "Reduced by available cash"),
    "dividend": ("现金分红到账", "Cash dividend credited"),
    "bonus_shares": ("送转股到账", "Bonus/split shares credited"),
    "no_price": ("当日无价格", "No price that day"),
}
_NOTABLE = ("limit_up", "limit_down", "suspended", "t_plus_one", "opened_at_limit", "volume_cap")


def notable_events(result: dict[str, Any], limit: int = 12) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    """Rule events a user should notice (limits, suspensions, T+1 …) first, and counts of every kind."""
    events = result.get("rule_events") or []
    counts = Counter(e["rule"] for e in events)
    shown = [e for e in events if e["rule"] in _NOTABLE][:limit]
    return shown, counts.most_common()
