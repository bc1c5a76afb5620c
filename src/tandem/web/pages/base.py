"""What every HTML page shares: the template environment, the base context, the page call, JSON safe in ``<script>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tandem.core.i18n import Lang
from tandem.engagement.delivery.channels.inapp import latest_notification_id
from tandem.identity import User, csrf_token
from tandem.web.caching import PRIVATE
from tandem.web.deps import SESSION_COOKIE, CurrentUser, LangDep, MaybeUser, PublicUser, SessionDep, StateDep
from tandem.web.state import AppState
from tandem.web.templating import make_templates, render

templates = make_templates()


def base_context(request: Request, state: AppState, user: User | None, tab: str) -> dict[str, Any]:
    """What every page needs: the user, active tab, CSRF token for htmx, vendor banner.

    ``notes_after`` is the newest notification the signed-in user had when the page was rendered: the page's live
    stream starts there, so a push stored between rendering and connecting still arrives as a toast.
    """
    cookie = request.cookies.get(SESSION_COOKIE, "")
    notes_after = latest_notification_id(state.sessions, client_id=str(user.id)) if user is not None else 0
    return {
        "notes_after": notes_after,
        "user": user,
        "tab": tab,
        "csrf": csrf_token(state.keys.csrf, cookie) if cookie else "",
        "vendor_missing": state.vendor_missing,
        "path": request.url.path,
    }


def login_needed(request: Request, state: AppState, lang: Lang, tab: str) -> Response:
    """A tab that needs an account, shown to a visitor: why, in one line, with sign-up and login buttons (200)."""
    ctx = base_context(request, state, None, tab) | {"need": tab, "next": request.url.path}
    resp = render(templates, request, "login_needed.html", lang, **ctx)
    resp.headers["Cache-Control"] = PRIVATE
    return resp


def script_safe(text: str) -> str:
    """JSON that cannot close the ``<script>`` element it is embedded in."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


UserT = TypeVar("UserT", User, User | None)


@dataclass(frozen=True, slots=True)
class PageCall(Generic[UserT]):
    """One page request as its handler needs it: the request, the app, the session, the language and who asks.

    Folds the dependencies every page handler used to list, and the base context plus render call, into one
    parameter (:data:`MemberPage`, :data:`VisitorPage`, :data:`PublicPage`).
    """

    request: Request
    state: AppState
    db: Session
    lang: Lang
    user: UserT

    def render(self, name: str, tab: str | None = None, status_code: int = 200, **ctx: Any) -> Response:
        """Render ``name``; with ``tab``, over the base context of that tab (:func:`base_context`)."""
        if tab is not None:
            ctx = base_context(self.request, self.state, self.user, tab) | ctx
        return render(templates, self.request, name, self.lang, status_code, **ctx)


def member_page(user: CurrentUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep) -> PageCall[User]:
    """A page for signed-in users only (others: the login redirect or 401)."""
    return PageCall(request=request, state=state, db=db, lang=lang, user=user)


def visitor_page(
    user: MaybeUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep
) -> PageCall[User | None]:
    """A page that renders differently for a visitor (``user`` None) and a signed-in user."""
    return PageCall(request=request, state=state, db=db, lang=lang, user=user)


def public_page(
    user: PublicUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep
) -> PageCall[User | None]:
    """A public market page: a visitor is rate-limited per address (:data:`tandem.web.deps.PublicUser`)."""
    return PageCall(request=request, state=state, db=db, lang=lang, user=user)


def anonymous_page(request: Request, state: StateDep, db: SessionDep, lang: LangDep) -> PageCall[User | None]:
    """A page rendered for nobody in particular, whoever asks (the login and sign-up forms)."""
    return PageCall(request=request, state=state, db=db, lang=lang, user=None)


MemberPage = Annotated[PageCall[User], Depends(member_page)]
AnonymousPage = Annotated[PageCall[User | None], Depends(anonymous_page)]
VisitorPage = Annotated[PageCall[User | None], Depends(visitor_page)]
PublicPage = Annotated[PageCall[User | None], Depends(public_page)]
