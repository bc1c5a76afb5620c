"""Profiles: incremental folding equals a rebuild, tags follow behaviour, and a client's deletion holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import make_sessionmaker
from tandem.core.errors import NotFoundError
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType
from tandem.engagement.items import ItemCatalogue, build_items
from tandem.engagement.profile_eval import top_industry_recovery
from tandem.engagement.profile_models import ProfileTagSuppression
from tandem.engagement.profile_service import ProfileService, ProfileStateStore
from tandem.engagement.simulate import SimulationConfig, simulate
from tandem.marketdata.store import MarketStore

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalogue(sample_store: MarketStore) -> ItemCatalogue:
    return build_items(sample_store, as_of=date(2025, 4, 7))


def ev(client: int, kind: EventType, obj: str | None, at: datetime, **props: str | int) -> Event:
    return Event(str(uuid.uuid4()), client, kind, obj, dict(props), at, at, "s", Channel.WEB)


def sqlite_sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    ProfileTagSuppression.__table__.create(engine)  # type: ignore[attr-defined]
    return make_sessionmaker(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        yield sqlite_sessions(tmp_path)
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    ProfileTagSuppression.__table__.create(engine)  # type: ignore[attr-defined]
    yield make_sessionmaker(engine)
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def bank_and_growth_events(catalogue: ItemCatalogue) -> list[Event]:
    items = catalogue.items
    bank = items.loc[items["industry"].str.contains("银行"), "object_id"].iloc[0]
    chinext = items.loc[items["board"] == "CHINEXT", "object_id"].iloc[0]
    out = [ev(1, EventType.STOCK_VIEW, bank, T0 + timedelta(hours=h)) for h in range(6)]
    out.append(ev(1, EventType.WATCHLIST_ADD, bank, T0 + timedelta(days=1)))
    out.append(ev(1, EventType.BRIEF_READ, chinext, T0 + timedelta(days=2), dwell_ms=120_000))
    out.append(ev(1, EventType.ASSESSMENT_COMPLETED, None, T0, category="C3"))
    out.append(ev(2, EventType.FUND_VIEW, "fund:510300", T0 + timedelta(days=3)))
    return out


def service_for(tmp_path: Path, sessions: sessionmaker[Session], catalogue: ItemCatalogue) -> ProfileService:
    return ProfileService(
        events=ParquetEventStore(tmp_path / "events"),
        state=ProfileStateStore(tmp_path / "profiles"),
        sessions=sessions,
        catalogue=catalogue,
    )


def test_tags_follow_behaviour_and_incremental_equals_rebuild(tmp_path: Path, catalogue: ItemCatalogue) -> None:
    service = service_for(tmp_path, sqlite_sessions(tmp_path), catalogue)
    store = ParquetEventStore(tmp_path / "events")
    events = bank_and_growth_events(catalogue)
    store.append(events[:5])
    service.update()
    store.append(events[5:])
    incremental = service.update()
    profile = service.profile(1)
    assert profile.top("industry", 1)[0].key.startswith("industry:银行")
    assert {t.label for t in profile.top("board")} >= {"创业板"}
    assert profile.risk_category == "C3"
    assert profile.assessment_valid_until == T0 + timedelta(days=365)
    assert service.profile(2).top("product", 1)[0].key == "product:fund"
    assert service.profile(99).tags == ()
    rebuilt = service.rebuild()
    joined = incremental.tags.join(rebuilt.tags, on=["client_id", "tag"], how="full", coalesce=True)
    assert joined.height == rebuilt.tags.height == incremental.tags.height
    assert (joined["score"] - joined["score_right"]).abs().max() < 1e-9  # type: ignore[operator]
    assert service.update() is not None  # nothing new: the state stays
    assert service.profile(1) == profile


def test_deleted_tag_stays_deleted_through_updates_and_rebuilds(
    tmp_path: Path, sessions: sessionmaker[Session], catalogue: ItemCatalogue
) -> None:
    service = service_for(tmp_path, sessions, catalogue)
    store = ParquetEventStore(tmp_path / "events")
    events = bank_and_growth_events(catalogue)
    store.append(events)
    service.update()
    bank_tag = service.profile(1).top("industry", 1)[0].key
    service.delete_tag(client_id=1, tag=bank_tag, at=T0 + timedelta(days=5))
    assert bank_tag not in {t.key for t in service.profile(1).tags}
    service.update()
    service.rebuild()
    assert bank_tag not in {t.key for t in service.profile(1).tags}
    assert service.profile(1).top("board")  # other tags are untouched
    # an old event arriving late (replayed from a device buffer) cannot bring it back
    late = ev(1, EventType.WATCHLIST_ADD, events[0].object_id, T0 + timedelta(days=4))
    store.append([late])
    service.update()
    assert bank_tag not in {t.key for t in service.profile(1).tags}
    # new behaviour after the deletion builds it anew
    store.append([ev(1, EventType.STOCK_VIEW, events[0].object_id, T0 + timedelta(days=6))])
    service.update()
    assert bank_tag in {t.key for t in service.profile(1).tags}
    with pytest.raises(NotFoundError, match="no tag"):
        service.delete_tag(client_id=1, tag="industry:不存在")


def test_delete_all_holds_for_every_tag(
    tmp_path: Path, sessions: sessionmaker[Session], catalogue: ItemCatalogue
) -> None:
    service = service_for(tmp_path, sessions, catalogue)
    ParquetEventStore(tmp_path / "events").append(bank_and_growth_events(catalogue))
    service.update()
    service.delete_all_tags(client_id=1, at=T0 + timedelta(days=5))
    service.delete_all_tags(client_id=1, at=T0 + timedelta(days=5))  # twice: one row, no error
    assert service.profile(1).tags == ()
    assert service.rebuild() is not None
    assert service.profile(1).tags == ()
    assert service.profile(1).risk_category == "C3"  # the questionnaire result is not an interest tag
    assert service.profile(2).tags != ()


def test_profiles_recover_hidden_tastes_of_the_synthetic_population(tmp_path: Path, sample_store: MarketStore) -> None:
    population = simulate(sample_store, SimulationConfig(clients=400, days=30, seed=2))
    store = ParquetEventStore(tmp_path / "events")
    store.append_table(population.events)
    service = service_for(tmp_path, sqlite_sessions(tmp_path), population.catalogue)
    recovery = top_industry_recovery(service.update(), population.latent)
    assert recovery.clients > 300
    assert recovery.agreement > 3 * recovery.guess_floor, recovery
