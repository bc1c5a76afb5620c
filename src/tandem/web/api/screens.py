"""``/api/v1/screens``: run a screen expression on a day, and the caller's saved screens (CRUD, owner-scoped)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import JSONResponse, Response

from tandem.backtest.jobs import queries as quant
from tandem.backtest.screener.models import SavedScreen, delete_screen, get_screen, list_screens, save_screen
from tandem.backtest.screener.syntax import ScreenSyntaxError
from tandem.web.deps import CurrentUser, SessionDep, StateDep
from tandem.web.problems import PROBLEM_JSON, PROBLEM_RESPONSES
from tandem.web.schemas import Page
from tandem.web.schemas.quant import SavedScreenCreate, SavedScreenPublic, ScreenResultPublic, ScreenRun
from tandem.web.views.quant import screen_public

router = APIRouter(prefix="/api/v1/screens", tags=["screens"], responses=PROBLEM_RESPONSES)
ScreenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def syntax_problem(exc: ScreenSyntaxError, request: Request) -> Response:
    """400 problem+json with a ``column`` member pointing at the offending character (1-based, null if none)."""
    body = {
        "type": "about:blank", "title": "Bad Request", "status": 400, "detail": str(exc),
        "instance": request.url.path, "column": quant.error_column(str(exc)),
    }  # fmt: skip
    return JSONResponse(body, status_code=400, media_type=PROBLEM_JSON)


def _public(row: SavedScreen) -> SavedScreenPublic:
    return SavedScreenPublic.model_validate(row, from_attributes=True)


@router.post("/run", summary="Run a screen on one day", response_model=ScreenResultPublic)
def run(body: ScreenRun, request: Request, user: CurrentUser, state: StateDep) -> ScreenResultPublic | Response:
    """Stocks traded on ``date`` that pass ``expression`` (point-in-time: only reports announced by then).

    A malformed expression or an unknown field is a 400 whose ``column`` says where it went wrong.
    """
    try:
        return screen_public(
            quant.screen(
                state.store, expression=body.expression, day=body.date, limit=body.limit, industry=body.industry
            )
        )
    except ScreenSyntaxError as exc:
        return syntax_problem(exc, request)


@router.get("", summary="My saved screens")
def list_saved(user: CurrentUser, db: SessionDep) -> Page[SavedScreenPublic]:
    """Newest first (a user keeps at most a few dozen screens, so one page holds them all)."""
    rows = list_screens(db, owner_user_id=user.id)
    return Page(items=[_public(r) for r in rows], total=len(rows), offset=0, limit=max(1, len(rows)))


@router.post(
    "",
    summary="Save a screen",
    status_code=status.HTTP_201_CREATED,
    response_model=SavedScreenPublic,
    responses={409: PROBLEM_RESPONSES[400] | {"description": "Name already used"}},
)
def create_saved(
    body: SavedScreenCreate, request: Request, user: CurrentUser, db: SessionDep
) -> SavedScreenPublic | Response:
    """The expression is checked for syntax before it is stored."""
    try:
        row = save_screen(db, owner_user_id=user.id, name=body.name, expression=body.expression)
    except ScreenSyntaxError as exc:
        return syntax_problem(exc, request)
    db.commit()
    return _public(row)


@router.get("/{screen_id}", summary="One saved screen")
def get_saved(screen_id: ScreenId, user: CurrentUser, db: SessionDep) -> SavedScreenPublic:
    """404 unless the screen is the caller's."""
    return _public(get_screen(db, owner_user_id=user.id, screen_id=screen_id))


@router.delete("/{screen_id}", summary="Delete a saved screen", status_code=204)
def delete_saved(screen_id: ScreenId, user: CurrentUser, db: SessionDep) -> None:
    """404 unless the screen is the caller's."""
    delete_screen(db, owner_user_id=user.id, screen_id=screen_id)
    db.commit()
