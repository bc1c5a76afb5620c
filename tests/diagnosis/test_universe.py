"""The diagnosis universe holds stocks only: ETFs and indices are refused with a message, never scored."""

from __future__ import annotations

import pytest

from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.universe import NotAStockError, stock_codes
from tandem.marketdata.store import MarketStore


def test_market_table_has_no_funds_or_etfs(sample_service: DiagnosisService, sample_store: MarketStore) -> None:
    table = sample_service.table()
    codes = set(table.scores.index)
    etfs = {"510300.SH", "512880.SH", "159915.SZ", "588000.SH", "511880.SH"}
    assert sample_store.sql("SELECT count(*) AS n FROM daily_bars WHERE code = '512880.SH'")["n"].iloc[0] > 0
    assert not codes & etfs
    assert codes == set(stock_codes(sample_store))
    assert len(codes) == 109  # 100 picked stocks and the 9 more of the ST history slice
    assert set(table.snapshot.ref["board"]) <= {"SSE_MAIN", "SZSE_MAIN", "CHINEXT", "STAR", "BSE"}


@pytest.mark.parametrize(
    ("code", "what"),
    [("510300.SH", "fund/ETF"), ("512880.SH", "fund/ETF"), ("159915.SZ", "fund/ETF"), ("000300.SH", "an index")],
)
def test_funds_and_indices_are_refused_clearly(sample_service: DiagnosisService, code: str, what: str) -> None:
    with pytest.raises(NotAStockError, match=f"{code}.* is .*{what}.*covers A-share stocks only, not funds, ETFs"):
        sample_service.diagnose(code)
