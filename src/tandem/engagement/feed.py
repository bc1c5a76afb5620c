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
from tandem.core.i18n import Message, translate
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


_ARTICLES: tuple[tuple[datetime, str], ...] = (
    (datetime(2025, 4, 1, tzinfo=UTC), "feed.article.qfq"),
    (datetime(2025, 3, 15, tzinfo=UTC), "feed.article.limits"),
    (datetime(2025, 3, 1, tzinfo=UTC), "feed.article.suitability"),
)
"""The short explainers every feed shows: when, and the catalogue key (``.title`` and ``.body``)."""


def _quote_or_none(store: MarketStore, code: str) -> Quote | None:
    try:
        return quote(store, code)
    except UserError:  # delisted since it was watched, or no bars imported
        return None


def _move_item(q: Quote, lang: Lang) -> FeedItem:
    verb = Message("feed.move.up" if q.change > 0 else "feed.move.down" if q.change < 0 else "feed.move.flat")
    title = translate(lang, "feed.move.title", name=q.name, verb=verb, pct=q.change_pct, abs_pct=abs(q.change_pct))
    body = translate(lang, "feed.move.body", day=q.date, close=q.close, yi=q.amount / 1e8)
    return FeedItem("move", title, body, datetime.combine(q.date, time(15, 0), tzinfo=UTC), q.code)


def _diagnosis_item(ch: ScoreChange, lang: Lang) -> FeedItem:
    """E.g. 贵州茅台 综合评分 68 → 71（较上一交易日 +3）；变化最大的维度：资金流向 +12."""
    title = translate(lang, "feed.diag.title", name=ch.name, prev=ch.prev_score, score=ch.score, delta=ch.delta)
    dim = (
        Message("feed.diag.dim", {"label": ch.dim_label, "delta": ch.dim_delta})
        if ch.dim_label
        else Message("feed.diag.no_dim")
    )
    body = translate(lang, "feed.diag.body", dim=dim, prev_day=ch.prev_day, day=ch.day)
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
        title = translate(lang, "feed.watch.added", name=name)
        items.append(FeedItem("watch", title, r.code, added, r.code))
    items.extend(_articles(lang))
    items.sort(key=lambda it: it.at, reverse=True)
    return items[:limit]


def _articles(lang: Lang) -> list[FeedItem]:
    return [
        FeedItem("article", translate(lang, f"{key}.title"), translate(lang, f"{key}.body"), at)
        for at, key in _ARTICLES
    ]


def public_feed(*, lang: Lang, limit: int = 50) -> list[FeedItem]:
    """The feed of a visitor without an account: the articles only, newest first (nothing personal)."""
    return sorted(_articles(lang), key=lambda it: it.at, reverse=True)[:limit]
