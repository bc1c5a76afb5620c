"""``tandem engagement simulate|train|evaluate`` run as a user would, and the ranker's save/load round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tandem.core.errors import UserError
from tandem.engagement.recommend_movielens import evaluate_movielens, load_recbole_inter
from tandem.engagement.recommend_store import load_ranker

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"
MOVIELENS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "recsys" / "ml-100k"
if not MOVIELENS.exists():  # worktrees sit one level deeper than the main checkout
    MOVIELENS = Path("/work/shared/data/recsys/ml-100k")


def tandem(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_simulate_train_evaluate(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert tandem(home, "engagement", "evaluate").returncode == 2  # nothing simulated yet: a clear user error
    assert tandem(home, "data", "import", str(SAMPLE)).returncode == 0
    sim = tandem(home, "engagement", "simulate", "--clients", "600", "--days", "35", "--seed", "5")
    assert sim.returncode == 0, sim.stderr
    assert "SYNTHETIC" in sim.stdout
    trained = tandem(home, "engagement", "train")
    assert trained.returncode == 0, trained.stderr
    ranker = load_ranker(home / "engagement" / "ranker.npz")
    assert ranker.ease_.weights_.shape == (len(ranker.item_ids_), len(ranker.item_ids_))
    assert set(ranker.category_popularity_) <= {"C1", "C2", "C3", "C4", "C5"}
    out = tandem(home, "engagement", "evaluate", "--test-days", "10", "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["synthetic"] is True
    assert [r["model"] for r in report["rows"]] == ["popularity", "recent interaction", "learned (EASE + blend)"]
    assert all(0 <= r["recall@10"] <= 1 for r in report["rows"])
    bad = tandem(home, "engagement", "evaluate", "--test-days", "30")
    assert bad.returncode == 2 and "too little training history" in bad.stderr


def test_load_ranker_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="engagement train"):
        load_ranker(tmp_path / "none.npz")


@pytest.mark.skipif(not MOVIELENS.exists(), reason="../shared/data/recsys/ml-100k is not beside the checkout")
def test_movielens_beats_recbole_bpr_under_its_protocol() -> None:
    data = load_recbole_inter(MOVIELENS)
    assert (data.n_users, data.n_items, data.users.size) == (943, 1682, 100_000)
    results = {r.model: r for r in evaluate_movielens(data, regularizations=(250.0, 500.0))}
    assert results["EASE"].recall >= 0.2368 and results["EASE"].ndcg >= 0.2768
    assert results["popularity"].recall < results["EASE"].recall
    assert np.isfinite(results["EASE"].train_seconds)
