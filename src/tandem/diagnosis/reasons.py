"""Chinese wording of the reasons a dimension is missing, for the zh reports.

Scorers write their ``missing`` reasons in English (they appear in the API, logs and tests); a Chinese report
must not show them raw. Each known reason is one pattern here with its Chinese template; an unknown reason keeps
its English text after a Chinese lead-in, so nothing is hidden if a scorer adds a reason and forgets this table.
"""

from __future__ import annotations

import re

_NAMES = {"000300.SH": "沪深300"}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (
            r"^no ROE or net margin in fundamentals announced by this day$",
            "截至当日没有已公告的净资产收益率或销售净利率",
        ),
        (r"^no profit YoY \(yoy_ni\) in fundamentals by this day$", "截至当日没有已公告的净利润同比数据"),
        (
            r"^no cash-flow data for this period, and no balance-sheet debt ratio \(debt_ratio\) announced within "
            r"(?P<days>\d+) days before this day$",
            "本期没有现金流数据，且当日前{days}天内没有已公告的资产负债率",
        ),
        (
            r"^suspended on the snapshot day: price signals would describe an earlier day$",
            "当日停牌：价格信号只能反映停牌前的行情，暂不评分",
        ),
        (r"^fewer than (?P<n>\d+) traded days before the snapshot day$", "当日前的交易日不足{n}天"),
        (r"^fewer than (?P<n>\d+) traded days$", "交易日不足{n}天"),
        (
            r"^fewer than (?P<n>\d+) traded days: volatility and drawdown undefined$",
            "交易日不足{n}天，无法计算波动率和回撤",
        ),
        (r"^no (?P<index>\S+) index bars in the store for these days$", "本库缺少这些交易日的{index}指数行情"),
        (r"^no traded amount in the last (?P<n>\d+) days$", "近{n}日没有成交额"),
        (r"^no total_share in fundamentals: market value unknown$", "基本面数据中没有总股本，无法计算市值"),
        (r"^fewer than (?P<n>\d+) stocks of its industry in the store: no industry$", "没有行业分类，无法做同业比较"),
        (
            r"^fewer than (?P<n>\d+) stocks of its industry in the store: (?P<industry>.+)$",
            "本库中同行业（{industry}）股票不足{n}只",
        ),
        (
            r"^no positive PE/PB/PS in daily_bars \(loss maker or no data\)$",
            "日线数据中没有为正的市盈率、市净率或市销率（亏损或无数据）",
        ),
        (r"^score could not be computed from the available data$", "现有数据无法计算得分"),
        (r"^not enough data to compute this dimension on this day$", "当日数据不足，无法计算该维度"),
    )
)


def missing_reason_zh(reason: str) -> str:
    """The Chinese wording of a scorer's English ``missing`` reason."""
    for pattern, template in _PATTERNS:
        m = pattern.match(reason)
        if m:
            groups = {k: _NAMES.get(v, v) for k, v in m.groupdict().items()}
            return template.format(**groups)
    return f"数据缺失（{reason}）"


def is_translated(reason: str) -> bool:
    """True when ``reason`` has a Chinese wording here (tests check every reason the scorers emit)."""
    return any(p.match(reason) for p, _ in _PATTERNS)
