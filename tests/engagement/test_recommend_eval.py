"""Offline metrics and RecBole's split, checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tandem.engagement.recommend_eval import _split_counts, evaluate_topk, matrix, recbole_random_split
from tandem.engagement.recommend_models import EASERanker, PopularityRanker, RecentInteractionRanker


def test_recall_and_ndcg_match_hand_computation() -> None:
    # user 0 ranks items 0 > 1 > 2 > 3; truth {1, 3}; k = 2 → one hit at rank 2
    scores = np.array([[4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 4.0]])
    test = matrix(np.array([0, 0, 1]), np.array([1, 3, 0]), (2, 4))
    result = evaluate_topk(lambda u: scores[u], test=test, exclude=None, k=2)
    ndcg0 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert result.recall == pytest.approx((0.5 + 0.0) / 2)
    assert result.ndcg == pytest.approx((ndcg0 + 0.0) / 2)
    # excluding item 0 for user 0 moves item 2 into the top 2 (no hit) and 3 stays out; item 1 is now first
    exclude = matrix(np.array([0]), np.array([0]), (2, 4))
    masked = evaluate_topk(lambda u: scores[u], test=test, exclude=exclude, k=2)
    assert masked.recall == pytest.approx(0.25)
    assert masked.ndcg == pytest.approx((1 / (1 + 1 / math.log2(3))) / 2)


def test_recbole_split_counts_and_disjoint_parts() -> None:
    assert _split_counts(20, (0.8, 0.1, 0.1)) == [16, 2, 2]
    assert _split_counts(5, (0.8, 0.1, 0.1)) == [3, 1, 1]
    assert _split_counts(1, (0.8, 0.1, 0.1)) == [1, 0, 0]
    users = np.repeat(np.arange(3), [20, 5, 10])
    items = np.arange(users.size)
    tr, va, te = recbole_random_split(users, items, seed=1)
    assert sorted(np.concatenate([tr, va, te]).tolist()) == list(range(users.size))
    assert np.bincount(users[te]).tolist() == [2, 1, 1]
    assert tr.tolist() != recbole_random_split(users, items, seed=2)[0].tolist()


def test_rankers_learn_the_obvious_pattern() -> None:
    # items 0 and 1 always go together; user 3 has seen 0 only
    x = matrix(np.array([0, 0, 1, 1, 2, 2, 3, 2]), np.array([0, 1, 0, 1, 2, 3, 0, 1]), (4, 4))
    ease = EASERanker(regularization=0.5).fit(x)
    assert int(np.argmax(np.where(x[3].toarray()[0] > 0, -np.inf, ease.scores(np.array([3]))[0]))) == 1
    assert PopularityRanker().fit(x).scores(np.array([0, 3])).tolist()[0] == [3.0, 3.0, 1.0, 1.0]
    recent = RecentInteractionRanker().fit(x, matrix(np.array([3]), np.array([0]), (4, 4)))
    assert int(np.argmax(recent.scores(np.array([3]))[0])) == 0
    with pytest.raises(ValueError, match="non-negative"):
        PopularityRanker().fit(matrix(np.array([0]), np.array([0]), (1, 1), np.array([-1.0])))
