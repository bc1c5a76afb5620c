from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ops_fixtures import T, ev, link, store
from sqlalchemy.orm import Session

import tandem.identity.models
import tandem.operations.models  # noqa: F401 - registers the tables on Base before create_all
from tandem.core.db import Base, make_engine, make_sessionmaker
from tandem.core.errors import NotFoundError
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.ingest import EventIngestService
from tandem.identity import User
from tandem.operations.errors import CampaignEndedError, PartnerScopeError, ReferralParamsError
from tandem.operations.models import Campaign, PartnerMember
from tandem.operations.partner import (
    PartnerPolicy,
    check_link_scope,
    own_links,
    partner_csv,
    partner_of,
    partner_view,
)
from tandem.operations.referrals import create_link, record_landing, resolve_link
from tandem.operations.scan import EventScan, Period

DAY = T.date()
WEEK = Period(DAY, DAY + timedelta(days=6))


@pytest.fixture
def partner_store(tmp_path: Path) -> EventScan:
    ths, xq = link("ths001", "partner_app", "ths"), link("xq0001", "partner_app", "xueqiu")
    events = []
    for c in range(7_000_100, 7_000_112):  # 12 ths clients land on day 1, 3 of them sign up
        events.append(ev(c, "landing", T, ths))
        if c < 7_000_103:
            events.append(ev(c, "sign_up", T + timedelta(hours=1)))
    for c in range(8_000_200, 8_000_230):  # 30 xueqiu clients, all sign up
        events += [ev(c, "landing", T, xq), ev(c, "sign_up", T + timedelta(hours=1))]
    store(tmp_path / "events", events)
    return EventScan(tmp_path / "events")


def test_partner_sees_only_its_own_aggregates_with_small_cells_suppressed(partner_store: EventScan) -> None:
    view = partner_view(partner_store, partner="ths", period=WEEK, policy=PartnerPolicy())
    assert {(c.step, c.clients) for c in view.cells} == {("landing", 12), ("sign_up", None)}
    text = partner_csv(view)
    assert text.splitlines() == ["day,step,clients", f"{DAY},landing,12", f"{DAY},sign_up,<10"]
    for client_id in [*range(7_000_100, 7_000_112), *range(8_000_200, 8_000_230)]:
        assert str(client_id) not in text and str(client_id) not in repr(view)
    assert {f.name for f in dataclasses.fields(view.cells[0])} == {"day", "step", "clients"}
    stricter = partner_view(partner_store, partner="ths", period=WEEK, policy=PartnerPolicy(k=20))
    assert all(c.suppressed for c in stricter.cells)
    other = partner_view(partner_store, partner="xueqiu", period=WEEK, policy=PartnerPolicy())
    assert {(c.step, c.clients) for c in other.cells} == {("landing", 30), ("sign_up", 30)}


def test_k_below_ten_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        PartnerPolicy(k=5)


@pytest.fixture
def db(tmp_path: Path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'ops.db'}")
    Base.metadata.create_all(engine)
    return make_sessionmaker(engine)()


def _user(db: Session, role: str) -> User:
    user = User(login_hash=role * 8, login_enc=b"x", login_kind="email", role=role, password_hash="x")
    db.add(user)
    db.flush()
    return user


def test_partner_scope_and_membership(db: Session) -> None:
    mine = create_link(db, source="partner_app", partner="ths")
    theirs = create_link(db, source="partner_app", partner="xueqiu")
    user = _user(db, "partner")
    with pytest.raises(NotFoundError, match="not linked to a partner"):
        partner_of(db, user_id=user.id)
    db.add(PartnerMember(user_id=user.id, partner="ths"))
    assert partner_of(db, user_id=user.id) == "ths"
    own = own_links(db, partner="ths")
    assert own == {mine.code}
    check_link_scope(mine.code, own)
    for probe in (theirs.code, "doesnotexist"):
        with pytest.raises(PartnerScopeError) as info:
            check_link_scope(probe, own)
        assert "not one of your links" in str(info.value)


def _campaign(db: Session, code: str, *, days_left: int) -> None:
    now = datetime.now(UTC)
    db.add(Campaign(code=code, name=f"活动 {code}", channel="wecom", target_step="first_deposit",
                    content_id="c1", content_version=1, audience="{}", control_share=0.1, seed=1,
                    starts_at=now - timedelta(days=30), ends_at=now + timedelta(days=days_left)))  # fmt: skip
    db.flush()


def test_landing_is_recorded_with_the_links_attributes(db: Session, tmp_path: Path) -> None:
    _campaign(db, "spring-open", days_left=5)
    params = create_link(db, source="wechat", partner="ths", campaign="spring-open")
    sink = ParquetEventStore(tmp_path / "events", durable=False)
    event = record_landing(db, EventIngestService(sink=sink), code=params.code,
                           query={"utm_source": "wechat", "utm_content": "ths"}, visitor_id=7)  # fmt: skip
    assert event.properties == {"link": params.code, "source": "wechat", "partner": "ths", "campaign": "spring-open"}
    assert sink.count() == 1


def test_bad_referral_parameters_are_refused_and_nothing_recorded(db: Session, tmp_path: Path) -> None:
    params = create_link(db, source="video", partner="xueqiu")
    sink = ParquetEventStore(tmp_path / "events", durable=False)
    service = EventIngestService(sink=sink)
    cases = [
        ({"utm_source": "Video!!"}, "utm_source"),
        ({"utm_source": "tv"}, "not a source"),
        ({"ref": "x"}, "unknown parameter"),
        ({"utm_content": "ths"}, "link"),  # tampered: claims another partner
    ]
    for query, words in cases:
        with pytest.raises(ReferralParamsError, match=words):
            record_landing(db, service, code=params.code, query=query, visitor_id=1)
    with pytest.raises(ReferralParamsError, match="referral code"):
        resolve_link(db, code="../etc", query={})
    with pytest.raises(NotFoundError, match="no referral link"):
        resolve_link(db, code="abcdef123", query={})
    with pytest.raises(ReferralParamsError, match="no campaign"):
        create_link(db, source="video", campaign="ghost")
    assert sink.count() == 0


def test_link_of_an_ended_campaign_gets_a_clear_answer(db: Session, tmp_path: Path) -> None:
    _campaign(db, "etf-week", days_left=-1)
    params = create_link(db, source="search", campaign="etf-week")
    sink = ParquetEventStore(tmp_path / "events", durable=False)
    with pytest.raises(CampaignEndedError, match="ended"):
        record_landing(db, EventIngestService(sink=sink), code=params.code, query={}, visitor_id=1)
    assert sink.count() == 0
