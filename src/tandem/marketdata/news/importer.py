"""``tandem data import-news``: scraped news files → the store's ``news`` and ``news_mentions``, all or nothing.

Unlike the market-data importers, news is never imported in part: a file with broken JSON or an item with a missing
field rejects the whole import with ``file:item N: field: what is wrong`` problems and leaves the store exactly as it
was, because a feed silently missing items would look complete. Items are keyed by East Money's article number, so
importing the same files again (or an overlapping scrape) changes nothing. Mentions are recomputed for every stored
item from the store's instruments in the same transaction and replace the old ones, so importing news again after
the instruments changed re-tags every item against the new dictionary (and drops tags it no longer supports).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from tandem.core.errors import UserError, ValidationFailed
from tandem.marketdata.news.parse import NewsProblem, NewsRow, merge, parse_file
from tandem.marketdata.news.recognise import Recogniser
from tandem.marketdata.versioned import Transaction, VersionedStore


@dataclass(slots=True)
class NewsImportReport:
    """What an import did: files and items read, distinct articles, mentions, and whether the store changed."""

    files: int = 0
    items_read: int = 0
    articles: int = 0
    stored: int = 0
    mentions: int = 0
    changed: bool = False
    version: str | None = None
    problems: list[NewsProblem] = field(default_factory=list)


def news_files(paths: list[Path]) -> list[Path]:
    """The ``*.json`` files under ``paths`` in a stable order (a missing path is a user error)."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UserError(f"{p}: no such file or directory")
        out.extend([p] if p.is_file() else sorted(p.rglob("*.json")))
    if not out:
        raise UserError(f"no news files (*.json) under {', '.join(map(str, paths))}")
    return out


def news_frame(rows: list[NewsRow]) -> pl.DataFrame:
    """Rows as the ``news`` table's columns."""
    cols = ("id", "published_at", "title", "content", "publisher", "url", "listed", "fetched_at", "source")
    return pl.DataFrame({c: [getattr(r, c) for r in rows] for c in cols}, schema_overrides={"url": pl.String})


def mention_frame(recogniser: Recogniser, news: pl.DataFrame) -> pl.DataFrame:
    """Every stored item's mentions as ``news_mentions`` rows."""
    out: dict[str, list[str]] = {"news_id": [], "kind": [], "key": [], "name": [], "via": []}
    for nid, title, content, listed in news.select("id", "title", "content", "listed").iter_rows():
        for m in recogniser.mentions(title or "", content or "", listed):
            for k, v in (("news_id", nid), ("kind", m.kind), ("key", m.key), ("name", m.name), ("via", m.via)):
                out[k].append(v)
    return pl.DataFrame(out, schema={k: pl.String for k in out})


def recogniser_of(tx: Transaction) -> Recogniser:
    """The recogniser over the stocks the transaction sees (its dictionary is the store's instrument names)."""
    stocks = tx.table("instruments").filter(pl.col("kind") == "stock").select("code", "name", "industry")
    return Recogniser(stocks.iter_rows())


def import_news(root: Path, paths: list[Path]) -> NewsImportReport:
    """Validate every file first, then write news and mentions in one transaction; any problem imports nothing."""
    files = news_files(paths)
    report = NewsImportReport(files=len(files))
    rows: list[NewsRow] = []
    for f in files:
        rows.extend(parse_file(f, report.problems))
    if report.problems:
        raise ValidationFailed(
            f"{len(report.problems)} problem(s) in {len({p.file for p in report.problems})} news file(s); "
            "nothing was imported",
            [str(p) for p in report.problems],
        )
    report.items_read = len(rows)
    merged = merge(rows)
    report.articles = len(merged)
    store = VersionedStore(root)
    with store.transaction() as tx:
        tx.upsert("news", news_frame(merged))
        news = tx.table("news")
        mentions = mention_frame(recogniser_of(tx), news)
        tx.replace("news_mentions", mentions)
        for f in files:
            tx.log_import({"file": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest(), "importer": "news"})
        report.stored, report.mentions = news.height, mentions.height
    report.changed = tx.changed
    report.version = tx.committed_version or store.current_version()
    return report
