"""为你推荐 on the 资讯 tab: candidates ranked by the client's own interest tags, or one order for everyone.

Personalised, an item scores the sum of the client's tag scores over the tags it carries (its industry, board and
styles; the product kind is left out, it says nothing about taste), and its reason names the strongest of those
tags — the same tags the client sees on 我的 with their why-lines and can delete, so deleting a tag changes what
is suggested at once. Slots the tags cannot fill, a client with no tags yet, and everyone who switched
personalisation off get :func:`~tandem.engagement.recommend.non_personalised_order`: overall popularity from the
trained ranker when one is saved (``tandem engagement train``), else the catalogue's fixed order — the same list
for every client, reading no profile or history. Products (funds, strategies) pass the caller's suitability
filter in every mode: that is a legal duty, not personalisation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.engagement.items import ItemCatalogue
from tandem.engagement.profile_service import ClientProfile
from tandem.engagement.profiles import item_tags, tag_label
from tandem.engagement.recommend import Candidate, catalogue_candidates, non_personalised_order
from tandem.engagement.recommend_train import EngagementRanker

Floats = npt.NDArray[np.float64]
Suitable = Callable[[Sequence[Candidate]], list[Candidate]]


@dataclass(frozen=True, slots=True)
class ForYouItem:
    """One suggestion: what it is, the order it came from and its reason as a catalogue key with arguments."""

    candidate: Candidate
    mode: str
    reason_key: str
    reason_args: Mapping[str, str] = field(default_factory=dict)


class ForYou:
    """Builds 为你推荐 over one item catalogue (keyword-only arguments)."""

    def __init__(self, *, catalogue: ItemCatalogue, popularity: Floats | None = None) -> None:
        self._candidates = catalogue_candidates(catalogue)
        self._index = {item: i for i, item in enumerate(catalogue.ids)}
        if popularity is not None and popularity.shape != (len(self._index),):
            raise ValueError(
                f"popularity has {popularity.shape[0]} items but the catalogue {len(self._index)}; retrain the ranker"
            )
        self._popularity = popularity if popularity is not None else np.zeros(len(self._index))
        tags = item_tags(catalogue)
        taste = tags.filter(~tags["tag"].str.starts_with("product:"))
        self._tags: dict[str, list[str]] = {}
        for oid, tag in taste.iter_rows():
            self._tags.setdefault(oid, []).append(tag)

    def generic(self, *, suitable: Suitable, k: int) -> list[ForYouItem]:
        """The same ``k`` suggestions for everyone (after the suitability filter)."""
        ordered = non_personalised_order(
            suitable(self._candidates), popularity=self._popularity, index=self._index, k=k
        )
        return [ForYouItem(r.candidate, "non_personalised", "foryou.generic") for r in ordered]

    def personalised(self, profile: ClientProfile, *, suitable: Suitable, k: int) -> list[ForYouItem]:
        """Top ``k`` by the client's tags, each with its strongest tag as reason; the rest from the generic order."""
        scores = {t.key: t.score for t in profile.tags if not t.key.startswith("product:")}
        ranked: list[tuple[float, str, Candidate, str]] = []
        for c in self._candidates:
            mine = [(scores[tag], tag) for tag in self._tags.get(c.item_id, ()) if tag in scores]
            if mine:
                best = max(mine)
                ranked.append((-sum(s for s, _ in mine), c.candidate_id, c, best[1]))
        ranked.sort(key=lambda r: (r[0], r[1]))
        allowed = {c.candidate_id for c in suitable([r[2] for r in ranked[: 4 * k]])}
        out = [
            ForYouItem(c, "personalised", "foryou.because_tag", {"label": tag_label(tag)})
            for _, cid, c, tag in ranked[: 4 * k]
            if cid in allowed
        ][:k]
        if len(out) < k:
            taken = {i.candidate.candidate_id for i in out}
            out.extend(
                i for i in self.generic(suitable=suitable, k=k + len(out)) if i.candidate.candidate_id not in taken
            )
        return out[:k]

    def for_client(
        self, profile: ClientProfile | None, *, personalised: bool, suitable: Suitable, k: int = 6
    ) -> list[ForYouItem]:
        """What the 资讯 tab shows: personalised when allowed and the client has tags, else the generic order."""
        if not personalised or profile is None or not profile.tags:
            return self.generic(suitable=suitable, k=k)
        return self.personalised(profile, suitable=suitable, k=k)


def suitability_filter(service: SuitabilityService, *, client_id: int, category: InvestorCategory | None) -> Suitable:
    """Keep information (briefs, courses) and only the products the client may be recommended (audited checks).

    Without a valid assessment (``category`` None) no product is suggested at all.
    """

    def keep(candidates: Sequence[Candidate]) -> list[Candidate]:
        products = {c.candidate_id: c.risk for c in candidates if c.risk is not None}
        if not products:
            return list(candidates)
        if category is None:
            return [c for c in candidates if c.risk is None]
        decisions = service.check_many(
            actor="engagement.foryou",
            client_id=str(client_id),
            category=category,
            products={key: risk for key, risk in products.items() if risk is not None},
        )
        return [c for c in candidates if c.risk is None or decisions[c.candidate_id].may_recommend]

    return keep


def ranker_popularity(catalogue: ItemCatalogue, ranker: EngagementRanker) -> Floats:
    """The trained ranker's overall popularity, laid out on ``catalogue`` (items it never saw count 0).

    The ranker may have been trained on an older catalogue (a stock listed since); matching by item id keeps the
    generic order usable without retraining.
    """
    known = dict(zip(ranker.item_ids_, ranker.popularity_.tolist(), strict=True))
    return np.array([known.get(item, 0.0) for item in catalogue.ids], dtype=np.float64)
