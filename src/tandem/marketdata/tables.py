"""The store's tables: their columns, primary keys and partitioning, declared once.

Each table is one Arrow schema. ``daily_bars`` and ``minute_bars`` are partitioned by year so that an import
of new days rewrites only the years it touches; the small tables are single files.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table's schema, its key columns, and the column whose year partitions it (if any)."""

    name: str
    schema: pa.Schema
    keys: tuple[str, ...]
    partition_by_year: str | None = None
    patch: bool = False
    """When true, an upsert fills only the non-null fields of existing rows (multi-source reference data)."""


_D = pa.date32()
_F = pa.float64()
_S = pa.string()

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "instruments",
            pa.schema(
                [
                    ("code", _S),
                    ("name", _S),
                    ("kind", _S),
                    ("exchange", _S),
                    ("board", _S),
                    ("list_date", _D),
                    ("delist_date", _D),
                    ("industry", _S),
                    ("initials", _S),
                    ("source", _S),
                ]
            ),
            ("code",),
            patch=True,
        ),
        TableSpec(
            "daily_bars",
            pa.schema(
                [
                    ("code", _S),
                    ("date", _D),
                    ("open", _F),
                    ("high", _F),
                    ("low", _F),
                    ("close", _F),
                    ("preclose", _F),
                    ("volume", _F),
                    ("amount", _F),
                    ("turnover", _F),
                    ("is_st", pa.bool_()),
                    ("suspended", pa.bool_()),
                    ("adj_factor", _F),
                    ("pe_ttm", _F),
                    ("pb_mrq", _F),
                    ("ps_ttm", _F),
                    ("pcf_ttm", _F),
                    ("source", _S),
                ]
            ),
            ("code", "date"),
            partition_by_year="date",
        ),
        TableSpec(
            "vendor_adjusted_bars",
            pa.schema(
                [
                    ("code", _S),
                    ("date", _D),
                    ("adjust", _S),
                    ("open", _F),
                    ("high", _F),
                    ("low", _F),
                    ("close", _F),
                    ("volume", _F),
                    ("amount", _F),
                    ("source", _S),
                ]
            ),
            ("code", "date", "adjust"),
        ),
        TableSpec(
            "index_bars",
            pa.schema(
                [
                    ("code", _S),
                    ("date", _D),
                    ("open", _F),
                    ("high", _F),
                    ("low", _F),
                    ("close", _F),
                    ("volume", _F),
                    ("amount", _F),
                    ("source", _S),
                ]
            ),
            ("code", "date"),
        ),
        TableSpec(
            "index_membership",
            pa.schema([("index_code", _S), ("code", _S), ("date", _D), ("action", _S), ("source", _S)]),
            ("index_code", "code", "date"),
        ),
        TableSpec(
            "fundamentals",
            pa.schema(
                [
                    ("code", _S),
                    ("report_period", _D),
                    ("announce_date", _D),
                    ("field", _S),
                    ("value", _F),
                    ("source", _S),
                ]
            ),
            ("code", "report_period", "field", "source"),
        ),
        TableSpec(
            "funds",
            pa.schema([("code", _S), ("name", _S), ("fund_type", _S), ("initials", _S), ("source", _S)]),
            ("code",),
            patch=True,
        ),
        TableSpec(
            "fund_nav",
            pa.schema([("code", _S), ("date", _D), ("nav", _F), ("acc_nav", _F), ("daily_return", _F), ("source", _S)]),
            ("code", "date"),
        ),
        TableSpec(
            "minute_bars",
            pa.schema(
                [
                    ("code", _S),
                    ("ts", pa.timestamp("s")),
                    ("open", _F),
                    ("high", _F),
                    ("low", _F),
                    ("close", _F),
                    ("volume", _F),
                    ("amount", _F),
                    ("source", _S),
                ]
            ),
            ("code", "ts"),
            partition_by_year="ts",
        ),
        TableSpec(
            "capital_flow",
            pa.schema(
                [
                    ("code", _S),
                    ("date", _D),
                    ("threshold_set", _S),
                    ("class", _S),
                    ("buy_amount", _F),
                    ("sell_amount", _F),
                    ("net_amount", _F),
                    ("source", _S),
                ]
            ),
            ("code", "date", "threshold_set", "class"),
        ),
        # Dated classification snapshots (marketdata/industries.py): one row per code per system per snapshot day.
        TableSpec(
            "industry_classification",
            pa.schema(
                [
                    ("code", _S),
                    ("system", _S),
                    ("snapshot_date", _D),
                    ("industry_code", _S),
                    ("industry", _S),
                    ("date_basis", _S),
                    ("source", _S),
                ]
            ),
            ("code", "system", "snapshot_date"),
        ),
        TableSpec(
            "board_membership",
            pa.schema(
                [
                    ("board_code", _S),
                    ("board_name", _S),
                    ("code", _S),
                    ("snapshot_date", _D),
                    ("date_basis", _S),
                    ("source", _S),
                ]
            ),
            ("board_code", "code", "snapshot_date"),
        ),
        TableSpec(
            "st_periods",
            pa.schema([("code", _S), ("start", _D), ("end", _D), ("sessions", pa.int64()), ("source", _S)]),
            ("code", "start"),
        ),
        TableSpec(
            "series",
            pa.schema([("series", _S), ("date", _D), ("value", _F), ("source", _S)]),
            ("series", "date"),
        ),
        # -- news (marketdata/news/): one row per East Money article number; times are UTC instants (naive);
        # a patch table, so a copy of an item without a link (上市公司快讯) never erases the link another copy gave
        TableSpec(
            "news",
            pa.schema(
                [
                    ("id", _S),
                    ("published_at", pa.timestamp("s")),
                    ("title", _S),
                    ("content", _S),
                    ("publisher", _S),
                    ("url", _S),
                    ("listed", _S),
                    ("fetched_at", pa.timestamp("s")),
                    ("source", _S),
                ]
            ),
            ("id",),
            patch=True,
        ),
        # which stocks (kind "stock", key = code) and industries (kind "industry", key = the store's industry name)
        # an item names, and how it was recognised (``via``: code, name, listed, text, stock)
        TableSpec(
            "news_mentions",
            pa.schema([("news_id", _S), ("kind", _S), ("key", _S), ("name", _S), ("via", _S)]),
            ("news_id", "kind", "key"),
        ),
    )
}


def spec(name: str) -> TableSpec:
    """Look up a table by name with a helpful error."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(sorted(TABLES))}") from None
