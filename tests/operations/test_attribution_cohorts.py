from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from ops_fixtures import T, ev, link, store
from ops_reference import attribution as ref_attribution
from ops_reference import cohort_sizes_and_week1, funnel_counts, load

from tandem.operations.attribution import attribution
from tandem.operations.cohorts import cohorts
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.scan import EventScan, Period
from tandem.operations.simulate import AcquisitionConfig, write_acquisition

H = timedelta(hours=1)
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8))
THS = link("ths001", "partner_app", "ths")
WX = link("wx0001", "wechat")
SE = link("se0001", "search")
VID = link("vid001", "video")


@pytest.fixture
def touches(tmp_path: Path) -> EventScan:
    dup = ev(3, "landing", T - 2 * H, WX)
    events = [
        # A: ths, wechat, wechat reload 10 min later (same touch), search → deposit
        ev(1, "landing", T - 50 * H, THS), ev(1, "landing", T - 20 * H, WX),
        ev(1, "landing", T - 20 * H + timedelta(minutes=10), WX), ev(1, "landing", T - 5 * H, SE),
        ev(1, "first_deposit", T),
        # B: one video touch; a touch 40 days earlier is outside the 30-day lookback
        ev(2, "landing", T - timedelta(days=40), THS), ev(2, "landing", T - H, VID), ev(2, "first_deposit", T),
        # C: wechat (replayed into another day partition: same id), then video; deposit twice (first counts)
        dup, ev(3, "landing", T - H, VID), ev(3, "first_deposit", T), ev(3, "first_deposit", T + 30 * H),
        # D: converted with no touch at all; E: touched, never converted
        ev(4, "first_deposit", T), ev(5, "landing", T, THS),
    ]  # fmt: skip
    store(tmp_path / "events", events)
    store(tmp_path / "events", [dup._replace(client_time=T + timedelta(days=1))])
    return EventScan(tmp_path / "events")


def test_hand_computed_attribution(touches: EventScan) -> None:
    res = attribution(touches, period=WEEK, dimension="source")
    assert (res.conversions, res.unattributed) == (4, 1)
    rows = {r.value: r for r in res.rows}
    assert rows["partner_app"].first_touch == 1 and rows["partner_app"].last_touch == 0
    assert rows["partner_app"].position == pytest.approx(0.4)
    assert rows["wechat"].first_touch == 1 and rows["wechat"].position == pytest.approx(0.2 + 0.5)
    assert rows["search"].last_touch == 1 and rows["search"].position == pytest.approx(0.4)
    assert rows["video"].first_touch == 1 and rows["video"].last_touch == 2
    assert rows["video"].position == pytest.approx(1.5)
    for model in ("first_touch", "last_touch", "position"):
        assert sum(getattr(r, model) for r in res.rows) == pytest.approx(3)  # one credit per attributed conversion
    assert ref_attribution(load(touches.root), WEEK.start, WEEK.end, "source")[:2] == (4, 1)


def test_attribution_refuses_unknown_dimension(touches: EventScan) -> None:
    with pytest.raises(ValueError, match="dimension"):
        attribution(touches, period=WEEK, dimension="client_id")
    with pytest.raises(ValueError, match="after landing"):
        attribution(touches, period=WEEK, target="landing")


def test_hand_computed_cohorts(tmp_path: Path) -> None:
    events = [
        ev(1, "account_opened", T), ev(1, "page_view", T + H, {"path": "/"}),
        ev(1, "page_view", T + 2 * H, {"path": "/"}),
        ev(1, "holding_changed", T + timedelta(days=8)),
        ev(2, "account_opened", T + 24 * H), ev(2, "first_trade", T + timedelta(days=15)),
        ev(3, "account_opened", T + timedelta(days=7)),  # next week's cohort
    ]  # fmt: skip
    store(tmp_path / "events", events)
    rows = cohorts(EventScan(tmp_path / "events"), period=Period(date(2026, 10, 26), date(2026, 11, 15)), weeks=2,
                   as_of=date(2026, 11, 17))  # fmt: skip
    first, second = rows
    assert (first.week, first.size) == (date(2026, 11, 2), 2)
    assert first.active == (0.5, 0.5, 0.5)  # week 0: client 1 (twice, once counted); 1: client 1; 2: client 2
    assert first.trading == (0.0, 0.5, 0.5)
    assert (second.week, second.size) == (date(2026, 11, 9), 1)
    assert second.active == (0.0, 0.0, None)  # week 2 starts 11-23, after as_of: not observed, not zero


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> EventScan:
    root = tmp_path_factory.mktemp("ops-syn")
    manifest = write_acquisition(AcquisitionConfig(visitors=4000, days=42, seed=7), root)
    assert manifest["synthetic"] is True
    return EventScan(root / "events")


def test_synthetic_population_matches_the_reference(synthetic: EventScan) -> None:
    rows = load(synthetic.root)
    period = Period(date(2026, 10, 20), date(2026, 11, 30))
    for kwargs in ({}, {"partner": "ths"}, {"source": "video"}, {"campaign": "etf-week"}):
        sql = funnel(synthetic, FunnelQuery(period=period, **kwargs))
        assert [s.clients for s in sql.steps] == funnel_counts(rows, period.start, period.end, **kwargs)
    for dim in ("source", "partner", "campaign"):
        res = attribution(synthetic, period=period, dimension=dim)
        n, un, credit = ref_attribution(rows, period.start, period.end, dim)
        assert (res.conversions, res.unattributed) == (n, un)
        assert {r.value: (r.first_touch, r.last_touch, pytest.approx(r.position)) for r in res.rows} == {
            k: (v[0], v[1], v[2]) for k, v in credit.items()
        }
    sizes, active, trading = cohort_sizes_and_week1(rows, period.start, period.end)
    for row in cohorts(synthetic, period=period, weeks=3):
        assert row.size == sizes[row.week]
        for n in range(4):
            if row.active[n] is not None:
                assert row.active[n] == pytest.approx(active.get((row.week, n), 0) / row.size)
                assert row.trading[n] == pytest.approx(trading.get((row.week, n), 0) / row.size)


def test_synthetic_funnel_has_heavy_drop_offs_and_channel_differences(synthetic: EventScan) -> None:
    period = Period(date(2026, 10, 20), date(2026, 11, 30))
    steps = funnel(synthetic, FunnelQuery(period=period)).steps
    assert steps[1].from_previous is not None and steps[1].from_previous < 0.3  # most landings never sign up
    assert all(a.clients >= b.clients for a, b in pairwise(steps))
    qr = funnel(synthetic, FunnelQuery(period=period, source="offline_qr")).steps
    video = funnel(synthetic, FunnelQuery(period=period, source="video")).steps
    assert qr[1].clients / qr[0].clients > video[1].clients / video[0].clients
