"""Scored market tables shared on disk: a process that finds the table maps it instead of scoring the market,
and gets exactly the report a process that scored it itself would write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tandem.diagnosis.scorers import Scorer
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.snapshot import Snapshot
from tandem.diagnosis.table import MarketTable
from tandem.diagnosis.table_files import TableFiles
from tandem.marketdata.store import MarketStore

FRIDAY = date(2023, 9, 1)
CODES = ("600519.SH", "600036.SH", "000001.SZ")


def _never_score(_snap: Snapshot, _scorers: Sequence[Scorer]) -> dict[str, pd.DataFrame]:
    raise AssertionError("the market was scored although its table was stored")


def _assert_tables_equal(a: MarketTable, b: MarketTable) -> None:
    assert a.tables.keys() == b.tables.keys()
    for key in a.tables:
        pd.testing.assert_frame_equal(a.tables[key], b.tables[key])
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.composite, b.composite)
    for f in fields(Snapshot):
        x, y = getattr(a.snapshot, f.name), getattr(b.snapshot, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y)
        else:
            assert x == y, f.name


def test_a_stored_table_is_the_table_that_was_built(diag_store: MarketStore, tmp_path: Path) -> None:
    files = TableFiles(tmp_path / "tables")
    built = DiagnosisService(diag_store, table_files=files).table(FRIDAY)
    loaded = DiagnosisService(diag_store, table_files=files, runner=_never_score).table(FRIDAY)
    assert loaded is not built
    _assert_tables_equal(built, loaded)


def test_a_fresh_process_reports_without_scoring_and_equals_a_private_build(
    diag_store: MarketStore, tmp_path: Path
) -> None:
    files = TableFiles(tmp_path / "tables")
    DiagnosisService(diag_store, table_files=files).table(FRIDAY)  # the first worker scores the day
    shared = DiagnosisService(diag_store, table_files=files, runner=_never_score)
    private = DiagnosisService(diag_store)
    for code in CODES:
        assert shared.diagnose(code, FRIDAY) == private.diagnose(code, FRIDAY)
    # a request is validated from the stored index, as without files
    assert shared.latest_day() == private.latest_day()


def test_a_new_store_version_is_scored_again_and_old_versions_are_pruned(make_store: object, tmp_path: Path) -> None:
    files = TableFiles(tmp_path / "tables", keep_versions=2)
    versions: list[str] = []
    for i in range(4):  # four imports, four versions (an upsert of the same rows would keep the version)
        store = make_store(tmp_path / f"market{i}")  # type: ignore[operator]
        versions.append(str(store.current_version()))
        scored: list[int] = []

        def counting(snap: Snapshot, scorers: Sequence[Scorer], scored: list[int] = scored) -> dict[str, pd.DataFrame]:
            scored.append(1)
            return {s.key: s.metrics(snap) for s in scorers}

        DiagnosisService(store, table_files=files, runner=counting).table(FRIDAY)
        assert scored == [1]  # an older version's table is never served for the new one
    assert len(set(versions)) == 4
    kept = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "tables").iterdir() if p.is_dir())
    assert kept == sorted(versions[-2:])


def test_a_damaged_file_is_rebuilt_not_trusted(diag_store: MarketStore, tmp_path: Path) -> None:
    files = TableFiles(tmp_path / "tables")
    built = DiagnosisService(diag_store, table_files=files).table(FRIDAY)
    (pickled,) = (tmp_path / "tables").rglob("frames.pickle")
    pickled.write_bytes(pickled.read_bytes()[:100])  # truncated, as by a crash of an older writer
    assert files.load(str(diag_store.current_version()), FRIDAY) is None
    again = DiagnosisService(diag_store, table_files=files).table(FRIDAY)
    _assert_tables_equal(built, again)
    assert files.load(str(diag_store.current_version()), FRIDAY) is not None  # rewritten


def test_an_unusable_folder_still_serves_every_request(diag_store: MarketStore, tmp_path: Path) -> None:
    blocked = tmp_path / "tables"
    blocked.write_text("a file where the folder should be")  # mkdir fails, as on a read-only or full disk
    shared = DiagnosisService(diag_store, table_files=TableFiles(blocked))
    assert shared.diagnose("600519.SH", FRIDAY) == DiagnosisService(diag_store).diagnose("600519.SH", FRIDAY)
    assert blocked.read_text() == "a file where the folder should be"


def test_a_write_failure_after_scoring_returns_the_scored_table(
    diag_store: MarketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tandem.diagnosis.table_files as tf

    def disk_full(_folder: Path, _table: MarketTable) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tf, "_write_table", disk_full)
    files = TableFiles(tmp_path / "tables")
    table = DiagnosisService(diag_store, table_files=files).table(FRIDAY)
    assert table.composite["composite"].notna().any()
    assert files.load(str(diag_store.current_version()), FRIDAY) is None
