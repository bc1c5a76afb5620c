"""Bad input gives a clear message or a partial diagnosis naming the missing dimensions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tandem.core.errors import NotFoundError, UserError
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore


def test_unknown_code(service: DiagnosisService) -> None:
    with pytest.raises(NotFoundError, match="no instrument 999999"):
        service.diagnose("999999.SH")


def test_date_before_first_bar(service: DiagnosisService) -> None:
    with pytest.raises(UserError, match="first bar is 2020-07-16"):
        service.diagnose("688981.SH", date(2019, 6, 1))


def test_no_fundamentals_gives_a_partial_diagnosis(tmp_path: Path, make_store: Callable[..., MarketStore]) -> None:
    store = make_store(tmp_path / "nofund", fund_until=date(2000, 1, 1))
    diag = DiagnosisService(store).diagnose("600519.SH", date(2023, 9, 1))
    missing = {d.key: d.missing for d in diag.dimensions if d.score is None}
    assert {"profitability", "growth", "health", "industry"} <= set(missing)
    assert all(missing.values())
    assert diag.composite.score is not None and "重新加权" in diag.composite.weights_note.render("zh")
    assert "未评分维度" in diag.brief.zh


def test_suspended_stock_names_the_unscored_dimensions(service: DiagnosisService) -> None:
    diag = service.diagnose("601127.SH", date(2020, 3, 12))
    assert any("suspended" in n for n in diag.notes)
    for key in ("technical", "capital_flow"):
        d = diag.dimension(key)
        assert d.score is None and d.missing is not None and "suspended" in d.missing


def test_non_trading_day_uses_the_last_session(service: DiagnosisService) -> None:
    diag = service.diagnose("600519.SH", date(2023, 9, 3))  # a Sunday
    assert diag.data_date == date(2023, 9, 1) and diag.notes
