from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from ops_fixtures import T, ev, link, store
from ops_reference import funnel_counts, load

from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.scan import EventScan, Period

H = timedelta(hours=1)
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8))
L = link("abc123", "wechat", "ths", "spring")


def _hand_events() -> list:
    e = []
    # 1: the whole funnel
    e += [ev(1, "landing", T, L), ev(1, "sign_up", T + 0.1 * H), ev(1, "identity_verified", T + H),
          ev(1, "risk_questionnaire", T + 2 * H), ev(1, "account_opened", T + 23 * H),
          ev(1, "first_deposit", T + 47 * H), ev(1, "first_trade", T + 71 * H)]  # fmt: skip
    # 2: identity stored before sign-up (out of order), sign-up sent twice with different ids
    e += [ev(2, "landing", T + H, L), ev(2, "identity_verified", T + 1.5 * H), ev(2, "sign_up", T + 1.1 * H),
          ev(2, "sign_up", T + 1.2 * H)]  # fmt: skip
    # 3: opened without signing up: the ordered funnel stops at landing
    e += [ev(3, "landing", T, L), ev(3, "account_opened", T + 5 * H)]
    # 4: sign-up 2 min before the landing (within the 5-min skew), 5: 10 min before (outside)
    e += [ev(4, "landing", T, L), ev(4, "sign_up", T - timedelta(minutes=2))]
    e += [ev(5, "landing", T, L), ev(5, "sign_up", T - timedelta(minutes=10))]
    # 6: device clock 4 min ahead: by its own clock just outside the 30-day window, by the server's inside
    # (ingest refuses clocks more than the 5-min skew ahead, so this is the worst that reaches the store)
    e += [
        ev(6, "landing", T, L),
        ev(6, "sign_up", T + timedelta(days=30, minutes=3), server=T + timedelta(days=30, minutes=-1)),
    ]
    # 7: landed before the period; 8: signed up after the 30-day window
    e += [ev(7, "landing", T - timedelta(days=3), L), ev(7, "sign_up", T - timedelta(days=3) + H)]
    e += [ev(8, "landing", T, L), ev(8, "sign_up", T + timedelta(days=31))]
    # 9: another partner's link
    e += [ev(9, "landing", T, link("zzz999", "video", "xueqiu")), ev(9, "sign_up", T + H)]
    return e


@pytest.fixture
def hand(tmp_path: Path) -> EventScan:
    store(tmp_path / "events", _hand_events())
    return EventScan(tmp_path / "events")


def test_hand_computed_funnel(hand: EventScan) -> None:
    result = funnel(hand, FunnelQuery(period=WEEK))
    assert [s.clients for s in result.steps] == [8, 5, 2, 1, 1, 1, 1]
    sign_up = result.steps[1]
    assert sign_up.from_previous == pytest.approx(5 / 8)
    assert sign_up.drop_off == 3
    assert result.steps[0].from_start == 1.0
    # times to sign-up: 0.1 h (1), 0.1 h (2), -2 min (4), ~720 h (6), 1 h (9) → median 0.1 h
    assert sign_up.hours_p50 == pytest.approx(0.1)
    assert sum(sign_up.hours_histogram) == 4  # the -2 min sign-up falls before the first bucket edge (0 h)


def test_filters_by_partner_and_campaign(hand: EventScan) -> None:
    ths = funnel(hand, FunnelQuery(period=WEEK, partner="ths"))
    assert [s.clients for s in ths.steps][:2] == [7, 4]
    other = funnel(hand, FunnelQuery(period=WEEK, partner="xueqiu", source="video"))
    assert [s.clients for s in other.steps][:3] == [1, 1, 0]
    none = funnel(hand, FunnelQuery(period=WEEK, campaign="nope"))
    assert none.steps[0].clients == 0 and none.steps[0].from_start is None


def test_window_and_skew_are_parameters(hand: EventScan) -> None:
    wide = funnel(hand, FunnelQuery(period=WEEK, window=timedelta(days=40)))
    assert wide.steps[1].clients == 6  # client 8's day-31 sign-up now counts
    assert wide.steps[1].hours_histogram[-1] == 1  # only client 8 took more than 720 h (6: 719.98 h by the server)
    strict = funnel(hand, FunnelQuery(period=WEEK, skew=timedelta(0)))
    assert strict.steps[1].clients == 4  # client 4's early sign-up no longer does


def test_replayed_event_in_another_partition_is_not_double_counted(tmp_path: Path) -> None:
    events = _hand_events()
    store(tmp_path / "events", events)
    replay = events[1]._replace(client_time=T + timedelta(days=1, minutes=6))  # same id, other day partition
    store(tmp_path / "events", [replay])
    result = funnel(EventScan(tmp_path / "events"), FunnelQuery(period=WEEK))
    assert [s.clients for s in result.steps] == [8, 5, 2, 1, 1, 1, 1]


def test_matches_reference_on_hand_events(hand: EventScan) -> None:
    rows = load(hand.root)
    for kwargs in ({}, {"partner": "ths"}, {"source": "video"}):
        sql = funnel(hand, FunnelQuery(period=WEEK, **kwargs))
        assert [s.clients for s in sql.steps] == funnel_counts(rows, WEEK.start, WEEK.end, **kwargs)


def test_empty_store_answers_zero(tmp_path: Path) -> None:
    result = funnel(EventScan(tmp_path / "none"), FunnelQuery(period=WEEK))
    assert [s.clients for s in result.steps] == [0] * 7


def test_bad_queries_are_refused() -> None:
    with pytest.raises(ValueError, match="after its end"):
        Period(date(2026, 11, 8), date(2026, 11, 2))
    with pytest.raises(ValueError, match="conversion window"):
        FunnelQuery(period=WEEK, window=timedelta(minutes=5))
