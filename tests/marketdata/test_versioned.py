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


def test_strictly_sorted_needs_increasing_unique_non_null_keys() -> None:
    import datetime as dt

    from tandem.marketdata.versioned import strictly_sorted

    d1, d2 = dt.date(2020, 1, 2), dt.date(2020, 1, 3)
    frame = pl.DataFrame({"code": ["000001.SZ", "000001.SZ", "600519.SH"], "date": [d1, d2, d1]})
    assert strictly_sorted(frame, ["code", "date"])
    assert not strictly_sorted(frame.reverse(), ["code", "date"])
    assert not strictly_sorted(pl.concat([frame.head(1), frame.head(1)]), ["code", "date"])  # duplicate key
    assert not strictly_sorted(frame.with_columns(pl.lit(None, pl.Date).alias("date")), ["code", "date"])


def test_upserts_in_any_order_land_sorted_and_later_rows_win(tmp_path: Path) -> None:
    """The sorted fast path and the general merge give the same table."""
    import datetime as dt

    days = [dt.date(2020, 1, 2), dt.date(2020, 1, 3), dt.date(2021, 1, 4)]
    codes = ["600519.SH"] * 3 + ["000001.SZ"] * 3
    rows = pl.DataFrame({"code": codes, "date": days * 2, "close": [1.0, 2, 3, 4, 5, 6]})
    fixed = rows.head(1).with_columns(pl.lit(9.0).alias("close"))
    stores = []
    for name, batches in (("sorted", [rows.sort("code", "date")]), ("shuffled", [rows.reverse(), fixed])):
        store = VersionedStore(tmp_path / name)
        with store.transaction() as tx:
            for b in batches:
                tx.upsert("daily_bars", b)
        stores.append(store.read("daily_bars").select("code", "date", "close"))
    # year partitions in order, each sorted by (code, date)
    assert stores[0].get_column("code").to_list() == ["000001.SZ"] * 2 + ["600519.SH"] * 2 + ["000001.SZ", "600519.SH"]
    assert stores[1].get_column("close").to_list() == [4.0, 5, 9, 2, 6, 3]
    assert stores[0].equals(stores[1].with_columns(pl.col("close").replace(9.0, 1.0)))


def test_current_version_sees_another_process_swap_current(tmp_path: Path) -> None:
    """The version is remembered per file identity: a swap by ``os.replace`` (as every writer does) is seen at once."""
    import os

    store = VersionedStore(tmp_path)
    assert store.current_version() is None
    for vid in ("v-aaaa", "v-bbbb", "v-cccc"):  # same length each time: the size alone would not tell them apart
        tmp = tmp_path / "CURRENT.tmp"
        tmp.write_text(vid + "\n", encoding="utf-8")
        os.replace(tmp, tmp_path / "CURRENT")
        assert store.current_version() == vid
        assert store.current_version() == vid
    (tmp_path / "CURRENT").unlink()
    assert store.current_version() is None
