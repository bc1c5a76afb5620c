"""The learned ranker trained from events, and the offline evaluation that decides whether it may ship.

:class:`EngagementRanker` = EASE item × item weights learned from the clients' interactions, plus two blend weights
(the client's own history, and how recent it is) and EASE's λ, chosen on a *validation* window carved from the end
of the training period — never on the test window. On the synthetic population the blend is what beats the
recent-interaction baseline: plain EASE cannot score an item from itself (zero diagonal), while clients here, as in
real apps, return to what they watch. ``evaluate_time_split`` runs it against both baselines on one time split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import product

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import sparse

from tandem.engagement.items import ItemCatalogue
from tandem.engagement.recommend_data import InteractionData, interactions, time_split
from tandem.engagement.recommend_eval import TopKResult, evaluate_topk
from tandem.engagement.recommend_models import EASERanker, PopularityRanker, RecentInteractionRanker

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Blend:
    """How much the client's own history and its recency add to the EASE score; ``regularization`` is EASE's λ."""

    regularization: float
    history: float
    recency: float


class EngagementRanker:
    """EASE plus a validated blend; also keeps popularity overall and per risk category for cold start."""

    def __init__(
        self,
        *,
        regularizations: tuple[float, ...] = (50.0, 250.0),
        history_grid: tuple[float, ...] = (0.0, 0.3, 1.0, 3.0),
        recency_grid: tuple[float, ...] = (0.0, 0.3, 1.0),
        validation_days: int = 14,
    ) -> None:
        self.regularizations = regularizations
        self.history_grid = history_grid
        self.recency_grid = recency_grid
        self.validation_days = validation_days

    def fit(self, events: pl.DataFrame, catalogue: ItemCatalogue, *, until: datetime) -> EngagementRanker:
        """Learn from events before ``until``: pick the blend on the last ``validation_days``, then refit on all."""
        past = events.filter(pl.col("client_time") < until)
        inner = time_split(past, catalogue, split_at=until - timedelta(days=self.validation_days))
        best, best_value = Blend(self.regularizations[0], 0.0, 0.0), -1.0
        for lam in self.regularizations:
            ease = EASERanker(regularization=lam).fit(inner.train.weights)
            for h, r in product(self.history_grid, self.recency_grid):
                blend = Blend(lam, h, r)
                result = evaluate_topk(_scorer(ease, inner.train, blend), test=inner.test, exclude=None)
                value = result.recall + result.ndcg
                if value > best_value:
                    best, best_value = blend, value
        self.blend_ = best
        self.data_ = interactions(past, catalogue, now=until)
        self.ease_ = EASERanker(regularization=best.regularization).fit(self.data_.weights)
        self.popularity_ = PopularityRanker().fit(self.data_.weights).popularity_
        self.category_popularity_ = _category_popularity(past, self.data_)
        self.item_ids_ = catalogue.ids
        return self

    def score_rows(self, weights: sparse.csr_matrix, recency: sparse.csr_matrix) -> Floats:
        """Scores for interaction rows (any clients, including ones unseen in training)."""
        base = self.ease_.scores_for(weights)
        out: Floats = base + self.blend_.history * weights.toarray() + self.blend_.recency * recency.toarray()
        return out

    def scores(self, users: Ints) -> Floats:
        """Scores for training rows (the evaluation's entry point)."""
        return self.score_rows(self.data_.weights[users], self.data_.recency[users])


def _scorer(ease: EASERanker, data: InteractionData, blend: Blend) -> Callable[[Ints], Floats]:
    def score(users: Ints) -> Floats:
        w, r = data.weights[users], data.recency[users]
        out: Floats = ease.scores_for(w) + blend.history * w.toarray() + blend.recency * r.toarray()
        return out

    return score


def _category_popularity(events: pl.DataFrame, data: InteractionData) -> dict[str, Floats]:
    """Distinct-client popularity of each item among clients of each risk category (cold-start prior)."""
    latest = (
        events.filter(pl.col("type") == "assessment_completed")
        .sort("client_time")
        .group_by("client_id")
        .agg(pl.col("properties").last().str.json_path_match("$.category").alias("category"))
    )
    out: dict[str, Floats] = {}
    binary = (data.weights > 0).astype(np.float64)
    for category, group in latest.group_by("category"):
        rows = np.flatnonzero(np.isin(data.clients, group["client_id"].to_numpy()))
        out[str(category[0])] = np.asarray(binary[rows].sum(axis=0), dtype=np.float64).ravel()
    return out


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One time split's figures for the learned ranker and both baselines."""

    split_at: datetime
    clients: int
    popularity: TopKResult
    recent: TopKResult
    learned: TopKResult
    blend: Blend

    @property
    def learned_wins(self) -> bool:
        """Whether the learned ranker beats both baselines on both metrics (the shipping condition)."""
        return all(
            self.learned.recall > b.recall and self.learned.ndcg > b.ndcg for b in (self.popularity, self.recent)
        )


def evaluate_time_split(
    events: pl.DataFrame, catalogue: ItemCatalogue, *, split_at: datetime, k: int = 10
) -> Evaluation:
    """Train everything on events before ``split_at`` and score the top ``k`` against what came after."""
    split = time_split(events, catalogue, split_at=split_at)
    learned = EngagementRanker().fit(events, catalogue, until=split_at)
    if not np.array_equal(learned.data_.clients, split.train.clients):
        raise RuntimeError("the ranker's rows and the split's rows differ; both must come from the same events")
    x = split.train.weights
    pop = PopularityRanker().fit(x)
    recent = RecentInteractionRanker().fit(x, split.train.recency)
    return Evaluation(
        split_at,
        int(np.diff(split.test.indptr).astype(bool).sum()),
        evaluate_topk(pop.scores, test=split.test, exclude=None, k=k),
        evaluate_topk(recent.scores, test=split.test, exclude=None, k=k),
        evaluate_topk(learned.scores, test=split.test, exclude=None, k=k),
        learned.blend_,
    )
