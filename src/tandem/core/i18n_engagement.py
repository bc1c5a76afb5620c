"""The engagement words (the 资讯 feed, score changes, interest tags, recommendations), zh-CN first.

Merged into :mod:`tandem.core.i18n`. Figures arrive as ``{name}`` fields with their format spec in the text
(``{pct:.2f}``), so both languages print the same digits.
"""

from __future__ import annotations

from typing import Final

ENGAGEMENT_WORDS: Final[dict[str, tuple[str, str]]] = {
    "feed.move.up": ("收涨", "closed up"),
    "feed.move.down": ("收跌", "closed down"),
    "feed.move.flat": ("平收", "closed flat"),
    "feed.move.title": ("{name} {verb} {abs_pct:.2f}%", "{name} closed {pct:+.2f}%"),
    "feed.move.body": (
        "{day:%Y-%m-%d} 收盘 {close:.2f}，成交额 {yi:.2f} 亿元。",
        "{day:%Y-%m-%d} close {close:.2f}, turnover CNY {yi:.2f} hundred million.",
    ),
    "feed.diag.title": (
        "{name} 综合评分 {prev} → {score}（较上一交易日 {delta:+d}）",
        "{name} composite {prev} → {score} ({delta:+d} vs previous session)",
    ),
    "feed.diag.dim": ("变化最大的维度：{label} {delta:+d}", "Largest change: {label} {delta:+d}"),
    "feed.diag.no_dim": ("各维度评分均无变化", "No dimension changed"),
    "feed.diag.body": (
        "{dim}。{prev_day:%Y-%m-%d} → {day:%Y-%m-%d} 收盘数据，个股诊断仅供参考。",
        "{dim}. Closing data {prev_day:%Y-%m-%d} → {day:%Y-%m-%d}; diagnosis is for reference only.",
    ),
    # recommendations (tandem.engagement.recommend): titles and the reason each item is shown
    "rec.title": ("{name}", "{name}"),
    "rec.title.brief": ("{name} 个股三分钟", "{name} in three minutes"),
    "rec.because.seen": ("您近期关注过{name}", "You recently looked at {name}"),
    "rec.because.similar": (
        "因为您浏览过{name}，看过它的客户也常看这条",
        "Because you viewed {name}: clients who viewed it often read this",
    ),
    "rec.because.nearby": ("与您浏览过的内容相近的客户也常看", "Often read by clients with interests like yours"),
    "rec.cold_start": ("新用户推荐：风险等级{category}的客户常看", "For new clients: often read by {category} clients"),
    "rec.non_personalised": (
        "热门内容（未使用您的个人信息，个性化推荐已关闭或尚无数据）",
        "Popular (none of your personal data used: personalisation is off or there is no data yet)",
    ),
    "feed.watch.added": ("已加入自选：{name}", "Added to watchlist: {name}"),
    "feed.article.qfq.title": ("什么是前复权？", "What is forward adjustment (qfq)?"),
    "feed.article.qfq.body": (
        "分红送转后股价会出现缺口。前复权以最新价格为基准，向前调整历史价格，让K线连续可比；本应用的K线默认前复权，最新一天与实际成交价一致。",
        (
            "Dividends and splits leave gaps in prices. Forward"
            " adjustment rescales history to today's price so t"
            "he K-line stays comparable; the app's charts use i"
            "t, and the latest day equals the traded price."
        ),
    ),
    "feed.article.limits.title": ("涨跌停与T+1", "Price limits and T+1"),
    "feed.article.limits.body": (
        "主板股票日涨跌幅限制为10%，ST股为5%，创业板与科创板为20%。A股实行T+1：当天买入的股票下一个交易日才能卖出。",
        (
            "Main-board stocks move at most 10% a day (ST 5%, C"
            "hiNext and STAR 20%). Shares bought today can be s"
            "old from the next trading day (T+1)."
        ),
    ),
    "feed.article.suitability.title": ("风险测评为什么重要", "Why the risk questionnaire matters"),
    "feed.article.suitability.body": (
        "适当性管理要求把产品风险等级（R1–R5）与投资者风险承受能力（C1–C5）匹配。测评结果决定你能看到哪些策略。",
        (
            "Suitability rules match product risk (R1–R5) to yo"
            "ur risk capacity (C1–C5); your result decides whic"
            "h strategies you can see."
        ),
    ),
}
