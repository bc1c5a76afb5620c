"""The first one-code reads (a filtered Parquet scan) return exactly what the in-memory bar copy returns."""

from __future__ import annotations

import pandas as pd
import pytest

from tandem.core.errors import NotFoundError
from tandem.marketdata.store import COLD_READS_BEFORE_CACHE, MarketStore


def test_cold_reads_equal_warm_reads_for_every_code_and_adjustment(sample_store: MarketStore) -> None:
    warm = MarketStore.open(sample_store.root)
    warm.cross_section("2023-02-01")  # a many-code read builds the copy at once
    assert warm._bars is not None
    codes = list(warm._bars.codes)
    for i, code in enumerate(codes):
        cold = MarketStore.open(sample_store.root)
        for adjust in (None, "qfq", "hfq"):
            got = cold.daily_bars(code, "2021-01-01", "2023-06-30", adjust=adjust)
            want = warm.daily_bars(code, "2021-01-01", "2023-06-30", adjust=adjust)
            pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"{code} adjust={adjust}")
        if i == 0:
            assert cold._bars is None, "three reads of one code must not build the whole copy"


def test_the_copy_is_built_after_a_few_cold_reads(sample_store: MarketStore) -> None:
    store = MarketStore.open(sample_store.root)
    for _ in range(COLD_READS_BEFORE_CACHE):
        store.daily_bars("600519.SH")
    assert store._bars is None
    store.daily_bars("600519.SH")
    assert store._bars is not None


def test_an_unknown_code_still_names_a_suggestion_on_the_cold_path(sample_store: MarketStore) -> None:
    with pytest.raises(NotFoundError):
        MarketStore.open(sample_store.root).daily_bars("600520.SH")
