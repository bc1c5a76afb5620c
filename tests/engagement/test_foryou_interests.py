"""为你推荐 and the interest push: both read the client's tags, both stop when personalisation is off."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest
from delivery_fixtures import policy

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.engagement.delivery.policy import PushHistory
from tandem.engagement.delivery.records import Basis, ClientContext, Reason
from tandem.engagement.foryou import ForYou, suitability_filter
from tandem.engagement.items import ItemCatalogue, build_items
from tandem.engagement.profile_service import ClientProfile, Tag
from tandem.engagement.profile_why import tag_evidence
from tandem.engagement.profiles import item_tags
from tandem.engagement.triggers.interests import interest_candidates, stock_tags
from tandem.engagement.triggers.records import Mover
from tandem.marketdata.store import MarketStore


@pytest.fixture(scope="module")
def catalogue(sample_store: MarketStore) -> ItemCatalogue:
    return build_items(sample_store, as_of=date.fromisoformat(str(sample_store.info()["last_date"])))


def profile(client_id: int, *tags: tuple[str, float]) -> ClientProfile:
    total = sum(s for _, s in tags) or 1.0
    return ClientProfile(client_id, tuple(Tag(k, k, s, s / total) for k, s in tags), "中", None, None, None)


def no_products(candidates: object) -> list[object]:
    return [c for c in candidates if c.risk is None]  # type: ignore[attr-defined]


def test_generic_order_is_the_same_for_everyone_and_follows_popularity(catalogue: ItemCatalogue) -> None:
    flat = ForYou(catalogue=catalogue)
    a = flat.for_client(profile(1, ("board:CHINEXT", 5.0)), personalised=False, suitable=no_products)
    b = flat.for_client(None, personalised=True, suitable=no_products)
    assert [i.candidate for i in a] == [i.candidate for i in b]
    assert {i.mode for i in a} == {"non_personalised"} and {i.reason_key for i in a} == {"foryou.generic"}
    popular = np.zeros(len(catalogue.ids))
    star = catalogue.ids.index("600519.SH")
    popular[star] = 9.0
    assert ForYou(catalogue=catalogue, popularity=popular).generic(suitable=no_products, k=3)[0].candidate.item_id == (
        "600519.SH"
    )
    with pytest.raises(ValueError, match="retrain the ranker"):
        ForYou(catalogue=catalogue, popularity=np.zeros(3))


def test_personalised_ranks_by_the_clients_tags_and_says_which(catalogue: ItemCatalogue) -> None:
    fy = ForYou(catalogue=catalogue)
    mine = fy.for_client(
        profile(1, ("board:CHINEXT", 6.0), ("product:stock", 9.0)), personalised=True, suitable=no_products, k=6
    )
    boards = dict(zip(catalogue.items["object_id"], catalogue.items["board"], strict=True))
    assert all(boards[i.candidate.item_id] == "CHINEXT" for i in mine)
    assert {(i.mode, i.reason_key, i.reason_args["label"]) for i in mine} == {
        ("personalised", "foryou.because_tag", "创业板")
    }
    # a client whose only tag is the product kind has no taste to rank by: everyone's order fills the list
    assert {i.mode for i in fy.for_client(profile(2, ("product:stock", 3.0)), personalised=True,
                                          suitable=no_products)} == {"non_personalised"}  # fmt: skip


def test_products_only_within_the_clients_level_with_audit(catalogue: ItemCatalogue) -> None:
    audit = MemoryAuditLog()
    svc = SuitabilityService(audit=audit)
    fy = ForYou(catalogue=catalogue)
    prof = profile(7, ("style:价值", 4.0))
    none = fy.for_client(prof, personalised=True, suitable=suitability_filter(svc, client_id=7, category=None), k=30)
    assert all(i.candidate.risk is None for i in none)
    c1 = fy.generic(suitable=suitability_filter(svc, client_id=7, category=InvestorCategory.C1), k=200)
    risks = {i.candidate.risk.value for i in c1 if i.candidate.risk is not None}
    assert risks and risks <= {"R1"}
    assert audit.query(subject="client:7")


def _mover(code: str, name: str) -> Mover:
    return Mover(code, name, date(2025, 4, 7), "limit_down_hit", {})


def test_interest_push_names_unfollowed_movers_under_the_strongest_tag(catalogue: ItemCatalogue) -> None:
    tags = stock_tags(catalogue)
    assert "board:CHINEXT" in tags["300750.SZ"]
    movers = [_mover("300750.SZ", "宁德时代"), _mover("300014.SZ", "亿纬锂能"), _mover("600519.SH", "贵州茅台")]
    profiles = {
        "1": profile(1, ("board:CHINEXT", 5.0), ("industry:白酒Ⅱ", 1.0)),
        "2": profile(2, ("style:价值", 5.0)),  # no board or industry interest: nothing inferred to push
    }
    cands = interest_candidates(movers, profiles=profiles, stock_tags=tags, followed={"1": frozenset({"300014.SZ"})})
    assert len(cands) == 1
    c = cands[0]
    assert (c.client_id, c.category, c.basis, c.rule) == ("1", "recommendation", Basis.PROFILE, "interest_movers/v1")
    assert "宁德时代" in c.body and "亿纬锂能" not in c.body and "创业板" in c.title
    assert c.evidence["tag"] == "board:CHINEXT" and c.source_events == ("session:2025-04-07", "profile:board:CHINEXT")
    now = datetime(2025, 4, 7, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai, outside quiet hours
    on = policy().decide(candidates=cands, clients={"1": ClientContext("1", None)}, history=PushHistory(), now=now)
    off = policy().decide(
        candidates=cands, clients={"1": ClientContext("1", None, personalised=False)}, history=PushHistory(), now=now
    )
    assert on[0].enqueued and off[0].reason is Reason.PERSONALISATION_OFF


def test_why_lines_cite_only_evidence_after_a_deletion(catalogue: ItemCatalogue) -> None:
    def ev(kind: str, obj: str, day: int) -> tuple[int, str, str, datetime]:
        return (1, kind, obj, datetime(2025, 4, day, tzinfo=UTC))

    events = pl.DataFrame(
        [ev("stock_view", "300750.SZ", 1), ev("stock_view", "300014.SZ", 2), ev("watchlist_add", "300750.SZ", 5),
         ev("watchlist_remove", "300750.SZ", 6)],
        schema={"client_id": pl.Int64, "type": pl.String, "object_id": pl.String,
                "client_time": pl.Datetime("us", "UTC")},
        orient="row",
    )  # fmt: skip
    names = dict(zip(catalogue.items["object_id"], catalogue.items["name"], strict=True))
    none = pl.DataFrame(schema={"tag": pl.String, "deleted_at": pl.Datetime("us", "UTC")})
    got = tag_evidence(events, item_tags=item_tags(catalogue), names=names, suppressions=none, tags=["board:CHINEXT"])
    assert got["board:CHINEXT"].acts == (("stock_view", 2), ("watchlist_add", 1))  # removals are no reason
    assert got["board:CHINEXT"].examples[0] == names["300750.SZ"]
    deleted = pl.DataFrame({"tag": ["board:CHINEXT"], "deleted_at": [datetime(2025, 4, 3, tzinfo=UTC)]})
    after = tag_evidence(
        events, item_tags=item_tags(catalogue), names=names, suppressions=deleted, tags=["board:CHINEXT"]
    )
    assert after["board:CHINEXT"].acts == (("watchlist_add", 1),)
