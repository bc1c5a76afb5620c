"""Watchlist and feed services called directly (no web app): owner scoping, limits, and feed items from records."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import ConflictError, NotFoundError
from tandem.engagement import feed, watchlist
from tandem.identity import User, make_keys
from tandem.identity.accounts import create_user
from tandem.marketdata import quote as quotes
from tandem.marketdata.store import MarketStore
from tandem.migrations.runner import upgrade


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def users(db: Session) -> tuple[User, User]:
    keys = make_keys(b"engagement-test-secret-0123456789abcdef")
    a = create_user(db, keys, username="a@example.com", password="Correct-horse-42")
    b = create_user(db, keys, username="b@example.com", password="Correct-horse-42")
    return a, b


def test_items_are_owner_scoped_and_codes_canonical(db: Session, sample_store: MarketStore, users) -> None:
    a, b = users
    item = watchlist.add_item(db, sample_store, user_id=a.id, code="sh.600519", note="  core  ")
    assert (item.code, item.note) == ("600519.SH", "core")
    with pytest.raises(ConflictError, match="already on your watchlist"):
        watchlist.add_item(db, sample_store, user_id=a.id, code="600519", note=None)
    with pytest.raises(NotFoundError, match=f"no watchlist item {item.id}"):
        watchlist.update_note(db, user_id=b.id, item_id=item.id, note="mine now")
    with pytest.raises(NotFoundError):
        watchlist.delete_item(db, user_id=b.id, item_id=item.id)
    assert watchlist.update_note(db, user_id=a.id, item_id=item.id, note=" ").note is None
    assert watchlist.watched_codes(db, user_id=a.id) == ["600519.SH"]
    assert watchlist.watched_codes(db, user_id=b.id) == []


def test_set_watched_takes_any_spelling_and_refuses_unknown_codes(
    db: Session, sample_store: MarketStore, users
) -> None:
    a, _ = users
    assert watchlist.set_watched(db, sample_store, user_id=a.id, code="600519", watched=True) == "600519.SH"
    assert watchlist.set_watched(db, sample_store, user_id=a.id, code="sh.600519", watched=False) == "600519.SH"
    assert watchlist.watched_codes(db, user_id=a.id) == []
    with pytest.raises(NotFoundError, match="did you mean"):
        watchlist.set_watched(db, sample_store, user_id=a.id, code="60051.SH", watched=True)


def test_watch_item_names_the_stock_from_the_quote_not_from_a_title(
    db: Session, sample_store: MarketStore, users, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name with a space (``*ST 某某``) once came out cut at the space: the title was split to find it."""
    a, _ = users
    watchlist.add_item(db, sample_store, user_id=a.id, code="600519", note=None)
    real = quotes.quote

    def spaced(store: MarketStore, code: str) -> quotes.Quote:
        return dataclasses.replace(real(store, code), name="*ST 茅台")

    monkeypatch.setattr(feed, "quote", spaced)
    for lang, title in (("zh", "已加入自选：*ST 茅台"), ("en", "Added to watchlist: *ST 茅台")):
        items = feed.build_feed(db, sample_store, user=a, lang=lang)  # type: ignore[arg-type]
        watch = [i for i in items if i.kind == "watch"]
        assert [(i.title, i.code) for i in watch] == [(title, "600519.SH")]
        assert any(i.kind == "move" and i.title.startswith("*ST 茅台 ") for i in items)


def test_feed_without_watchlist_is_the_articles_newest_first(db: Session, sample_store: MarketStore, users) -> None:
    a, _ = users
    items = feed.build_feed(db, sample_store, user=a, lang="en")
    assert {i.kind for i in items} == {"article"}
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
