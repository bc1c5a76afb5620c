"""Dependencies for handlers, as ``Annotated`` aliases: the app state, a DB session, the store, the current user.

Authentication accepts a bearer token (API clients) or the session cookie (the browser app). Unsafe methods with
cookie auth must carry the CSRF header, which the page sets for every htmx request. Read-only market endpoints take
:data:`ApiCaller` instead of :data:`CurrentUser`: it answers from the per-worker bearer memo (see
:mod:`tandem.identity.authcache`) without a DB session, and falls back to the full check on a miss or a cookie.
The public market pages and endpoints (quotes, K-line, search, landing state) take :data:`PublicUser` /
:data:`PublicCaller`: None for a visitor without an account, whose requests are rate-limited per client address.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from tandem.backtest.jobs.service import JobService
from tandem.core.i18n import Lang, pick_lang
from tandem.core.models import Instrument
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.foryou import ForYou, ranker_popularity
from tandem.engagement.items import build_items
from tandem.engagement.profile_service import ProfileService, ProfileStateStore
from tandem.engagement.recommend_store import load_ranker
from tandem.identity import Caller, Role, User, csrf_token
from tandem.identity.accounts import bearer_user, session_user
from tandem.marketdata.quote import instrument, remembered_instrument
from tandem.marketdata.store import MarketStore
from tandem.wealth.services import WealthServices
from tandem.web.errors import AuthRequiredError, ForbiddenError, TooManyRequestsError
from tandem.web.state import AppState

SESSION_COOKIE = "tandem_session"
LANG_COOKIE = "lang"
CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_state(request: Request) -> AppState:
    """The per-process state built by ``create_app`` (async: no thread-pool hop for an attribute read)."""
    state: AppState = request.app.state.tandem
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_db(state: StateDep) -> Iterator[Session]:
    """A DB session per request; handlers commit explicitly, anything uncommitted is rolled back."""
    session = state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_db)]


def get_store(state: StateDep) -> MarketStore:
    """The market store."""
    return state.store


StoreDep = Annotated[MarketStore, Depends(get_store)]


async def get_stock(
    state: StateDep,
    code: Annotated[str, Path(min_length=1, max_length=20, description="e.g. 600519.SH, 600519 or sh.600519")],
) -> Instrument:
    """The instrument named by the path's ``code``, resolved once per request (unknown codes: 404 with a suggestion).

    Handlers pass ``inst.code`` on, so every later step works on the canonical code instead of re-parsing input.
    A spelling seen before in this store version answers without a thread-pool hop.
    """
    hit = remembered_instrument(state.store, code)
    return hit if hit is not None else await run_in_threadpool(instrument, state.store, code)


StockDep = Annotated[Instrument, Depends(get_stock)]


def get_wealth(request: Request) -> WealthServices:
    """The wealth services ``create_app`` put on the app."""
    svc: WealthServices = request.app.state.wealth
    return svc


WealthDep = Annotated[WealthServices, Depends(get_wealth)]


def get_lang(request: Request) -> Lang:
    """The page language (query ``lang`` wins over the cookie)."""
    return pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


LangDep = Annotated[Lang, Depends(get_lang)]


def _user_from_request(request: Request, state: AppState, db: Session) -> User | None:
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthRequiredError("use an Authorization: Bearer <token> header from POST /api/v1/auth/login")
        return bearer_user(db, state.keys, token=token.strip(), memo=state.bearer)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    user = session_user(db, token=cookie)
    if user is None:
        return None
    if request.method not in _SAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, csrf_token(state.keys.csrf, cookie)):
            raise ForbiddenError("missing or wrong CSRF token; reload the page and try again")
    return user


def optional_user(request: Request, state: StateDep, db: SessionDep) -> User | None:
    """The caller if authenticated, else None (for pages that render differently when logged in)."""
    return _user_from_request(request, state, db)


def require_user(request: Request, state: StateDep, db: SessionDep) -> User:
    """The caller, or 401 (API) / a redirect to the login page (browser)."""
    user = _user_from_request(request, state, db)
    if user is None:
        raise AuthRequiredError("log in first: POST /api/v1/auth/login for a bearer token, or sign in on the web page")
    return user


def rate_limit_public(request: Request, state: StateDep) -> None:
    """Refuse a visitor without an account more than the allowed public requests per client address and minute."""
    host = request.client.host if request.client else "unknown"
    wait = state.public_limiter.hit(f"ip:{host}")
    if wait > 0:
        seconds = int(wait) + 1
        raise TooManyRequestsError(
            f"too many requests from your address without logging in; wait {seconds} s, or log in for more",
            retry_after=seconds,
        )


def public_user(request: Request, state: StateDep, db: SessionDep) -> User | None:
    """The caller of a public market page, or None for a visitor (whose requests are rate-limited per address)."""
    user = _user_from_request(request, state, db)
    if user is None:
        rate_limit_public(request, state)
    return user


MaybeUser = Annotated[User | None, Depends(optional_user)]
PublicUser = Annotated[User | None, Depends(public_user)]
CurrentUser = Annotated[User, Depends(require_user)]


def _caller_from_db(request: Request, state: AppState) -> Caller:
    session = state.sessions()
    try:
        user = require_user(request, state, session)
        return Caller(user_id=user.id, role=user.role)
    finally:
        session.rollback()
        session.close()


async def require_caller(request: Request, state: StateDep) -> Caller:
    """The caller of a read-only endpoint: a remembered bearer check, else the full check in a worker thread."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            claims = state.tokens.verify(state.keys.jwt, token.strip())
            hit = state.bearer.lookup(claims.user_id, claims.token_version)
            if hit is not None:
                return hit
    return await run_in_threadpool(_caller_from_db, request, state)


ApiCaller = Annotated[Caller, Depends(require_caller)]


def _cookie_caller(request: Request, state: AppState) -> Caller | None:
    session = state.sessions()
    try:
        user = _user_from_request(request, state, session)
        return None if user is None else Caller(user_id=user.id, role=user.role)
    finally:
        session.rollback()
        session.close()


async def public_caller(request: Request, state: StateDep) -> Caller | None:
    """The caller of a public read-only endpoint, or None for a visitor (rate-limited per client address).

    A bearer header must be valid (401 otherwise: a client that sends credentials learns they failed); a session
    cookie that no longer signs anybody in is treated as no cookie, as the pages do.
    """
    if request.headers.get("authorization"):
        return await require_caller(request, state)
    caller = await run_in_threadpool(_cookie_caller, request, state) if request.cookies.get(SESSION_COOKIE) else None
    if caller is None:
        rate_limit_public(request, state)
    return caller


PublicCaller = Annotated[Caller | None, Depends(public_caller)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only the given roles through (403 otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise ForbiddenError(f"this needs one of the roles {', '.join(roles)}; your role is {user.role}")
        return user

    return check


StaffUser = Annotated[User, Depends(require_role("operations", "compliance", "admin"))]
AdminUser = Annotated[User, Depends(require_role("admin"))]


def rate_limit_login(request: Request, state: StateDep) -> None:
    """Refuse more than the allowed login/sign-up attempts per client address and window."""
    host = request.client.host if request.client else "unknown"
    wait = state.login_limiter.hit(f"ip:{host}")
    if wait > 0:
        raise TooManyRequestsError(
            f"too many attempts from your address; wait {int(wait) + 1} s", retry_after=int(wait) + 1
        )


def get_jobs(request: Request) -> JobService:
    """The process's job service (started by the lifespan; started here too when a server runs without it)."""
    jobs: JobService = request.app.state.backtest_jobs
    jobs.start()
    return jobs


JobsDep = Annotated[JobService, Depends(get_jobs)]


_PROFILES_LOCK = threading.Lock()


def get_profiles(request: Request, state: StateDep) -> ProfileService:
    """The process's profile service, built on first use (its item catalogue reads the store), not at start-up."""
    svc: ProfileService | None = getattr(request.app.state, "profiles", None)
    if svc is None:
        with _PROFILES_LOCK:
            svc = getattr(request.app.state, "profiles", None)
            if svc is None:
                last = state.store.info().get("last_date")
                as_of = last if isinstance(last, date) else date.fromisoformat(str(last))
                svc = ProfileService(
                    events=ParquetEventStore(event_store_root(state.settings)),
                    state=ProfileStateStore(state.settings.home / "engagement" / "profiles"),
                    sessions=state.sessions,
                    catalogue=build_items(state.store, as_of=as_of),
                )
                request.app.state.profiles = svc
    return svc


ProfilesDep = Annotated[ProfileService, Depends(get_profiles)]


def get_foryou(request: Request, state: StateDep, profiles: ProfilesDep) -> ForYou:
    """The process's 为你推荐 builder over the profiles' catalogue, with the saved ranker's popularity when trained."""
    svc: ForYou | None = getattr(request.app.state, "foryou", None)
    if svc is None:
        with _PROFILES_LOCK:
            svc = getattr(request.app.state, "foryou", None)
            if svc is None:
                path = state.settings.home / "engagement" / "ranker.npz"
                popularity = ranker_popularity(profiles.catalogue, load_ranker(path)) if path.exists() else None
                svc = ForYou(catalogue=profiles.catalogue, popularity=popularity)
                request.app.state.foryou = svc
    return svc


ForYouDep = Annotated[ForYou, Depends(get_foryou)]
