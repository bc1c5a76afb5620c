"""``/api/v1/auth`` and ``/api/v1/me``: login (bearer token), sign-up, logout everywhere, password, profile, feed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status

from tandem.identity import accounts, issue_token
from tandem.operations.server_events import record_sign_up
from tandem.operations.visitors import VISITOR_COOKIE
from tandem.web.deps import CurrentUser, SessionDep, StateDep, rate_limit_login
from tandem.web.problems import PROBLEM_JSON, PROBLEM_RESPONSES
from tandem.web.schemas import (
    FeedSettings,
    LoginRequest,
    PasswordChange,
    ProfileUpdate,
    TokenPublic,
    UserCreate,
    UserPublic,
)

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
_PROBLEM_BODY: dict[str, Any] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many attempts", "content": _PROBLEM_BODY},
    423: {"description": "Account locked", "content": _PROBLEM_BODY},
}


@router.post("/auth/login", tags=["auth"], summary="Log in and get a bearer token", responses=_LIMITED)
def login(body: LoginRequest, request: Request, state: StateDep, db: SessionDep) -> TokenPublic:
    """Exchange a phone/e-mail and password for a bearer token; 5 wrong passwords lock the account for 15 minutes."""
    rate_limit_login(request, state)
    user = accounts.authenticate(db, state.keys, username=body.username, password=body.password)
    token, ttl = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
    db.commit()
    return TokenPublic(access_token=token, expires_in=ttl)


@router.post(
    "/auth/signup",
    tags=["auth"],
    summary="Create an investor account",
    status_code=status.HTTP_201_CREATED,
    responses={409: PROBLEM_RESPONSES[400] | {"description": "Account exists"}, **_LIMITED},
)
def signup(body: UserCreate, request: Request, state: StateDep, db: SessionDep) -> UserPublic:
    """Sign up with a phone number or e-mail; the new account has the investor role."""
    rate_limit_login(request, state)
    user = accounts.create_user(
        db, state.keys, username=body.username, password=body.password, display_name=body.display_name
    )
    db.commit()
    record_sign_up(request.app.state.events, user.id, visitor_cookie=request.cookies.get(VISITOR_COOKIE))
    return UserPublic.model_validate(accounts.account_view(state.keys, user))


@router.post("/auth/logout", tags=["auth"], summary="Revoke all of my tokens and sessions", status_code=204)
def logout_everywhere(user: CurrentUser, db: SessionDep) -> None:
    """Invalidate every bearer token and browser session of the caller."""
    accounts.revoke_everywhere(db, user=user)
    db.commit()


@router.get("/me", tags=["auth"], summary="My account")
def me(user: CurrentUser, state: StateDep) -> UserPublic:
    """The caller's account, personal data masked."""
    return UserPublic.model_validate(accounts.account_view(state.keys, user))


@router.patch("/me", tags=["auth"], summary="Update my profile")
def update_me(body: ProfileUpdate, user: CurrentUser, state: StateDep, db: SessionDep) -> UserPublic:
    """Set display name, phone or ID number (validated, encrypted at rest, returned masked)."""
    accounts.update_profile(
        db, state.keys, user=user, display_name=body.display_name, phone=body.phone, id_number=body.id_number
    )
    db.commit()
    return UserPublic.model_validate(accounts.account_view(state.keys, user))


@router.post("/me/password", tags=["auth"], summary="Change my password", status_code=204)
def change_password(body: PasswordChange, user: CurrentUser, db: SessionDep) -> None:
    """Change the password; all earlier tokens and sessions stop working."""
    accounts.change_password(db, user=user, old_password=body.old_password, new_password=body.new_password)
    db.commit()


@router.put("/me/feed-settings", tags=["feed"], summary="Set the non-personalised feed switch")
def set_feed_settings(body: FeedSettings, user: CurrentUser, db: SessionDep) -> FeedSettings:
    """Store the caller's choice; when on, the feed never uses behaviour or holdings to rank items."""
    accounts.set_non_personalised(db, user=user, value=body.non_personalised)
    db.commit()
    return FeedSettings(non_personalised=user.non_personalised)
