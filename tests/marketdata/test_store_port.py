"""The store is a port: no SQL against its tables outside ``marketdata``, and it is safe to share between threads."""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import polars as pl

from tandem.marketdata.store import MarketStore
from tandem.marketdata.tables import TABLES

MARKET_TABLES = tuple(TABLES)

SRC = Path(__file__).resolve().parents[2] / "src" / "tandem"
SQL_CALL = re.compile(r"\.(sql|sql_polars)\(|\.con\(\)")
WEB_PENDING_MOVE: tuple[str, ...] = ()
"""Paths still allowed to call store SQL (issue 10 moved the domain out of web/ and emptied this list)."""
OWN_PARQUET_STORES = ("engagement/event_store.py",)
"""Modules that run DuckDB over their *own* Parquet files (the behaviour-event store), never the market store's
tables; checked below to name no market table."""


def test_no_store_sql_outside_marketdata() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("marketdata/") or rel.startswith(WEB_PENDING_MOVE):
            continue
        if rel in OWN_PARQUET_STORES:
            text = path.read_text(encoding="utf-8")
            named = [t for t in MARKET_TABLES if re.search(rf"\b{t}\b", text)]
            assert not named, f"{rel} queries its own files only, but names market tables {named}"
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL_CALL.search(line):
                offenders.append(f"{rel}:{no}: {line.strip()}")
    assert not offenders, "use a typed MarketStore method instead of SQL:\n" + "\n".join(offenders)


def test_the_grep_catches_a_planted_call() -> None:
    assert SQL_CALL.search('frame = store.sql("SELECT * FROM daily_bars")')
    assert SQL_CALL.search("con = store.con()")
    assert not SQL_CALL.search("store.fundamentals_asof(day)")


def _bars(close: float) -> pl.DataFrame:
    days = [date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10)]
    rows = [
        {"code": code, "date": d, "open": close, "high": close, "low": close, "close": close, "preclose": close,
         "volume": 1.0, "amount": 1.0, "turnover": 0.1, "is_st": False, "suspended": False, "adj_factor": 1.0,
         "pe_ttm": None, "pb_mrq": None, "ps_ttm": None, "pcf_ttm": None, "source": "synthetic-test"}
        for code in ("600000.SH", "600519.SH", "000001.SZ") for d in days
    ]  # fmt: skip
    return pl.DataFrame(rows, schema_overrides={c: pl.Float64 for c in ("pe_ttm", "pb_mrq", "ps_ttm", "pcf_ttm")})


def test_threads_read_one_consistent_version_while_an_import_swaps_it(tmp_path: Path) -> None:
    store = MarketStore.open(tmp_path / "market")
    with store.versioned.transaction() as tx:
        tx.upsert("daily_bars", _bars(1.0))
    errors: list[BaseException] = []
    seen: set[float] = set()
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                closes = store.daily_bars("600000.SH")["close"].to_numpy()
                section = store.cross_section("2024-01-05")["close"].to_numpy()
                assert len(closes) == 7 and len(set(closes.tolist())) == 1  # never a mix of two versions
                assert len(section) == 3 and len(set(section.tolist())) == 1
                assert len(store.instruments()) == 3
                assert len(store.bars_between(["600519.SH"], date(2024, 1, 1), date(2024, 1, 31), ["close"])) == 7
                seen.add(float(closes[0]))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    for k in range(2, 8):
        with store.versioned.transaction() as tx:
            tx.upsert("daily_bars", _bars(float(k)))
    stop.set()
    for t in readers:
        t.join(timeout=60)
    assert not errors, errors[0]
    assert store.daily_bars("600000.SH")["close"].iloc[0] == 7.0 and seen
