"""Serving recommendations: candidates → suitability filter → ranking → top K, each item with its reason.

Candidates come from the caller (:class:`Candidate`): diagnosis changes and briefs, stock alerts (all about one
stock), courses, model strategies and funds. Products (funds, strategies) pass the audited suitability check of
:class:`tandem.compliance.suitability_service.SuitabilityService` first; only ``may_recommend`` products (grade at
or below the client's category) stay, and a client without a valid assessment gets no products at all.

Three orders, one per situation, every item carrying a "why am I seeing this" reason:

* personalised — the learned :class:`EngagementRanker` on the client's interaction row (works for a client unseen
  in training from their first views, since EASE scores any row);
* cold start — a new client with no views yet: what clients of the same risk category use most;
* :func:`non_personalised_order` — the same order for everyone, from overall popularity; no profile or history is
  read (the PIPL Art.24 / 算法推荐管理规定 Art.17 switch). Suitability still filters products out of it at
  delivery, since that is a legal duty and not personalisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.i18n import Message
from tandem.engagement.items import ItemCatalogue
from tandem.engagement.recommend_data import InteractionData
from tandem.engagement.recommend_train import EngagementRanker

Floats = npt.NDArray[np.float64]
SOURCES = ("diagnosis_change", "brief", "alert", "course", "strategy", "fund")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One thing that could be shown: ``item_id`` is the catalogue item it is about (a stock for an alert)."""

    candidate_id: str
    source: str
    item_id: str
    title: Message | str
    """What the client reads (a catalogue sentence; a plain string is shown as it is)."""
    risk: ProductRisk | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"candidate {self.candidate_id}: source {self.source!r} is not one of {SOURCES}")
        if self.source in ("strategy", "fund") and self.risk is None:
            raise ValueError(f"candidate {self.candidate_id}: a {self.source} is a product and needs its risk grade")


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One shown item, its score, the order it came from and the reason the client can read."""

    candidate: Candidate
    score: float
    mode: str
    reason: Message


class Recommender:
    """Ranks candidates for clients with a fitted :class:`EngagementRanker` (keyword-only arguments)."""

    def __init__(self, *, ranker: EngagementRanker, suitability: SuitabilityService, names: dict[str, str]) -> None:
        self._ranker = ranker
        self._suitability = suitability
        self._names = names
        self._index = {item: i for i, item in enumerate(ranker.item_ids_)}

    def suitable(
        self, candidates: Sequence[Candidate], *, client_id: int, category: InvestorCategory | None
    ) -> list[Candidate]:
        """Drop products the client may not be recommended; every product check is written to the audit log."""
        products = {c.candidate_id: c.risk for c in candidates if c.risk is not None}
        if category is None:
            return [c for c in candidates if c.risk is None]
        decisions = self._suitability.check_many(
            actor="engagement.recommend",
            client_id=str(client_id),
            category=category,
            products={k: v for k, v in products.items() if v is not None},
        )
        return [c for c in candidates if c.risk is None or decisions[c.candidate_id].may_recommend]

    def top_k(
        self,
        candidates: Sequence[Candidate],
        *,
        client_ids: Sequence[int],
        rows: InteractionData,
        categories: dict[int, InvestorCategory | None],
        k: int = 10,
    ) -> dict[int, list[Recommendation]]:
        """Top ``k`` per client: personalised from their row, cold start when they have none."""
        item_of = np.array([self._index.get(c.item_id, -1) for c in candidates])
        if (item_of < 0).any():
            missing = candidates[int(np.flatnonzero(item_of < 0)[0])]
            raise ValueError(
                f"candidate {missing.candidate_id}: item {missing.item_id} is not in the ranker's catalogue"
            )
        present = [(cid, rows.row_of(cid)) for cid in client_ids]
        known = [(cid, r) for cid, r in present if r is not None]
        scores: dict[int, Floats] = {}
        if known:
            idx = np.array([r for _, r in known])
            w, rec = rows.weights[idx], rows.recency[idx]
            full = self._ranker.score_rows(w, rec)
            has_history = np.diff(w.indptr) > 0
            for (cid, _), row, has in zip(known, full, has_history, strict=True):
                if has:
                    scores[cid] = row
        tie = np.arange(len(candidates))
        out: dict[int, list[Recommendation]] = {}
        for cid in client_ids:
            category = categories.get(cid)
            if cid in scores:
                row = scores[cid]
                order = np.lexsort((tie, -row[item_of]))
                chosen = self._select(candidates, order, client_id=cid, category=category, k=k)
                r = rows.row_of(cid)
                history = rows.weights[r]
                seen = dict(zip(history.indices.tolist(), history.data.tolist(), strict=True))
                out[cid] = [
                    Recommendation(
                        candidates[j], float(row[item_of[j]]), "personalised", self._because(item_of[j], seen)
                    )
                    for j in chosen
                ]
            else:
                out[cid] = self._cold(candidates, item_of, client_id=cid, category=category, k=k)
        return out

    def _select(
        self,
        candidates: Sequence[Candidate],
        order: npt.NDArray[np.int64],
        *,
        client_id: int,
        category: InvestorCategory | None,
        k: int,
    ) -> list[int]:
        """Walk the ranking and keep the first ``k`` allowed; products are checked (and audited) as they come up.

        Checking only the products the walk reaches gives the same list as filtering everything first, and keeps
        the audit to the checks that decided what the client saw (a few per client, not the whole shelf).
        """
        chosen: list[int] = []
        pos = 0
        while len(chosen) < k and pos < len(order):
            chunk = order[pos : pos + 2 * k]
            pos += len(chunk)
            products = {candidates[j].candidate_id: candidates[j].risk for j in chunk if candidates[j].risk is not None}
            decisions = (
                self._suitability.check_many(
                    actor="engagement.recommend",
                    client_id=str(client_id),
                    category=category,
                    products={key: risk for key, risk in products.items() if risk is not None},
                )
                if products and category is not None
                else {}
            )
            for j in chunk:
                c = candidates[j]
                if c.risk is None or (category is not None and decisions[c.candidate_id].may_recommend):
                    chosen.append(int(j))
                    if len(chosen) == k:
                        break
        return chosen

    def _because(self, item: int, seen: dict[int, float]) -> Message:
        item_id = self._ranker.item_ids_[item]
        if item in seen:
            return Message("rec.because.seen", {"name": self._names.get(item_id, item_id)})
        column = self._ranker.ease_.weights_[:, item]
        best = max(seen, key=lambda j: seen[j] * column[j]) if seen else None
        if best is not None and seen[best] * column[best] > 0:
            other = self._ranker.item_ids_[best]
            return Message("rec.because.similar", {"name": self._names.get(other, other)})
        return Message("rec.because.nearby")

    def _cold(
        self,
        candidates: Sequence[Candidate],
        item_of: npt.NDArray[np.int64],
        *,
        client_id: int,
        category: InvestorCategory | None,
        k: int,
    ) -> list[Recommendation]:
        prior = self._ranker.category_popularity_.get(category.value) if category is not None else None
        if prior is None or category is None:
            ordered = non_personalised_order(candidates, popularity=self._ranker.popularity_, index=self._index)
            position = {r.candidate.candidate_id: n for n, r in enumerate(ordered)}
            order = np.array([position[c.candidate_id] for c in candidates]).argsort()
            keep = self._select(candidates, order, client_id=client_id, category=category, k=k)
            return [ordered[position[candidates[j].candidate_id]] for j in keep]
        order = np.lexsort((np.arange(len(candidates)), -prior[item_of]))
        keep = self._select(candidates, order, client_id=client_id, category=category, k=k)
        reason = Message("rec.cold_start", {"category": category.value})
        return [Recommendation(candidates[j], float(prior[item_of[j]]), "cold_start", reason) for j in keep]


def non_personalised_order(
    candidates: Sequence[Candidate], *, popularity: Floats, index: dict[str, int], k: int | None = None
) -> list[Recommendation]:
    """The same order for everyone — overall popularity, ties by candidate id; uses no client data at all."""
    ranked = sorted(candidates, key=lambda c: (-popularity[index[c.item_id]], c.candidate_id))
    chosen = ranked if k is None else ranked[:k]
    reason = Message("rec.non_personalised")
    return [Recommendation(c, float(popularity[index[c.item_id]]), "non_personalised", reason) for c in chosen]


def catalogue_candidates(catalogue: ItemCatalogue) -> list[Candidate]:
    """The standing candidates: a brief for every stock, every course, every fund and model strategy."""
    out: list[Candidate] = []
    for oid, kind, name, risk in catalogue.items[["object_id", "kind", "name", "risk"]].itertuples(index=False):
        grade = ProductRisk(risk) if isinstance(risk, str) else None
        source = {"stock": "brief", "content": "course", "fund": "fund", "strategy": "strategy"}[kind]
        title = Message("rec.title.brief" if kind == "stock" else "rec.title", {"name": str(name)})
        out.append(Candidate(f"{source}:{oid}", source, oid, title, grade))
    return out
