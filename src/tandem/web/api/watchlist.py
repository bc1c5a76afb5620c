"""``/api/v1/watchlist``: the caller's watched stocks (CRUD, paginated, owner-scoped)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from tandem.engagement import watchlist
from tandem.engagement.models import WatchItem
from tandem.marketdata.quote import instrument
from tandem.web.deps import CurrentUser, SessionDep, StateDep
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas import Page, WatchItemCreate, WatchItemPublic, WatchItemUpdate
from tandem.web.state import AppState

router = APIRouter(prefix="/api/v1/watchlist", tags=["watchlist"], responses=PROBLEM_RESPONSES)
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _public(state: AppState, item: WatchItem) -> WatchItemPublic:
    name = instrument(state.store, item.code).name
    return WatchItemPublic(id=item.id, code=item.code, name=name, note=item.note, created_at=item.created_at)


@router.get("", summary="My watchlist")
def list_watchlist(
    user: CurrentUser,
    state: StateDep,
    db: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[WatchItemPublic]:
    """Newest first."""
    rows, total = watchlist.list_items(db, user_id=user.id, offset=offset, limit=limit)
    return Page(items=[_public(state, r) for r in rows], total=total, offset=offset, limit=limit)


@router.post(
    "",
    summary="Watch a stock",
    status_code=status.HTTP_201_CREATED,
    responses={409: PROBLEM_RESPONSES[400] | {"description": "Already watched"}},
)
def add_watch(body: WatchItemCreate, user: CurrentUser, state: StateDep, db: SessionDep) -> WatchItemPublic:
    """Add a stock by code; unknown codes are a 404 with a suggestion."""
    item = watchlist.add_item(db, state.store, user_id=user.id, code=body.code, note=body.note)
    db.commit()
    return _public(state, item)


@router.get("/{item_id}", summary="One watchlist item")
def get_watch(item_id: ItemId, user: CurrentUser, state: StateDep, db: SessionDep) -> WatchItemPublic:
    """404 unless the item is the caller's."""
    return _public(state, watchlist.get_item(db, user_id=user.id, item_id=item_id))


@router.patch("/{item_id}", summary="Change an item's note")
def update_watch(
    item_id: ItemId, body: WatchItemUpdate, user: CurrentUser, state: StateDep, db: SessionDep
) -> WatchItemPublic:
    """Notes are stored as plain text and always escaped when shown."""
    item = watchlist.update_note(db, user_id=user.id, item_id=item_id, note=body.note)
    db.commit()
    return _public(state, item)


@router.delete("/{item_id}", summary="Stop watching", status_code=204)
def delete_watch(item_id: ItemId, user: CurrentUser, db: SessionDep) -> None:
    """404 unless the item is the caller's."""
    watchlist.delete_item(db, user_id=user.id, item_id=item_id)
    db.commit()
