"""The service's per-process caches: one market table per session, one report per code and session, bounded, and
dropped when the store version changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from tandem.diagnosis.render.jsonout import to_dict
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

FRIDAY, SATURDAY, SUNDAY = date(2023, 9, 1), date(2023, 9, 2), date(2023, 9, 3)


def test_one_table_per_session_and_one_report_per_code(diag_store: MarketStore) -> None:
    service = DiagnosisService(diag_store)
    first = service.diagnose("600519.SH", FRIDAY)
    assert service.diagnose("600519.SH", FRIDAY) is first
    assert service.diagnose("600519", FRIDAY) is first  # any spelling of the code hits the same entry
    service.diagnose("600036.SH", FRIDAY)
    stats = service.cache_stats()
    assert stats["tables"].size == 1  # the market was scored once for both stocks
    assert stats["reports"].size == 2 and stats["reports"].hits == 2


def test_a_weekend_day_shares_the_friday_session(diag_store: MarketStore) -> None:
    service = DiagnosisService(diag_store)
    friday = service.diagnose("600036.SH", FRIDAY)
    for day in (SATURDAY, SUNDAY):
        weekend = service.diagnose("600036.SH", day)
        assert weekend.as_of == day and weekend.data_date == FRIDAY
        assert weekend.notes[0] == f"{day} is not a trading day in the store; data as of {FRIDAY}"
        assert weekend.dimensions == friday.dimensions and weekend.brief == friday.brief
    assert service.cache_stats()["reports"].size == 1 and service.cache_stats()["tables"].size == 1


def test_cached_and_fresh_reports_are_identical(diag_store: MarketStore, service: DiagnosisService) -> None:
    cached = to_dict(service.diagnose("300750.SZ", FRIDAY))
    cached_again = to_dict(service.diagnose("300750.SZ", FRIDAY))
    fresh = to_dict(DiagnosisService(diag_store).diagnose("300750.SZ", FRIDAY))
    assert cached == cached_again == fresh


def test_caches_are_bounded(diag_store: MarketStore) -> None:
    service = DiagnosisService(diag_store, max_days=1, max_reports=2)
    for code in ("600519.SH", "600036.SH", "300750.SZ"):
        service.diagnose(code, FRIDAY)
    service.diagnose("600519.SH", date(2023, 8, 31))
    stats = service.cache_stats()
    assert stats["reports"].size == 2 and stats["tables"].size == 1


def test_a_new_store_version_drops_the_caches(tmp_path: Path, make_store: Callable[..., MarketStore]) -> None:
    store = make_store(tmp_path / "v", bars_until=FRIDAY)
    service = DiagnosisService(store)
    before = service.diagnose("600519.SH")
    assert before.data_date == FRIDAY and service.cache_stats()["reports"].size == 1
    later = pl.read_parquet(Path(__file__).parent / "data" / "daily_bars.parquet").filter(pl.col("date") > FRIDAY)
    with store.versioned.transaction() as tx:
        tx.upsert("daily_bars", later)
    after = service.diagnose("600519.SH")
    assert after.data_date > FRIDAY  # the new version's last session, not the cached report
    assert service.cache_stats()["reports"].size == 1 and service.cache_stats()["tables"].size == 1
