"""The instrument frame is derived once per store version and shared through a file: a fresh process reads it
instead of scanning every daily bar, and gets exactly the frame it would have built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from tandem.marketdata.store import MarketStore


def _fresh_copy(sample_store: MarketStore, tmp_path: Path) -> MarketStore:
    root = tmp_path / "market"
    shutil.copytree(sample_store.root, root, ignore=shutil.ignore_patterns("derived"))
    return MarketStore.open(root)


def test_a_fresh_process_reads_the_stored_frame_equal_to_a_build(sample_store: MarketStore, tmp_path: Path) -> None:
    store = _fresh_copy(sample_store, tmp_path)
    built = store.instruments()
    (stored,) = (store.root / "derived").glob("instruments-*.arrow")
    assert str(store.current_version()) in stored.name
    again = MarketStore.open(store.root)
    reads: list[str] = []
    original = again.sql
    again.sql = lambda q, p=None: reads.append(q) or original(q, p)  # type: ignore[method-assign]
    pd.testing.assert_frame_equal(again.instruments(), built)
    assert not any("daily_bars" in q for q in reads)  # answered from the file, no scan of the bars
    pd.testing.assert_frame_equal(again.instruments("stock"), store.instruments("stock"))


def test_a_damaged_file_is_rebuilt(sample_store: MarketStore, tmp_path: Path) -> None:
    store = _fresh_copy(sample_store, tmp_path)
    built = store.instruments()
    (stored,) = (store.root / "derived").glob("instruments-*.arrow")
    stored.write_bytes(b"ARROW1 not really")
    pd.testing.assert_frame_equal(MarketStore.open(store.root).instruments(), built)
    pd.testing.assert_frame_equal(pd.read_feather(stored), built)  # rewritten whole


def test_an_unwritable_store_still_answers(sample_store: MarketStore, tmp_path: Path) -> None:
    store = _fresh_copy(sample_store, tmp_path)
    (store.root / "derived").write_text("a file where the folder should be")
    assert len(store.instruments()) == len(sample_store.instruments())
