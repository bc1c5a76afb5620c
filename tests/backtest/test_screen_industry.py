"""The screener's industry filter and the diagnosis group peers by the same list: the one in force on the day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tandem.backtest.screener.evaluate import run_screen
from tandem.backtest.screener.sources import FrameScreenData, StoreScreenData
from tandem.backtest.screener.syntax import ScreenSyntaxError
from tandem.diagnosis.snapshot import load_snapshot
from tandem.marketdata.store import MarketStore

BOUNDARY = dt.date(2023, 8, 15)  # the Tushare 2023 list replaces the 2016 one on this day


def _days(store: MarketStore) -> list[dt.date]:
    sessions = store.trading_days(dt.date(2020, 6, 1), dt.date(2025, 4, 7))
    rng = np.random.default_rng(20261208)
    picked = sorted(rng.choice(len(sessions), size=4, replace=False).tolist())
    return [sessions[i] for i in picked] + [dt.date(2023, 8, 14), BOUNDARY]


def test_diagnosis_and_screener_agree_on_the_industry_for_random_code_days(sample_store: MarketStore) -> None:
    rng = np.random.default_rng(7)
    data = StoreScreenData(sample_store)
    checked = 0
    for day in _days(sample_store):
        ref = load_snapshot(sample_store, day, lookback_days=40).ref
        for code in rng.choice(sorted(ref.index), size=6, replace=False):
            industry = ref.at[code, "industry"]
            if industry is None:
                continue
            passed = run_screen("close > 0", day, data, industry=str(industry))
            assert set(passed["industry"]) == {industry}
            peers = set(ref.index[ref["industry"] == industry])
            assert set(passed["code"]) <= peers, (day, code, industry)
            bars = sample_store.cross_section(day, ["close", "suspended"]).set_index("code")
            traded = code in bars.index and not bool(bars.at[code, "suspended"])
            assert (code in set(passed["code"])) == traded, (day, code)
            checked += 1
    assert checked >= 20


def test_the_list_changes_on_its_own_day(sample_store: MarketStore) -> None:
    before = load_snapshot(sample_store, dt.date(2023, 8, 14), lookback_days=40).ref
    after = load_snapshot(sample_store, BOUNDARY, lookback_days=40).ref
    assert {str(d)[:10] for d in before["industry_snapshot"].dropna()} == {"2016-09-13"}
    assert {str(d)[:10] for d in after["industry_snapshot"].dropna()} == {"2023-08-15"}
    moved = [c for c in before.index if before.at[c, "industry"] != after.at[c, "industry"]]
    assert moved  # real reclassifications (or listings after 2016) show up from the new list's day on
    day = BOUNDARY
    for code in moved[:3]:
        new = after.at[code, "industry"]
        if new is not None:
            assert code in set(run_screen("close > 0", day, StoreScreenData(sample_store), industry=new)["code"])


def test_an_unknown_industry_is_an_error_with_a_hint(sample_store: MarketStore) -> None:
    with pytest.raises(ScreenSyntaxError, match=r"no industry '白 酒' .* did you mean 白酒\?"):
        run_screen("close > 0", dt.date(2024, 1, 2), StoreScreenData(sample_store), industry="白 酒")


def test_frame_sources_without_a_classification_say_so() -> None:
    import pandas as pd

    bars = pd.DataFrame({"code": ["600519.SH"], "date": [dt.date(2024, 1, 2)], "close": [1.0], "suspended": [0.0]})
    with pytest.raises(ScreenSyntaxError, match="no industry"):
        run_screen("close > 0", dt.date(2024, 1, 2), FrameScreenData(bars), industry="白酒")
