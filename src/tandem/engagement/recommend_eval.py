"""Offline evaluation of rankers: Recall@K and NDCG@K with full ranking, the same code for every data set.

``evaluate_topk`` ranks every item for each test user, removes the items in ``exclude`` (the user's training
— and validation — items, as RecBole does when ``mode: full``), and compares the top K with the held-out set.
Definitions follow RecBole: recall@K = hits / |test items|; NDCG@K = DCG@K / IDCG@K with binary gains and
IDCG over ``min(|test items|, K)`` positions; both averaged over users that have test items.

``recbole_random_split`` reproduces RecBole's default split (``RS: [0.8, 0.1, 0.1]``, ``order: RO``,
``group_by: user``): per user, interactions shuffled and cut 8/1/1 with RecBole's rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TopKResult:
    """Averages over ``users`` evaluated users."""

    recall: float
    ndcg: float
    users: int
    k: int


def evaluate_topk(
    score: Callable[[Ints], Floats],
    *,
    test: sparse.csr_matrix,
    exclude: sparse.csr_matrix | None,
    k: int = 10,
    batch: int = 1024,
) -> TopKResult:
    """Score users with test items in batches, mask ``exclude``, and average recall and NDCG at ``k``."""
    test = sparse.csr_matrix(test)
    users = np.flatnonzero(np.diff(test.indptr) > 0).astype(np.int64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    recall_sum = ndcg_sum = 0.0
    for start in range(0, users.size, batch):
        chunk = users[start : start + batch]
        s = np.array(score(chunk), dtype=np.float64, copy=True)
        if exclude is not None:
            ex = sparse.csr_matrix(exclude[chunk])
            rows = np.repeat(np.arange(chunk.size), np.diff(ex.indptr))
            s[rows, ex.indices] = -np.inf
        top = np.argpartition(-s, kth=min(k, s.shape[1] - 1), axis=1)[:, :k]
        order = np.take_along_axis(s, top, axis=1).argsort(axis=1)[:, ::-1]
        top = np.take_along_axis(top, order, axis=1)
        truth = test[chunk]
        hits = np.asarray(truth[np.arange(chunk.size)[:, None], top].todense()) > 0
        n_true = np.diff(truth.indptr)
        recall_sum += float((hits.sum(axis=1) / n_true).sum())
        dcg = (hits * discounts).sum(axis=1)
        ideal = np.cumsum(discounts)[np.minimum(n_true, k) - 1]
        ndcg_sum += float((dcg / ideal).sum())
    n = max(users.size, 1)
    return TopKResult(recall_sum / n, ndcg_sum / n, int(users.size), k)


def recbole_random_split(
    users: Ints, items: Ints, *, seed: int, ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> tuple[Ints, Ints, Ints]:
    """Indices of the train / valid / test interactions, cut per user after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(users.size)
    order = order[np.argsort(users[order], kind="stable")]
    bounds = np.flatnonzero(np.diff(users[order])) + 1
    train, valid, test = [], [], []
    for group in np.split(order, bounds):
        cnt = _split_counts(group.size, ratios)
        train.append(group[: cnt[0]])
        valid.append(group[cnt[0] : cnt[0] + cnt[1]])
        test.append(group[cnt[0] + cnt[1] :])
    return np.concatenate(train), np.concatenate(valid), np.concatenate(test)


def _split_counts(total: int, ratios: tuple[float, float, float]) -> list[int]:
    """RecBole's ``_calcu_split_ids``: floor the later parts, give the rest to train, keep tiny groups fair."""
    cnt = [int(r * total) for r in ratios]
    cnt[0] = total - sum(cnt[1:])
    for i in range(1, len(ratios)):
        if cnt[0] <= 1:
            break
        if 0 < ratios[-i] * total < 1:
            cnt[-i] += 1
            cnt[0] -= 1
    return cnt


def matrix(users: Ints, items: Ints, shape: tuple[int, int], weights: Floats | None = None) -> sparse.csr_matrix:
    """CSR user × item matrix (duplicates summed)."""
    data = np.ones(users.size) if weights is None else weights
    m = sparse.csr_matrix((data, (users, items)), shape=shape)
    m.sum_duplicates()
    return m
