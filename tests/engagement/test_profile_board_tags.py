"""Board (板块) interest tags: from the East Money boards of the stocks a client views, watches or holds, with why."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import make_sessionmaker
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType
from tandem.engagement.items import MAX_THEME_SHARE, ItemCatalogue, build_items
from tandem.engagement.profile_models import ProfileTagSuppression
from tandem.engagement.profile_service import ProfileService, ProfileStateStore
from tandem.marketdata.store import MarketStore

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalogue(sample_store: MarketStore) -> ItemCatalogue:
    return build_items(sample_store, as_of=date(2025, 4, 7))


def _ev(client: int, kind: EventType, obj: str, hours: int) -> Event:
    at = T0 + timedelta(hours=hours)
    return Event(str(uuid.uuid4()), client, kind, obj, {}, at, at, "s", Channel.WEB)


def _service(tmp_path: Path, catalogue: ItemCatalogue) -> ProfileService:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    ProfileTagSuppression.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    sessions: sessionmaker[Session] = make_sessionmaker(engine)
    return ProfileService(
        events=ParquetEventStore(tmp_path / "events"),
        state=ProfileStateStore(tmp_path / "profiles"),
        sessions=sessions,
        catalogue=catalogue,
    )


def test_catalogue_themes_are_the_store_boards_of_each_stock_without_lists_or_status(
    catalogue: ItemCatalogue, sample_store: MarketStore
) -> None:
    boards = sample_store.boards_asof(date(2025, 4, 7), ["600519.SH"])
    mine = set(catalogue.themes[catalogue.themes["object_id"] == "600519.SH"]["board_name"])
    stocks = int((catalogue.items["kind"] == "stock").sum())
    everyone = sample_store.boards_asof(date(2025, 4, 7), list(catalogue.items.loc[
        catalogue.items["kind"] == "stock", "object_id"]))  # fmt: skip
    sizes = everyone.groupby("board_name")["code"].nunique()
    broad = {str(b) for b, n in sizes.items() if n > MAX_THEME_SHARE * stocks}
    assert "白酒" in mine and mine <= set(boards["board_name"])
    assert "融资融券" in broad and not mine & broad  # a list most stocks are on says nothing about taste
    assert set(boards["board_name"]) - broad - {b for b in boards["board_name"] if b.startswith("昨日")} == mine


def test_board_tags_come_from_viewed_watched_and_held_stocks_with_a_why_line(
    tmp_path: Path, catalogue: ItemCatalogue
) -> None:
    service = _service(tmp_path, catalogue)
    store = ParquetEventStore(tmp_path / "events")
    store.append(
        [
            *(_ev(5, EventType.STOCK_VIEW, "600519.SH", h) for h in range(3)),
            _ev(5, EventType.WATCHLIST_ADD, "000858.SZ", 5),
            _ev(5, EventType.HOLDING_CHANGED, "600036.SH", 6),
            _ev(6, EventType.FUND_VIEW, "fund:510300", 1),
        ]
    )
    service.update()
    tags = {t.key: t for t in service.profile(5).tags}
    liquor = tags["theme:白酒"]
    assert liquor.label == "白酒"
    assert liquor.why is not None  # watchlist add (3.0) outweighs 3 views
    assert liquor.why.render("zh") == "来自您看过、自选或持有的：五粮液、贵州茅台"
    assert liquor.why.render("en") == "From stocks you viewed, watch or hold: 五粮液, 贵州茅台"
    bank_why = tags["theme:破净股"].why
    assert bank_why is not None and bank_why.render("zh").endswith("招商银行")  # only the bank (held) is in that board
    assert "theme:融资融券" not in tags  # a list most of the market is on is not an interest
    assert all(t.why is None for t in tags.values() if not t.key.startswith("theme:"))
    assert not [t for t in service.profile(6).tags if t.key.startswith("theme:")]
    # the why-line survives the persisted state and a rebuild gives the same
    reread = _service(tmp_path, catalogue).profile(5)
    assert {t.key: t.why for t in reread.tags} == {k: t.why for k, t in tags.items()}
    service.rebuild()
    assert {t.key: t.why for t in service.profile(5).tags} == {k: t.why for k, t in tags.items()}


def test_delete_all_drops_the_evidence_behind_why_lines(tmp_path: Path, catalogue: ItemCatalogue) -> None:
    service = _service(tmp_path, catalogue)
    ParquetEventStore(tmp_path / "events").append([_ev(7, EventType.STOCK_VIEW, "600519.SH", 1)])
    service.update()
    assert any(t.key == "theme:白酒" for t in service.profile(7).tags)
    service.delete_all_tags(client_id=7, at=T0 + timedelta(days=1))
    state = ProfileStateStore(tmp_path / "profiles").load()
    assert state.objects.filter(state.objects["client_id"] == 7).is_empty()
    assert service.profile(7).tags == ()
