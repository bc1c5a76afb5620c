"""The recommender: beats both baselines on a time split, filters by suitability with audit, explains every item,
handles cold start, and offers one non-personalised order for everyone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import numpy as np
import polars as pl
import pytest

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.compliance.suitability_service import SuitabilityService
from tandem.engagement.event_store import EVENT_ARROW_SCHEMA, events_to_table
from tandem.engagement.events import Channel, Event, EventType
from tandem.engagement.recommend import Candidate, Recommender, catalogue_candidates, non_personalised_order
from tandem.engagement.recommend_data import interactions
from tandem.engagement.recommend_train import EngagementRanker, evaluate_time_split
from tandem.engagement.simulate import Population, SimulationConfig, simulate
from tandem.marketdata.store import MarketStore


@pytest.fixture(scope="module")
def population(sample_store: MarketStore) -> Population:
    return simulate(sample_store, SimulationConfig(clients=1500, days=45, seed=11))


def split_time(population: Population, days_before_end: int) -> datetime:
    return datetime.combine(population.days[-days_before_end], time(0), UTC) - timedelta(hours=8)


@pytest.fixture(scope="module")
def fitted(population: Population) -> tuple[EngagementRanker, pl.DataFrame]:
    events = pl.from_arrow(population.events)
    assert isinstance(events, pl.DataFrame)
    until = split_time(population, 10)
    return EngagementRanker().fit(events, population.catalogue, until=until), events


def test_learned_ranker_beats_both_baselines_on_a_time_split(population: Population) -> None:
    events = pl.from_arrow(population.events)
    assert isinstance(events, pl.DataFrame)
    result = evaluate_time_split(events, population.catalogue, split_at=split_time(population, 10))
    assert result.clients > 1000
    assert result.learned_wins, result
    assert result.recent.recall > result.popularity.recall  # the baselines are real baselines


def recommender(ranker: EngagementRanker, population: Population) -> tuple[Recommender, MemoryAuditLog]:
    audit = MemoryAuditLog()
    names = dict(zip(population.catalogue.items["object_id"], population.catalogue.items["name"], strict=True))
    return Recommender(ranker=ranker, suitability=SuitabilityService(audit=audit), names=names), audit


def test_top10_respects_suitability_and_explains_every_item(
    fitted: tuple[EngagementRanker, pl.DataFrame], population: Population
) -> None:
    ranker, events = fitted
    rec, audit = recommender(ranker, population)
    candidates = catalogue_candidates(population.catalogue)
    clients = population.clients["client_id"].tolist()[:200]
    rows = interactions(events.filter(pl.col("client_id").is_in(clients)), population.catalogue)
    categories = {c: InvestorCategory.C2 for c in clients}
    categories[clients[1]] = None
    result = rec.top_k(candidates, client_ids=clients, rows=rows, categories=categories)
    assert all(len(v) == 10 for v in result.values())
    for cid, items in result.items():
        assert len({r.candidate.candidate_id for r in items}) == 10
        assert all(r.reason.render("zh") for r in items)
        assert [r.score for r in items] == sorted((r.score for r in items), reverse=True)
        for r in items:
            if r.candidate.risk is not None:
                assert cid != clients[1], "no products without a valid assessment"
                assert r.candidate.risk.rank <= 2
    assert {r.mode for v in result.values() for r in v} == {"personalised"}
    # every product a client was shown passed an audited "allowed" check; checks happen only for products reached
    all_checks = [e for e in audit.query(action="suitability.check")]
    assert all_checks and all(e.rule_version for e in all_checks)
    for cid, items in result.items():
        allowed = {e.detail["product"] for e in audit.query(subject=f"client:{cid}") if e.decision == "allowed"}  # type: ignore[index]
        assert {r.candidate.candidate_id for r in items if r.candidate.risk is not None} <= allowed
    products = [c for c in candidates if c.risk is not None]
    assert len(all_checks) < len(products) * len(clients)
    # the walk gives exactly what filtering the whole shelf first would give
    c0 = clients[0]
    full = rec.suitable(candidates, client_id=c0, category=InvestorCategory.C2)
    again = rec.top_k(full, client_ids=[c0], rows=rows, categories={c0: InvestorCategory.C2})
    assert [r.candidate for r in again[c0]] == [r.candidate for r in result[c0]]


def test_cold_start_from_questionnaire_then_first_views(
    fitted: tuple[EngagementRanker, pl.DataFrame], population: Population
) -> None:
    ranker, _ = fitted
    rec, _ = recommender(ranker, population)
    candidates = catalogue_candidates(population.catalogue)
    new_client = 42
    empty = pl.from_arrow(EVENT_ARROW_SCHEMA.empty_table())
    assert isinstance(empty, pl.DataFrame)
    nothing = interactions(empty, population.catalogue)
    cold = rec.top_k(candidates, client_ids=[new_client], rows=nothing, categories={new_client: InvestorCategory.C1})
    assert {r.mode for r in cold[new_client]} == {"cold_start"}
    assert "C1" in cold[new_client][0].reason.render("zh")
    assert all(r.candidate.risk in (None, ProductRisk.R1) for r in cold[new_client])
    # first views: a few briefs of one stock make the list personalised around it
    stock = population.catalogue.of_kind("stock")["object_id"].iloc[0]
    now = split_time(population, 1)
    first = [Event(str(uuid.uuid4()), new_client, EventType.BRIEF_READ, stock, {"dwell_ms": 90_000},
                   now - timedelta(minutes=i), now, "s", Channel.WEB) for i in range(3)]  # fmt: skip
    frame = pl.from_arrow(events_to_table(first))
    assert isinstance(frame, pl.DataFrame)
    rows = interactions(frame, population.catalogue, now=now)
    warm = rec.top_k(candidates, client_ids=[new_client], rows=rows, categories={new_client: InvestorCategory.C1})
    assert {r.mode for r in warm[new_client]} == {"personalised"}
    assert warm[new_client] != cold[new_client]
    assert any("浏览过" in r.reason.render("zh") or "关注过" in r.reason.render("zh") for r in warm[new_client])


def test_non_personalised_order_is_the_same_for_everyone(fitted: tuple[EngagementRanker, pl.DataFrame]) -> None:
    ranker, _ = fitted
    index = {item: i for i, item in enumerate(ranker.item_ids_)}
    candidates = [Candidate(f"course:{i}", "course", i, i) for i in ranker.item_ids_ if i.startswith("content:")]
    first = non_personalised_order(candidates, popularity=ranker.popularity_, index=index, k=5)
    again = non_personalised_order(list(reversed(candidates)), popularity=ranker.popularity_, index=index, k=5)
    assert first == again
    assert [r.score for r in first] == sorted((r.score for r in first), reverse=True)
    assert all(r.mode == "non_personalised" and "未使用您的个人信息" in r.reason.render("zh") for r in first)
    assert np.isclose(first[0].score, max(ranker.popularity_[index[c.item_id]] for c in candidates))


def test_a_product_candidate_needs_a_grade() -> None:
    with pytest.raises(ValueError, match="needs its risk grade"):
        Candidate("fund:x", "fund", "fund:x", "x")
    with pytest.raises(ValueError, match="source"):
        Candidate("x", "advert", "x", "x")
