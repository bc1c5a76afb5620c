"""A visitor's landings before sign-up count as the client's once the client identifies as that visitor."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ops_fixtures import T, ev, link, store

from tandem.operations.attribution import attribution
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.scan import EventScan, Period
from tandem.operations.visitors import VISITOR_ID_FLOOR, new_visitor_id, visitor_from_cookie

H = timedelta(hours=1)
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8))
WECHAT = link("abc123", "wechat", "ths", "spring")
VIDEO = link("vid999", "video")


def _counts(root: Path) -> dict[str, int]:
    result = funnel(EventScan(root), FunnelQuery(WEEK))
    return {s.step: s.clients for s in result.steps}


def test_an_identified_visitor_enters_the_funnel_as_the_client(tmp_path: Path) -> None:
    visitor = new_visitor_id()
    events = [
        ev(visitor, "landing", T, WECHAT),
        ev(visitor, "landing", T + H, VIDEO),  # a second touch in the same browser
        ev(41, "identify", T + 2 * H, {"visitor": visitor}),
        ev(41, "sign_up", T + 2 * H),
        ev(41, "risk_questionnaire", T + 3 * H),
    ]
    store(tmp_path, events)
    counts = _counts(tmp_path)
    assert counts["landing"] == 1 and counts["sign_up"] == 1  # one person, not a visitor plus a client
    assert counts["identity_verified"] == 0  # the ordered funnel stops where the client stopped
    first = attribution(EventScan(tmp_path), period=WEEK, dimension="source", target="sign_up")
    assert first.conversions == 1 and first.unattributed == 0
    by_source = {r.value: r for r in first.rows}
    assert by_source["wechat"].first_touch == 1.0 and by_source["video"].last_touch == 1.0


def test_without_identify_the_visitor_is_a_drop_off(tmp_path: Path) -> None:
    visitor = new_visitor_id()
    store(tmp_path, [ev(visitor, "landing", T, WECHAT), ev(41, "sign_up", T + 2 * H)])
    counts = _counts(tmp_path)
    assert counts["landing"] == 1 and counts["sign_up"] == 0


def test_a_visitor_identified_twice_belongs_to_the_first_account(tmp_path: Path) -> None:
    visitor = new_visitor_id()
    identify = {"visitor": visitor}
    events = [
        ev(visitor, "landing", T, WECHAT),
        ev(52, "identify", T + 5 * H, identify),
        ev(52, "sign_up", T + 5 * H),
        ev(41, "identify", T + 2 * H, identify, eid="same-id"),
        ev(41, "identify", T + 2 * H, identify, eid="same-id"),  # a replay is stored once
        ev(41, "sign_up", T + 2 * H),
    ]
    store(tmp_path, events)
    assert _counts(tmp_path)["sign_up"] == 1
    result = attribution(EventScan(tmp_path), period=WEEK, dimension="source", target="sign_up")
    assert result.conversions == 2 and result.unattributed == 1  # client 52 had no landing of its own


def test_visitor_cookies_outside_the_visitor_range_are_ignored() -> None:
    assert visitor_from_cookie(str(VISITOR_ID_FLOOR + 7)) == VISITOR_ID_FLOOR + 7
    for bad in (None, "", "41", "-5", "abc", str(2**53), "1" * 40):
        assert visitor_from_cookie(bad) is None
    assert all(VISITOR_ID_FLOOR <= new_visitor_id() < 2**53 for _ in range(100))
