"""No lookahead: data that arrives after D (bars, reports, adjustment factors) never changes the diagnosis of D."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tandem.diagnosis.render.jsonout import to_dict
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

D = date(2023, 3, 15)  # 2022 annual and 2023 Q1 reports and two more years of bars arrive after D


@pytest.mark.parametrize("code", ["600519.SH", "000625.SZ", "688981.SH"])
def test_later_data_does_not_change_the_diagnosis(
    tmp_path: Path, make_store: Callable[..., MarketStore], diag_store: MarketStore, code: str
) -> None:
    cut = make_store(tmp_path / "cut", bars_until=D, fund_until=D)
    assert pd.Timestamp(cut.sql("SELECT max(date) AS d FROM daily_bars")["d"].iloc[0]).date() <= D
    full_bars = diag_store.sql("SELECT count(*) AS n FROM daily_bars WHERE date > ?", [D])["n"].iloc[0]
    full_reports = diag_store.sql("SELECT count(*) AS n FROM fundamentals WHERE announce_date > ?", [D])["n"].iloc[0]
    assert full_bars > 1000 and full_reports > 10  # the full store really holds later data

    before = to_dict(DiagnosisService(cut).diagnose(code, D))
    after = to_dict(DiagnosisService(diag_store).diagnose(code, D))
    assert json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True)


def test_adding_rows_to_the_same_store_keeps_the_result(tmp_path: Path, make_store: Callable[..., MarketStore]) -> None:
    import polars as pl

    store = make_store(tmp_path / "grow", bars_until=D, fund_until=D)
    service = DiagnosisService(store)
    before = to_dict(service.diagnose("600036.SH", D))
    data = Path(__file__).parent / "data"
    with store.versioned.transaction() as tx:
        tx.upsert("daily_bars", pl.read_parquet(data / "daily_bars.parquet").filter(pl.col("date") > D))
        tx.upsert("fundamentals", pl.read_parquet(data / "fundamentals.parquet").filter(pl.col("announce_date") > D))
    after = to_dict(service.diagnose("600036.SH", D))  # same service: the cache is keyed by store version
    assert before == after
    assert service.diagnose("600036.SH").data_date > D  # while the latest diagnosis does see the new data
