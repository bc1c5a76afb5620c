"""Whole-market batch: same scores as single diagnoses, stored atomically, day-over-day changes, Ray runner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tandem.compute import RayRunner
from tandem.core.errors import NotFoundError
from tandem.diagnosis.batch import diagnose_all
from tandem.diagnosis.results import load_scores, save_scores, score_changes, stored_days
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

D1, D2 = date(2025, 4, 3), date(2025, 4, 7)


def test_batch_matches_single_diagnoses(diag_store: MarketStore, service: DiagnosisService) -> None:
    steps: list[str] = []
    table = diagnose_all(diag_store, D2, progress=lambda step, done, total: steps.append(step))
    assert len(table.scores) == 14 and "done" in steps and len(steps) >= 10
    for code in ("600519.SH", "000625.SZ"):
        diag = service.diagnose(code, D2)
        assert diag.composite.score == round(table.composite.loc[code, "composite"])
        for d in diag.dimensions:
            expected = table.scores.loc[code, d.key]
            assert (d.score is None) == pd.isna(expected)


def test_results_are_stored_and_changes_ranked(diag_store: MarketStore, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        score_changes(tmp_path, D2)
    for day in (D1, D2):
        save_scores(tmp_path, diagnose_all(diag_store, day).summary(), day)
    assert stored_days(tmp_path) == [D1, D2]
    assert not list((tmp_path / "diagnosis").glob("*.tmp"))
    changes = score_changes(tmp_path, D2, top=5)
    assert len(changes) == 5
    assert changes["change"].abs().is_monotonic_decreasing
    now, before = load_scores(tmp_path, D2).set_index("code"), load_scores(tmp_path, D1).set_index("code")
    top = changes.iloc[0]
    assert top["change"] == pytest.approx(now.loc[top["code"], "composite"] - before.loc[top["code"], "composite"])


@pytest.mark.ray
def test_ray_runner_gives_the_same_scores(diag_store: MarketStore) -> None:
    pytest.importorskip("ray")
    with RayRunner(2) as ray:
        remote = diagnose_all(diag_store, D2, runner=ray)
    local = diagnose_all(diag_store, D2)
    pd.testing.assert_frame_equal(remote.scores.sort_index(), local.scores.sort_index())
    pd.testing.assert_frame_equal(remote.composite.sort_index(), local.composite.sort_index())
