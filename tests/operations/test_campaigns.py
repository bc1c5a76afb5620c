from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from ops_fixtures import ev, store

from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import NotFoundError
from tandem.operations.campaigns import (
    AudienceMember,
    CampaignSpec,
    Segment,
    in_control,
    measure,
    push_candidates,
    select_audience,
)
from tandem.operations.content import ContentItem, InMemoryContent
from tandem.operations.errors import SegmentError
from tandem.operations.scan import EventScan
from tandem.operations.uplift import uplift

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _spec(**kw: object) -> CampaignSpec:
    args: dict[str, object] = {"code": "etf-week", "channel": "wecom", "target_step": "first_deposit",
                               "segment": Segment(stages=frozenset({"account_opened"})), "starts_at": START,
                               "ends_at": START + timedelta(days=7), "seed": 42, "control_share": 0.2}  # fmt: skip
    args.update(kw)
    return CampaignSpec(**args)  # type: ignore[arg-type]


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), Stat Med 17:873, table II example (a): 56/70 vs 48/80 → 0.2000, 95 % CI 0.0524 to 0.3339
    u = uplift(treated=70, treated_converted=56, control=80, control_converted=48, min_group=50)
    assert u.difference == pytest.approx(0.2)
    assert (u.low, u.high) == (pytest.approx(0.0524, abs=1e-4), pytest.approx(0.3339, abs=1e-4))
    assert u.warning is None and "Newcombe" in u.method


def test_small_samples_warn_and_bad_counts_are_refused() -> None:
    assert "too small" in (uplift(treated=40, treated_converted=4, control=10, control_converted=1).warning or "")
    assert "fewer than 5" in (uplift(treated=500, treated_converted=2, control=500, control_converted=9).warning or "")
    with pytest.raises(ValueError, match="impossible"):
        uplift(treated=10, treated_converted=11, control=10, control_converted=1)
    assert uplift(treated=0, treated_converted=0, control=5, control_converted=1).difference is None


def test_control_group_is_seeded_stable_and_per_campaign() -> None:
    spec = _spec()
    members = [AudienceMember(c, stage="account_opened") for c in range(5000)]
    a = select_audience(spec, members)
    b = select_audience(spec, list(reversed(members)) + members[:100])  # order and duplicates do not matter
    assert a == b
    assert 0.17 < len(a.control) / 5000 < 0.23
    assert not set(a.control) & set(a.treated)
    other = select_audience(_spec(code="spring-open"), members)
    assert set(other.control) != set(a.control)
    # a member's draw does not depend on who else is in the audience
    assert in_control(spec, a.control[0]) and select_audience(spec, members[:10]).control == tuple(
        c for c in a.control if c < 10
    )


def test_segment_conditions_and_bad_segments() -> None:
    seg = Segment(tags_all=frozenset({"etf"}), tiers=frozenset({"gold"}), min_active_days_30=3,
                  stages=frozenset({"account_opened"}))  # fmt: skip
    ok = AudienceMember(1, frozenset({"etf", "value"}), "gold", 5, "account_opened")
    assert seg.matches(ok)
    for wrong in (AudienceMember(2, frozenset({"value"}), "gold", 5, "account_opened"),
                  AudienceMember(3, frozenset({"etf"}), "standard", 5, "account_opened"),
                  AudienceMember(4, frozenset({"etf"}), "gold", 1, "account_opened"),
                  AudienceMember(5, frozenset({"etf"}), "gold", 5, "sign_up")):  # fmt: skip
        assert not seg.matches(wrong)
    with pytest.raises(SegmentError, match="not funnel steps"):
        Segment(stages=frozenset({"bought_a_yacht"}))


def test_candidates_carry_the_approved_content_and_its_risk_for_the_policy() -> None:
    library = InMemoryContent([ContentItem("etf-guide", 3, "ETF 入门", ProductRisk.R3)])
    with pytest.raises(NotFoundError, match="approved versions: \\[3\\]"):
        library.approved("etf-guide", 2)
    content = library.approved("etf-guide", 3)
    spec = _spec()
    audience = select_audience(spec, [AudienceMember(c, stage="account_opened") for c in range(50)])
    pushes = push_candidates(spec, audience, content, data_date=date(2026, 11, 2), body="了解 ETF")
    assert [int(p.client_id) for p in pushes] == list(audience.treated)  # the control group gets nothing
    assert {p.product_risk for p in pushes} == {ProductRisk.R3}
    assert {p.dedup_key for p in pushes} == {"campaign:etf-week:etf-guide:3"}


def test_measure_counts_target_step_per_group_once(tmp_path: Path) -> None:
    spec = _spec(control_share=0.5)
    audience = select_audience(spec, [AudienceMember(c, stage="account_opened") for c in range(40)])
    events = []
    for c in audience.treated[:10]:
        events += [ev(c, "first_deposit", START + timedelta(days=1)), ev(c, "first_deposit", START + timedelta(days=2))]
    for c in audience.control[:3]:
        events.append(ev(c, "first_deposit", START + timedelta(days=1)))
    events.append(ev(audience.control[4], "first_deposit", START - timedelta(days=1)))  # before the start
    events.append(ev(audience.control[5], "first_deposit", START + timedelta(days=20)))  # after the window
    store(tmp_path / "events", events)
    u = measure(EventScan(tmp_path / "events"), spec, audience)
    assert (u.treated_converted, u.control_converted) == (10, 3)
    assert u.warning is not None  # 40 clients cannot conclude anything
