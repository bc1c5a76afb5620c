"""Campaigns end to end on the application database (SQLite and PostgreSQL): defined only from approved content
with every problem named, launched once into a stored audience snapshot whose treated group goes through the
delivery policy (suitability, the personalisation switch), and measured against the held-out control group."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import pytest
from ops_fixtures import ev, store
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tandem.advisor.access import require_staff
from tandem.advisor.content import create_item, review, submit
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import Base, make_sessionmaker
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.delivery.models import PushDecisionRow
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.service import PushService
from tandem.engagement.profiles import CLIENT_SCHEMA, TAG_SCHEMA, ProfileState
from tandem.identity import User
from tandem.operations.audience import audience_members
from tandem.operations.campaign_service import (
    CampaignDraft,
    campaign_uplift,
    create_campaign,
    get_campaign,
    launch_campaign,
    list_campaigns,
)
from tandem.operations.models import Campaign, CampaignMember
from tandem.operations.scan import EventScan
from tandem.wealth.models import RiskAssessmentRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from model_registry import import_all_models

NOW = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)  # Monday 12:00 Beijing, outside quiet hours
BODY = "认识指数基金：分散、低费率、透明。\n" + risk_disclaimer("zh", kind="fund")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    import_all_models()
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
        Base.metadata.create_all(engine)
        yield make_sessionmaker(engine)
        engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _user(db: Session, role: str, *, non_personalised: bool = False) -> User:
    u = User(login_hash=uuid.uuid4().hex, login_enc=b"x", login_kind="phone", role=role, password_hash="-",
             non_personalised=non_personalised)  # fmt: skip
    db.add(u)
    db.flush()
    return u


def _assess(db: Session, uid: int, category: str, *, valid: bool = True) -> None:
    until = NOW + timedelta(days=200) if valid else NOW - timedelta(days=1)
    assessed = until - timedelta(days=365)
    db.add(RiskAssessmentRow(client_id=f"user:{uid}", questionnaire_version="t", answers={}, score=50,
                             category=category, assessed_at=assessed, valid_until=until))  # fmt: skip


def _approved(db: Session, risk: str = "R2") -> int:
    author = require_staff(user_id=_user(db, "operations").id, role="operations")
    comp = require_staff(user_id=_user(db, "compliance").id, role="compliance")
    v = create_item(db, author, kind="article", title="认识指数基金", category="投教", tags=["指数"],
                    audience_risk=risk, body=BODY)  # fmt: skip
    submit(db, author, item_id=v.item_id)
    review(db, comp, MemoryAuditLog(), version_id=v.id, approve=True, reasons=[])
    return v.item_id


def _draft(content_id: int, **kw: object) -> CampaignDraft:
    base: dict[str, object] = dict(
        code="etf-week", name="ETF 投教周", channel="inapp", target_step="first_deposit", content_id=content_id,
        segment={}, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=14), control_share=0.2, seed=7,
    )  # fmt: skip
    return CampaignDraft(**{**base, **kw})  # type: ignore[arg-type]


def _push() -> PushService:
    config = PolicyConfig(QuietHours.parse(time(22), time(8), "Asia/Shanghai"), 10, {"inapp": 10, "email": 10})
    return PushService(policy=DeliveryPolicy(config=config, suitability=SuitabilityService(audit=MemoryAuditLog())))


def _profiles(tags: dict[int, list[str]]) -> ProfileState:
    rows = [(c, t, 1.0) for c, ts in tags.items() for t in ts]
    frame = pl.DataFrame(rows, schema=TAG_SCHEMA, orient="row") if rows else pl.DataFrame(schema=TAG_SCHEMA)
    return ProfileState(frame, pl.DataFrame(schema=CLIENT_SCHEMA), NOW, frozenset())


def test_a_draft_with_problems_names_each_and_stores_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        author = require_staff(user_id=_user(db, "operations").id, role="operations")
        draft_only = create_item(db, author, kind="article", title="草稿", category="投教", tags=[],
                                 audience_risk="R1", body=BODY).item_id  # fmt: skip
        bad = _draft(draft_only, code="Bad Code", channel="sms", target_step="landing", control_share=0.9,
                     ends_at=NOW - timedelta(days=1), segment={"stages": ["nowhere"], "colour": "red"})  # fmt: skip
        with pytest.raises(ValidationFailed) as err:
            create_campaign(db, bad)
        text_ = "\n".join(err.value.problems)
        for field in ("code:", "channel:", "target_step:", "control_share:", "ends_at:", "segment.colour",
                      "stages", "content_id:"):  # fmt: skip
            assert field in text_, field
        assert "must pass compliance review first" in text_
        assert db.scalar(select(func.count()).select_from(Campaign)) == 0


def test_launch_snapshots_the_split_and_pushes_only_through_the_policy(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as db:
        content = _approved(db, risk="R3")
        clients = [_user(db, "investor") for _ in range(60)]
        for u in clients[:40]:
            _assess(db, u.id, "C4")
        for u in clients[40:50]:
            _assess(db, u.id, "C2")  # below the content's R3: the policy refuses them, audited
        shy = _user(db, "investor", non_personalised=True)
        _assess(db, shy.id, "C5")
        create_campaign(db, _draft(content))
        create_campaign(db, _draft(content, code="etf-tagged", segment={"tags_all": ["board:etf"]}))
        db.commit()
        profiles = _profiles({u.id: ["board:etf"] for u in clients[:5]} | {shy.id: ["board:etf"]})
        scan = EventScan(tmp_path / "events")
        result = launch_campaign(db, "etf-week", scan=scan, profiles=profiles, push=_push(), now=NOW,
                                 data_date=date(2026, 10, 30))  # fmt: skip
        db.commit()
        assert result.treated + result.control == 61 and result.control > 0
        snapshot = db.execute(select(CampaignMember.client_id, CampaignMember.control)).all()
        assert len(snapshot) == 61 and sum(c for _, c in snapshot) == result.control
        decisions = db.scalars(select(PushDecisionRow)).all()
        assert len(decisions) == result.treated  # one decision per treated client, none for control
        control_ids = {str(c) for c, held in snapshot if held}
        assert not control_ids & {d.client_id for d in decisions}
        assert sum(result.outcomes.values()) == result.treated
        assert result.outcomes.get("rejected", 0) >= 1  # C2 and unassessed clients never get an R3 push

        tagged = launch_campaign(db, "etf-tagged", scan=scan, profiles=profiles, push=_push(), now=NOW,
                                 data_date=date(2026, 10, 30))  # fmt: skip
        assert tagged.treated + tagged.control == 5  # the switched-off client's tag is not used

        with pytest.raises(ConflictError, match="already launched"):
            launch_campaign(db, "etf-week", scan=scan, profiles=profiles, push=_push(), now=NOW,
                            data_date=date(2026, 10, 30))  # fmt: skip
        assert [v.status(NOW) for v in list_campaigns(db)] == ["launched", "launched"]


def test_a_failed_launch_leaves_no_snapshot_and_no_push(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    class Broken(PushService):
        def submit(self, *a: object, **kw: object) -> list:  # type: ignore[override, type-arg]
            raise RuntimeError("delivery store unavailable")

    with sessions() as db:
        content = _approved(db)
        for _ in range(10):
            _assess(db, _user(db, "investor").id, "C3")
        create_campaign(db, _draft(content))
        db.commit()
    with sessions() as db, pytest.raises(RuntimeError):
        launch_campaign(db, "etf-week", scan=EventScan(tmp_path / "e"), profiles=None,
                        push=Broken(policy=_push()._policy), now=NOW, data_date=date(2026, 10, 30))  # fmt: skip
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(CampaignMember)) == 0
        assert get_campaign(db, "etf-week").launched_at is None


def test_launch_refuses_outside_the_schedule_and_unknown_codes(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as db:
        content = _approved(db)
        create_campaign(db, _draft(content, code="later", starts_at=NOW + timedelta(days=1),
                                   ends_at=NOW + timedelta(days=3)))  # fmt: skip
        scan = EventScan(tmp_path / "e")
        with pytest.raises(ConflictError, match="starts at"):
            launch_campaign(db, "later", scan=scan, profiles=None, push=_push(), now=NOW, data_date=NOW.date())
        with pytest.raises(ConflictError, match="ended at"):
            launch_campaign(db, "later", scan=scan, profiles=None, push=_push(), now=NOW + timedelta(days=5),
                            data_date=NOW.date())  # fmt: skip
        with pytest.raises(NotFoundError):
            launch_campaign(db, "nope", scan=scan, profiles=None, push=_push(), now=NOW, data_date=NOW.date())
        with pytest.raises(ConflictError, match="not been launched"):
            campaign_uplift(db, "later", scan=scan)


def test_uplift_counts_conversions_in_the_window_from_the_stored_snapshot(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as db:
        content = _approved(db)
        ids = [_user(db, "investor").id for _ in range(400)]
        for uid in ids:
            _assess(db, uid, "C3")
        create_campaign(db, _draft(content, window_days=7))
        db.commit()
        scan = EventScan(tmp_path / "events")
        launch_campaign(db, "etf-week", scan=scan, profiles=None, push=_push(), now=NOW, data_date=NOW.date())
        db.commit()
        members = dict(db.execute(select(CampaignMember.client_id, CampaignMember.control)).all())
        treated = [c for c, held in members.items() if not held]
        control = [c for c, held in members.items() if held]
        events = [ev(c, "first_deposit", NOW + timedelta(days=1)) for c in treated[:60]]  # 60 treated convert
        events += [ev(c, "first_deposit", NOW + timedelta(days=2)) for c in control[:5]]
        events += [ev(c, "first_deposit", NOW + timedelta(days=9)) for c in treated[60:90]]  # after the window
        store(tmp_path / "events", events)
        u = campaign_uplift(db, "etf-week", scan=scan)
        assert (u.treated, u.control) == (len(treated), len(control))
        assert (u.treated_converted, u.control_converted) == (60, 5)
        assert u.difference == pytest.approx(60 / len(treated) - 5 / len(control))
        assert u.low is not None and u.high is not None and u.low < u.difference < u.high


def test_audience_reads_tier_activity_and_stage(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as db:
        a, b, c = (_user(db, "investor") for _ in range(3))
        _assess(db, a.id, "C3")
        _assess(db, b.id, "C4", valid=False)  # expired: unassessed
        _user(db, "advisor")  # staff are never an audience
        db.commit()
        store(tmp_path / "events", [
            ev(a.id, "sign_up", NOW - timedelta(days=40)), ev(a.id, "account_opened", NOW - timedelta(days=20)),
            ev(a.id, "stock_view", NOW - timedelta(days=2)), ev(a.id, "stock_view", NOW - timedelta(days=2, hours=1)),
            ev(b.id, "sign_up", NOW - timedelta(days=3)),
        ])  # fmt: skip
        members = {m.client_id: m for m in audience_members(db, EventScan(tmp_path / "events"), None, now=NOW)}
        assert set(members) == {a.id, b.id, c.id}
        assert (members[a.id].tier, members[a.id].stage, members[a.id].active_days_30) == ("C3", "account_opened", 2)
        assert (members[b.id].tier, members[b.id].stage, members[b.id].active_days_30) == ("unassessed", "sign_up", 1)
        assert (members[c.id].stage, members[c.id].active_days_30) == ("landing", 0)


def test_a_synthetic_campaign_is_measured_like_a_real_one(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    from tandem.operations.simulate import AcquisitionConfig, write_acquisition
    from tandem.operations.simulate_campaign import simulate_campaign

    write_acquisition(AcquisitionConfig(visitors=50_000), tmp_path)
    start = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    scan = EventScan(tmp_path / "events")
    with sessions() as db:
        _approved(db)
        strong = simulate_campaign(db, tmp_path, code="syn-strong", starts_at=start, effect=0.3)
        none = simulate_campaign(db, tmp_path, code="syn-none", starts_at=start, effect=0.0, seed=99)
        db.commit()
        assert strong.treated > 200 and strong.control > 40 and strong.added_deposits > 20 and none.added_deposits == 0
        lifted = campaign_uplift(db, "syn-strong", scan=scan)
        flat = campaign_uplift(db, "syn-none", scan=scan)
        assert (lifted.treated, lifted.control) == (strong.treated, strong.control)
        assert lifted.low is not None and lifted.low > 0  # a real simulated effect is found, with its interval
        assert flat.low is not None and flat.high is not None and flat.low < 0 < flat.high  # no effect: no claim
        assert get_campaign(db, "syn-strong").name.startswith("SYNTHETIC")
        with pytest.raises(ConflictError):
            simulate_campaign(db, tmp_path, code="syn-strong", starts_at=start)
