"""Browser account pages: login, sign-up, logout, and the 我的 page (profile, interest tags, password change)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape

from tandem.core.errors import UserError
from tandem.engagement.tag_rows import tag_rows
from tandem.identity import SESSION_TTL, accounts
from tandem.operations.server_events import record_sign_up
from tandem.operations.visitors import VISITOR_COOKIE
from tandem.web.deps import (
    SESSION_COOKIE,
    CurrentUser,
    ProfilesDep,
    SessionDep,
    rate_limit_login,
)
from tandem.web.pages.base import AnonymousPage, MemberPage, VisitorPage
from tandem.web.pages.staff_common import home_for
from tandem.web.problems import status_of
from tandem.web.state import AppState

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _safe_next(next_url: str | None) -> str:
    return next_url if next_url and next_url.startswith("/") and not next_url.startswith("//") else "/market"


def _landing(role: str, next_url: str | None) -> str:
    """Where to go after login: staff without a page of their own to return to land on their role's home page."""
    home = home_for(role)
    if home is not None and (not next_url or next_url in ("/", "/market")):
        return home
    return _safe_next(next_url)


def _session_cookie(resp: Response, state: AppState, token: str) -> Response:
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        secure=state.secure_cookies,
        samesite="lax",
        path="/",
    )
    return resp


def _signed_in(state: AppState, token: str, to: str) -> Response:
    return _session_cookie(RedirectResponse(to, status_code=303), state, token)


@router.get("/login")
def login_page(p: VisitorPage, next: Annotated[str | None, Query()] = None) -> Response:
    """The login form (already logged-in users go straight to the app)."""
    if p.user is not None:
        return RedirectResponse(_landing(p.user.role, next), status_code=303)
    return p.render("login.html", "login", next=next or "", error=None, username="")


@router.post("/login")
def login_submit(
    p: AnonymousPage, username: Annotated[str, Form(max_length=254)], password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    """Check the password (rate-limited, lockout) and set the session cookie; staff land on their role's home."""
    state, db = p.state, p.db
    try:
        rate_limit_login(p.request, state)
        user = accounts.authenticate(db, state.keys, username=username, password=password)
        token = accounts.start_session(db, user=user)
        db.commit()
    except UserError as exc:
        status, _ = status_of(exc)
        error = str(exc) if status != 401 else "login.failed"
        return p.render("login.html", "login", status, next=next, error=error, username=username)
    return _signed_in(state, token, _landing(user.role, next))


def _signup_next(next_url: str | None) -> str:
    """Where to go after signing up: a local ``next`` (e.g. the stock a visitor was reading), else the 财富 tab."""
    return _safe_next(next_url) if next_url else "/wealth"


@router.get("/signup")
def signup_page(p: AnonymousPage, next: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """The sign-up form (``next``: where the sign-up button was pressed)."""
    return p.render("signup.html", "signup", error=None, username="", display_name="", next=_signup_next(next))


@router.post("/signup")
def signup_submit(
    p: AnonymousPage, username: Annotated[str, Form(max_length=254)], password: Annotated[str, Form(max_length=256)],
    display_name: Annotated[str, Form(max_length=40)] = "", next: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    """Create the account, sign in, and go back to ``next`` or else to the wealth tab for the risk questionnaire."""
    request, state, db = p.request, p.state, p.db
    try:
        rate_limit_login(request, state)
        user = accounts.create_user(
            db, state.keys, username=username, password=password, display_name=display_name or None
        )
        token = accounts.start_session(db, user=user)
        db.commit()
        visitor = request.cookies.get(VISITOR_COOKIE)
        identified = record_sign_up(request.app.state.events, user.id, visitor_cookie=visitor)
    except UserError as exc:
        db.rollback()
        status, _ = status_of(exc)
        return p.render(
            "signup.html", "signup", status, error=str(exc), username=username, display_name=display_name,
            next=_signup_next(next),
        )  # fmt: skip
    resp = _signed_in(state, token, _signup_next(next))
    if identified:
        resp.delete_cookie(VISITOR_COOKIE, path="/")
    return resp


@router.post("/logout")
def logout(request: Request, user: CurrentUser, db: SessionDep) -> Response:
    """End this browser session (htmx redirects the page to the login form)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    accounts.end_session(db, token=token)
    db.commit()
    resp = Response(status_code=204, headers={"HX-Redirect": "/login"})
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/me")
def me_page(p: MemberPage) -> Response:
    """我的: masked profile, role, password change."""
    return p.render("me.html", "me", me=accounts.account_view(p.state.keys, p.user), message=None)


@router.get("/me/tags")
def me_tags(p: MemberPage, svc: ProfilesDep) -> Response:
    """htmx: the interest tags panel — each tag with its why-line and a delete button (the API deletes)."""
    profile = svc.profile(p.user.id, state=svc.update())
    rows = tag_rows(profile, svc.evidence(client_id=p.user.id, tags=[t.key for t in profile.tags]), p.lang)
    return p.render("partials/tags_panel.html", tags=rows, activity=profile.activity)


@router.post("/me/profile")
def me_profile(
    p: MemberPage, display_name: Annotated[str, Form(max_length=40)] = "",
    phone: Annotated[str, Form(max_length=20)] = "", id_number: Annotated[str, Form(max_length=18)] = "",
) -> Response:  # fmt: skip
    """htmx: save the profile; fields left empty are kept."""
    try:
        accounts.update_profile(
            p.db, p.state.keys, user=p.user, display_name=display_name or None, phone=phone or None,
            id_number=id_number or None,
        )  # fmt: skip
        p.db.commit()
        message, ok = "account.saved", True
    except UserError as exc:
        p.db.rollback()
        message, ok = str(exc), False
    me = accounts.account_view(p.state.keys, p.user)
    return p.render("partials/profile.html", "me", me=me, message=message, ok=ok)


@router.post("/me/password")
def me_password(
    p: MemberPage, old_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
) -> Response:  # fmt: skip
    """htmx: change the password; this session is replaced by a fresh one, all others end."""
    try:
        accounts.change_password(p.db, user=p.user, old_password=old_password, new_password=new_password)
        token = accounts.start_session(p.db, user=p.user)
        p.db.commit()
    except UserError as exc:
        p.db.rollback()
        return HTMLResponse(f'<p class="msg err" role="alert">{escape(str(exc))}</p>', status_code=200)
    resp = _session_cookie(HTMLResponse('<p class="msg ok" role="status">✓</p>'), p.state, token)
    resp.headers["HX-Refresh"] = "true"
    return resp
