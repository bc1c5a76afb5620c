from pathlib import Path

import polars as pl

from tandem.marketdata.versioned import VersionedStore


def test_an_empty_upsert_into_an_empty_store_changes_nothing(tmp_path: Path) -> None:
    store = VersionedStore(tmp_path)
    with store.transaction() as tx:
        tx.upsert("fundamentals", pl.DataFrame(schema={"code": pl.String, "field": pl.String}))
    assert store.current_version() is None
    assert store.read("fundamentals").height == 0


def test_unchanged_partitions_are_shared_between_versions(tmp_path: Path) -> None:
    import datetime as dt

    store = VersionedStore(tmp_path)
    rows = pl.DataFrame(
        {"code": ["600519.SH"] * 2, "date": [dt.date(2020, 1, 2), dt.date(2021, 1, 4)], "close": [1.0, 2.0]}
    )
    with store.transaction() as tx:
        tx.upsert("daily_bars", rows)
    first = {p.name: p.stat().st_ino for p in store.files("daily_bars")}
    with store.transaction() as tx:
        tx.upsert("daily_bars", rows.filter(pl.col("date").dt.year() == 2021).with_columns(pl.lit(3.0).alias("close")))
    second = {p.name: p.stat().st_ino for p in store.files("daily_bars")}
    assert second["year=2020.parquet"] == first["year=2020.parquet"]  # hard-linked, not rewritten
    assert second["year=2021.parquet"] != first["year=2021.parquet"]
    assert store.read("daily_bars")["close"].to_list() == [1.0, 3.0]
