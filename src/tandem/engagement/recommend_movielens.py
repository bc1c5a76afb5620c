"""MovieLens 100K in RecBole's atomic format, read from wherever the caller keeps it (never copied into the repo).

Used by the benchmark and the ``tandem engagement evaluate --movielens`` command to run the same evaluation code
as the synthetic population under RecBole's default protocol (every rating an implicit positive).
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.core.errors import UserError
from tandem.engagement.recommend_eval import evaluate_topk, matrix, recbole_random_split
from tandem.engagement.recommend_models import EASERanker, ImplicitALS, PopularityRanker

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Interactions:
    """Interactions as dense indices, with the id of each index kept for reporting."""

    users: Ints
    items: Ints
    timestamps: npt.NDArray[np.float64]
    n_users: int
    n_items: int


def load_recbole_inter(path: Path) -> Interactions:
    """Read a RecBole ``.inter`` file (``user_id:token item_id:token rating:float timestamp:float``), gz or not."""
    if path.is_dir():
        candidates = sorted(path.glob("*.inter.gz")) + sorted(path.glob("*.inter"))
        if not candidates:
            raise UserError(f"{path}: no .inter or .inter.gz file; point at the ml-100k folder of ../shared/data")
        path = candidates[0]
    if not path.exists():
        raise UserError(f"{path}: not found; the MovieLens file lives in ../shared/data/recsys/ml-100k/")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, sep="\t")
    frame.columns = [c.split(":")[0] for c in frame.columns]
    missing = {"user_id", "item_id", "timestamp"} - set(frame.columns)
    if missing:
        raise UserError(f"{path}:1: header lacks {sorted(missing)}; expected RecBole's atomic .inter columns")
    users, user_index = pd.factorize(frame["user_id"])
    items, item_index = pd.factorize(frame["item_id"])
    return Interactions(
        users.astype(np.int64),
        items.astype(np.int64),
        frame["timestamp"].to_numpy(dtype=np.float64),
        len(user_index),
        len(item_index),
    )


@dataclass(frozen=True, slots=True)
class MovieLensResult:
    """Test figures under RecBole's protocol, with the λ picked on the validation part and the training time."""

    model: str
    recall: float
    ndcg: float
    train_seconds: float
    chosen: str


def evaluate_movielens(
    data: Interactions,
    *,
    seed: int = 2020,
    regularizations: tuple[float, ...] = (100.0, 250.0, 500.0, 1000.0),
    als: ImplicitALS | None = None,
) -> list[MovieLensResult]:
    """Popularity, EASE (λ chosen on valid) and optionally ALS: fit on train, rank all items, mask train+valid."""
    tr, va, te = recbole_random_split(data.users, data.items, seed=seed)
    shape = (data.n_users, data.n_items)
    x_tr = matrix(data.users[tr], data.items[tr], shape)
    x_va = matrix(data.users[va], data.items[va], shape)
    x_te = matrix(data.users[te], data.items[te], shape)
    seen = x_tr + x_va
    out = []
    start = time.perf_counter()
    pop = PopularityRanker().fit(x_tr)
    r = evaluate_topk(pop.scores, test=x_te, exclude=seen)
    out.append(MovieLensResult("popularity", r.recall, r.ndcg, time.perf_counter() - start, ""))
    best: tuple[float, float] | None = None
    for lam in regularizations:
        v = evaluate_topk(EASERanker(regularization=lam).fit(x_tr).scores, test=x_va, exclude=x_tr)
        if best is None or v.recall + v.ndcg > best[1]:
            best = (lam, v.recall + v.ndcg)
    if best is None:
        raise UserError("give at least one EASE regularization to choose from")
    start = time.perf_counter()
    ease = EASERanker(regularization=best[0]).fit(x_tr)
    seconds = time.perf_counter() - start
    r = evaluate_topk(ease.scores, test=x_te, exclude=seen)
    out.append(MovieLensResult("EASE", r.recall, r.ndcg, seconds, f"λ={best[0]:g} (on valid)"))
    if als is not None:
        start = time.perf_counter()
        als.fit(x_tr)
        seconds = time.perf_counter() - start
        r = evaluate_topk(als.scores, test=x_te, exclude=seen)
        chosen = f"factors={als.factors}, λ={als.regularization:g}, α={als.alpha:g}, iters={als.iterations}"
        out.append(MovieLensResult("ALS", r.recall, r.ndcg, seconds, chosen))
    return out
