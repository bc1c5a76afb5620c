"""Read news from the store as typed records: newest first, optionally only the items that name one stock.

Times leave the store as UTC instants and reach callers as Beijing time (``Asia/Shanghai``), the time the source
printed and the one investors read. Each item carries its publisher, its link (when the source gave one) and the
stocks and industries recognised in it, so a page never shows an item without saying where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tandem.marketdata.news.parse import BEIJING
from tandem.marketdata.store import MarketStore


@dataclass(frozen=True, slots=True)
class NewsStock:
    """A stock an item names."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One real news item as published (``published_at`` in Beijing time, with its offset)."""

    id: str
    published_at: datetime
    title: str
    content: str
    publisher: str
    url: str | None
    stocks: tuple[NewsStock, ...]
    industries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NewsPage:
    """One page of items and how many there are in all."""

    items: tuple[NewsItem, ...]
    total: int


def _beijing(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC).astimezone(BEIJING)


def latest_news(store: MarketStore, *, code: str | None = None, offset: int = 0, limit: int = 20) -> NewsPage:
    """Items newest first; with ``code`` (canonical, e.g. ``600519.SH``) only those that name that stock."""
    if offset < 0 or not 1 <= limit <= 500:
        raise ValueError("offset must be >= 0 and limit between 1 and 500")
    where = ""
    params: list[object] = []
    if code is not None:
        where = "WHERE id IN (SELECT news_id FROM news_mentions WHERE kind = 'stock' AND key = ?)"
        params = [code]
    total = int(store.sql_polars(f"SELECT count(*) AS n FROM news {where}", params).item())
    rows = store.sql_polars(
        f"SELECT id, published_at, title, content, publisher, url FROM news {where} "
        "ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    ids = rows.get_column("id").to_list()
    mentions = (
        store.sql_polars(
            "SELECT news_id, kind, key, name FROM news_mentions WHERE list_contains(?, news_id) ORDER BY kind, key",
            [ids],
        )
        if ids
        else None
    )
    stocks: dict[str, list[NewsStock]] = {}
    industries: dict[str, list[str]] = {}
    for nid, kind, key, name in mentions.iter_rows() if mentions is not None else ():
        if kind == "stock":
            stocks.setdefault(nid, []).append(NewsStock(key, name))
        else:
            industries.setdefault(nid, []).append(name)
    items = tuple(
        NewsItem(
            id=nid,
            published_at=_beijing(ts),
            title=title,
            content=content or "",
            publisher=publisher,
            url=url,
            stocks=tuple(stocks.get(nid, ())),
            industries=tuple(industries.get(nid, ())),
        )
        for nid, ts, title, content, publisher, url in rows.iter_rows()
    )
    return NewsPage(items=items, total=total)
