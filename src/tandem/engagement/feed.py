"""The client's feed (资讯): watched stocks' moves and diagnosis changes, watchlist events, articles; newest first.

Order is plain chronological for everyone. Items are built from typed records (the store's :class:`Quote`, a
:class:`ScoreChange`), never from another item's formatted text or an API response schema.
``User.non_personalised`` is stored and shown as a switch; any later ranking by behaviour must check it and fall
back to this order (tests pin that this function ignores behaviour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy.orm import Session

from tandem.compliance.disclaimers import Lang
from tandem.core.errors import UserError
from tandem.engagement import watchlist
from tandem.engagement.score_changes import DiagnosisChanges, ScoreChange
from tandem.identity import User
from tandem.marketdata.quote import Quote, quote
from tandem.marketdata.store import MarketStore


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry; ``kind`` is move, diagnosis, watch or article."""

    kind: str
    title: str
    body: str
    at: datetime
    code: str | None = None


_ARTICLES: tuple[tuple[datetime, tuple[str, str], tuple[str, str]], ...] = (
    (
        datetime(2025, 4, 1, tzinfo=UTC),
        ("什么是前复权？", "What is forward adjustment (qfq)?"),
        (
            "分红送转后股价会出现缺口。前复权以最新价格为基准，向前调整历史价格，让K线连续可比；"
            "本应用的K线默认前复权，最新一天与实际成交价一致。",
            "Dividends and splits leave gaps in prices. Forward adjustment rescales history to today's price so the "
            "K-line stays comparable; the app's charts use it, and the latest day equals the traded price.",
        ),
    ),
    (
        datetime(2025, 3, 15, tzinfo=UTC),
        ("涨跌停与T+1", "Price limits and T+1"),
        (
            "主板股票日涨跌幅限制为10%，ST股为5%，创业板与科创板为20%。A股实行T+1：当天买入的股票下一个交易日才能卖出。",
            "Main-board stocks move at most 10% a day (ST 5%, ChiNext and STAR 20%). Shares bought today can be sold "
            "from the next trading day (T+1).",
        ),
    ),
    (
        datetime(2025, 3, 1, tzinfo=UTC),
        ("风险测评为什么重要", "Why the risk questionnaire matters"),
        (
            "适当性管理要求把产品风险等级（R1–R5）与投资者风险承受能力（C1–C5）匹配。测评结果决定你能看到哪些策略。",
            "Suitability rules match product risk (R1–R5) to your risk capacity (C1–C5); your result decides which "
            "strategies you can see.",
        ),
    ),
)


def _quote_or_none(store: MarketStore, code: str) -> Quote | None:
    try:
        return quote(store, code)
    except UserError:  # delisted since it was watched, or no bars imported
        return None


def _move_item(q: Quote, lang: Lang) -> FeedItem:
    if lang == "zh":
        verb = "收涨" if q.change > 0 else "收跌" if q.change < 0 else "平收"
        title = f"{q.name} {verb} {abs(q.change_pct):.2f}%"
        body = f"{q.date:%Y-%m-%d} 收盘 {q.close:.2f}，成交额 {q.amount / 1e8:.2f} 亿元。"
    else:
        title = f"{q.name} closed {q.change_pct:+.2f}%"
        body = f"{q.date:%Y-%m-%d} close {q.close:.2f}, turnover CNY {q.amount / 1e8:.2f} hundred million."
    return FeedItem("move", title, body, datetime.combine(q.date, time(15, 0), tzinfo=UTC), q.code)


def _diagnosis_item(ch: ScoreChange, lang: Lang) -> FeedItem:
    """E.g. 贵州茅台 综合评分 68 → 71（较上一交易日 +3）；变化最大的维度：资金流向 +12."""
    if lang == "zh":
        title = f"{ch.name} 综合评分 {ch.prev_score} → {ch.score}（较上一交易日 {ch.delta:+d}）"
        dim = f"变化最大的维度：{ch.dim_label_zh} {ch.dim_delta:+d}" if ch.dim_label_zh else "各维度评分均无变化"
        body = f"{dim}。{ch.prev_day:%Y-%m-%d} → {ch.day:%Y-%m-%d} 收盘数据，个股诊断仅供参考。"
    else:
        title = f"{ch.name} composite {ch.prev_score} → {ch.score} ({ch.delta:+d} vs previous session)"
        dim = f"Largest change: {ch.dim_label_en} {ch.dim_delta:+d}" if ch.dim_label_en else "No dimension changed"
        body = f"{dim}. Closing data {ch.prev_day:%Y-%m-%d} → {ch.day:%Y-%m-%d}; diagnosis is for reference only."
    return FeedItem("diagnosis", title, body, datetime.combine(ch.day, time(15, 0), tzinfo=UTC), ch.code)


def build_feed(
    db: Session,
    store: MarketStore,
    *,
    user: User,
    lang: Lang,
    limit: int = 50,
    changes: DiagnosisChanges | None = None,
) -> list[FeedItem]:
    """The user's feed, newest first (chronological whatever ``non_personalised`` says).

    ``changes`` adds each watched stock's diagnosis change between the two latest sessions.
    """
    items: list[FeedItem] = []
    rows, _ = watchlist.list_items(db, user_id=user.id, limit=watchlist.MAX_ITEMS)
    moved = changes.for_codes([r.code for r in rows]) if changes is not None else {}
    for r in rows:
        q = _quote_or_none(store, r.code)
        if q is not None:
            items.append(_move_item(q, lang))
        if r.code in moved:
            items.append(_diagnosis_item(moved[r.code], lang))
        added = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)
        name = q.name if q is not None else r.code
        title = f"已加入自选：{name}" if lang == "zh" else f"Added to watchlist: {name}"
        items.append(FeedItem("watch", title, r.code, added, r.code))
    items.extend(_articles(lang))
    items.sort(key=lambda it: it.at, reverse=True)
    return items[:limit]


def _articles(lang: Lang) -> list[FeedItem]:
    i = 0 if lang == "zh" else 1
    return [FeedItem("article", titles[i], bodies[i], at) for at, titles, bodies in _ARTICLES]


def public_feed(*, lang: Lang, limit: int = 50) -> list[FeedItem]:
    """The feed of a visitor without an account: the articles only, newest first (nothing personal)."""
    return sorted(_articles(lang), key=lambda it: it.at, reverse=True)[:limit]
