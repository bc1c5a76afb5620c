"""The 量化 tab's words that code names (rule events, trade table, equity chart), zh-CN first.

Merged into :mod:`tandem.core.i18n`.
"""

from __future__ import annotations

from typing import Final

QUANT_WORDS: Final[dict[str, tuple[str, str]]] = {
    "quant.rule.limit_up": ("涨停买入受阻", "Buy blocked at limit-up"),
    "quant.rule.limit_down": ("跌停卖出受阻", "Sell blocked at limit-down"),
    "quant.rule.suspended": ("停牌无法交易", "Suspended"),
    "quant.rule.t_plus_one": ("T+1 当日买入不可卖", "T+1: bought today, not sellable"),
    "quant.rule.opened_at_limit": ("开盘封板后打开，收盘成交", "Opened at the limit, filled at close"),
    "quant.rule.volume_cap": ("成交量占比上限", "Volume participation cap"),
    "quant.rule.min_commission": ("佣金按最低5元收取", "5-yuan minimum commission"),
    "quant.rule.lot": ("按整手取整", "Rounded to whole lots"),
    "quant.rule.cash": ("现金不足减少买入", "Reduced by available cash"),
    "quant.rule.dividend": ("现金分红到账", "Cash dividend credited"),
    "quant.rule.bonus_shares": ("送转股到账", "Bonus/split shares credited"),
    "quant.rule.no_price": ("当日无价格", "No price that day"),
    "quant.trade.code": ("代码", "Code"),
    "quant.trade.side": ("方向", "Side"),
    "quant.trade.qty": ("数量", "Qty"),
    "quant.trade.price": ("价格", "Price"),
    "quant.trade.fee": ("费用", "Fee"),
    "quant.chart.strategy": ("策略", "Strategy"),
    "quant.chart.benchmark": ("基准", "Benchmark"),
    "feed.kind.move": ("行情", "Market"),
    "feed.kind.watch": ("自选", "Watchlist"),
    "feed.kind.article": ("学堂", "Learn"),
    "feed.kind.diagnosis": ("诊断", "Diagnosis"),
    "html.lang": ("zh-CN", "en"),
    "lang.other": ("en", "zh"),
}
