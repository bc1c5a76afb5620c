"""Watchlist services: every query is scoped by the owner, so another user's item is simply not found (404)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.core.errors import ConflictError, NotFoundError, UserError
from tandem.engagement.models import WatchItem
from tandem.marketdata.quote import Quote, instrument, quote
from tandem.marketdata.store import MarketStore

MAX_ITEMS = 200


def list_items(db: Session, *, user_id: int, offset: int = 0, limit: int = 50) -> tuple[list[WatchItem], int]:
    """One page of the user's watchlist, newest first, and the total count."""
    q = select(WatchItem).where(WatchItem.user_id == user_id)
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.scalars(q.order_by(WatchItem.created_at.desc(), WatchItem.id.desc()).offset(offset).limit(limit))
    return list(rows), int(total)


def get_item(db: Session, *, user_id: int, item_id: int) -> WatchItem:
    """The user's item, or NotFoundError (also when it belongs to someone else)."""
    item = db.scalar(select(WatchItem).where(WatchItem.id == item_id, WatchItem.user_id == user_id))
    if item is None:
        raise NotFoundError(f"no watchlist item {item_id}")
    return item


def add_item(db: Session, store: MarketStore, *, user_id: int, code: str, note: str | None) -> WatchItem:
    """Watch a stock the store knows; duplicates are a ConflictError."""
    inst = instrument(store, code)
    exists = db.scalar(select(WatchItem.id).where(WatchItem.user_id == user_id, WatchItem.code == inst.code))
    if exists is not None:
        raise ConflictError(f"{inst.code} {inst.name} is already on your watchlist")
    count = db.scalar(select(func.count()).where(WatchItem.user_id == user_id)) or 0
    if count >= MAX_ITEMS:
        raise ConflictError(f"the watchlist holds at most {MAX_ITEMS} stocks; remove one first")
    item = WatchItem(user_id=user_id, code=inst.code, note=(note or "").strip() or None)
    db.add(item)
    db.flush()
    return item


def update_note(db: Session, *, user_id: int, item_id: int, note: str | None) -> WatchItem:
    """Set the note of the user's item (blank clears it); another user's item is NotFoundError."""
    item = get_item(db, user_id=user_id, item_id=item_id)
    item.note = (note or "").strip() or None
    return item


def delete_item(db: Session, *, user_id: int, item_id: int) -> None:
    """Remove the user's item; another user's item is NotFoundError."""
    db.delete(get_item(db, user_id=user_id, item_id=item_id))


def watched_codes(db: Session, *, user_id: int) -> list[str]:
    """Every code on the user's watchlist, newest first."""
    rows, _ = list_items(db, user_id=user_id, limit=MAX_ITEMS)
    return [r.code for r in rows]


def set_watched(db: Session, store: MarketStore, *, user_id: int, code: str, watched: bool) -> str:
    """Watch or stop watching a stock given in any spelling; returns its canonical code (unknown codes raise)."""
    inst = instrument(store, code)
    if watched:
        add_item(db, store, user_id=user_id, code=inst.code, note=None)
    else:
        remove_code(db, user_id=user_id, code=inst.code)
    return inst.code


def remove_code(db: Session, *, user_id: int, code: str) -> None:
    """Stop watching ``code`` (no error when it was not watched)."""
    item = db.scalar(select(WatchItem).where(WatchItem.user_id == user_id, WatchItem.code == code))
    if item is not None:
        db.delete(item)


@dataclass(frozen=True, slots=True)
class WatchedQuote:
    """A watchlist item with its stock's latest quote."""

    item: WatchItem
    quote: Quote


def watched_quotes(db: Session, store: MarketStore, *, user_id: int) -> list[WatchedQuote]:
    """The user's watchlist, newest first, each with its latest quote (stocks without bars are left out)."""
    rows, _ = list_items(db, user_id=user_id, limit=MAX_ITEMS)
    out = []
    for r in rows:
        try:
            out.append(WatchedQuote(item=r, quote=quote(store, r.code)))
        except UserError:
            continue
    return out
