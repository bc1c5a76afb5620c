"""Build the bundled news slice (src/tandem/sample_data/news.parquet, news_mentions.parquet) from real East Money 快讯.

Imports ``../shared/data/news/eastmoney_newsflash_2026_02/`` with Tandem's news importer into a temporary store that
holds the bundled sample's instruments (so items are tagged against the sample's own universe), then keeps every item
that names a sample stock plus the newest :data:`N_LATEST` items, and writes both tables and a provenance section.
Deterministic for the same inputs; ``scripts/build_sample.py`` runs it after rebuilding the rest of the sample.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl

from tandem.marketdata.news.importer import import_news
from tandem.marketdata.versioned import VersionedStore

DATASET = "news/eastmoney_newsflash_2026_02"
N_LATEST = 40
BEGIN = "<!-- news slice: scripts/build_news_sample.py -->"
END = "<!-- /news slice -->"


def _seed_instruments(sample: Path, root: Path) -> None:
    """A store holding only the sample's instruments (the recogniser's dictionary)."""
    inst = pl.read_parquet(sample / "instruments.parquet")
    with VersionedStore(root).transaction() as tx:
        tx.upsert("instruments", inst)


def _provenance(news: pl.DataFrame, mentions: pl.DataFrame, files: list[str]) -> str:
    stocks = mentions.filter(pl.col("kind") == "stock").select("key", "name").unique().sort("key")
    first, last = news["published_at"].min(), news["published_at"].max()
    named = ", ".join(f"{c} {n}" for c, n in stocks.iter_rows())
    return "\n".join(
        [
            BEGIN,
            "## News slice (news, news_mentions)",
            "",
            f"{news.height} real East Money 快讯 items ({first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} UTC), read by "
            f"`tandem data import-news` from `../shared/data/{DATASET}/` ({', '.join(files)}; source "
            "`mmzzl/datastore`, commit b1c1e7ec30ae7209661f3555e6b89112040003b5; licence: none in repo — the text is "
            "East Money's, shown with its publisher and link). Kept: every item that names a sample stock, and the "
            f"newest {N_LATEST}. Corrected on import (see `marketdata/news/parse.py`): the scraper stamped each "
            "item's HH:MM with the scrape date; the publication day is recovered from the newest-first order of "
            "each scrape and checked against East Money's article number (one item, numbered 2026-02-16, was "
            "published 2026-02-17 01:12). Items are keyed by the article number (duplicates across scrapes merged). "
            "上市公司快讯 items carry no link in the source (`url` null).",
            "",
            f"Mentions: {mentions.height} rows, tagged against the sample's instruments; stocks named: {named}. "
            "Industries are the store's East Money industry names (boards and concepts are not in the store).",
            END,
            "",
        ]
    )


def _write_provenance(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text:
        head, _, rest = text.partition(BEGIN)
        text = head + rest.partition(END)[2].lstrip("\n")
    path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def build(shared: Path, out: Path) -> tuple[int, int]:
    """Write the slice into ``out`` (a sample_data folder with instruments.parquet); returns (items, mentions)."""
    src = shared / DATASET
    tmp = Path(tempfile.mkdtemp(prefix="tandem-news-"))
    try:
        root = tmp / "market"
        _seed_instruments(out, root)
        import_news(root, [src])
        vs = VersionedStore(root)
        news, mentions = vs.read("news"), vs.read("news_mentions")
        mentioned = mentions.filter(pl.col("kind") == "stock")["news_id"].unique()
        latest = news.sort(["published_at", "id"], descending=True).head(N_LATEST)["id"]
        keep = pl.concat([mentioned, latest]).unique()
        news = news.filter(pl.col("id").is_in(keep.implode())).sort("id")
        mentions = mentions.filter(pl.col("news_id").is_in(keep.implode())).sort(["news_id", "kind", "key"])
        news.write_parquet(out / "news.parquet", compression="zstd", compression_level=19)
        mentions.write_parquet(out / "news_mentions.parquet", compression="zstd", compression_level=19)
        files = sorted(p.name for p in src.glob("*.json"))
        _write_provenance(out / "PROVENANCE.md", _provenance(news, mentions, files))
        return news.height, mentions.height
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "src/tandem/sample_data")
    args = ap.parse_args()
    if not (args.shared / DATASET).exists():
        print(f"no news data at {args.shared / DATASET}", file=sys.stderr)
        return 2
    items, mentions = build(args.shared, args.out)
    print(f"news slice: {items} items, {mentions} mentions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
