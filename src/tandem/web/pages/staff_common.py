"""What the staff pages share: the role gate, each role's landing page, HTML error pages, the screen dependency.

Staff pages live under ``/advisor``, ``/compliance`` and ``/ops``. A wrong role gets an HTML 403 page and an
unknown (or another advisor's) client an HTML 404 page — rendered by :func:`staff_error_page`, which
:mod:`tandem.web.problems` calls for those paths — so a browser never shows raw problem+json on a staff screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff
from tandem.core.i18n import LANGS, Lang, pick_lang
from tandem.identity import User
from tandem.web.caching import PRIVATE
from tandem.web.deps import LANG_COOKIE, CurrentUser, LangDep, SessionDep, StateDep
from tandem.web.errors import ForbiddenError
from tandem.web.pages.base import base_context, templates
from tandem.web.state import AppState
from tandem.web.templating import render

STAFF_PREFIXES = ("/advisor", "/compliance", "/ops")
HOMES = {
    "advisor": "/advisor/clients",
    "compliance": "/compliance/reviews",
    "operations": "/ops",
    "admin": "/ops/workload",
}


def home_for(role: str) -> str | None:
    """Where a staff role lands after logging in (None: an investor or partner, whose landing is unchanged)."""
    return HOMES.get(role)


def is_staff_path(path: str) -> bool:
    """Whether ``path`` is a staff page (``/ops`` itself, ``/ops/…``; not ``/api/…`` or ``/opsx``)."""
    return any(path == p or path.startswith(p + "/") for p in STAFF_PREFIXES)


def staff_role(*roles: str) -> Callable[[User], User]:
    """A page dependency letting only ``roles`` (and admin) through; others get the HTML 403 page."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles and user.role != "admin":
            raise ForbiddenError(f"this page is for {' / '.join(roles)}; you are signed in as {user.role}")
        return user

    return check


AdvisorUser = Annotated[User, Depends(staff_role("advisor"))]
ComplianceUser = Annotated[User, Depends(staff_role("compliance"))]
OpsStaffUser = Annotated[User, Depends(staff_role("operations"))]


def as_staff(user: User) -> Staff:
    """The signed-in staff member as the advisor services see them."""
    return Staff(user_id=user.id, role=user.role)


def staff_page(
    request: Request, state: AppState, user: User, lang: Lang, name: str, tab: str, status_code: int = 200, **ctx: Any
) -> Response:
    """Render a staff template with the shared context (private, never cached by proxies)."""
    ctx |= {"i": LANGS.index(lang)}  # picks the zh or en field of bilingual records: (x.label_zh, x.label_en)[i]
    resp = render(templates, request, name, lang, status_code, **base_context(request, state, user, tab), **ctx)
    resp.headers["Cache-Control"] = PRIVATE
    return resp


def error_status(request: Request) -> int:
    """400 for a plain form post with bad input; 200 for htmx, which swaps only 2xx answers into the page."""
    return 200 if request.headers.get("hx-request") else 400


def staff_error_page(request: Request, status: int, detail: str) -> Response | None:
    """The HTML 403 / 404 page for a staff path (None elsewhere: the caller answers problem+json as before)."""
    if status not in (403, 404) or not is_staff_path(request.url.path):
        return None
    lang = pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    state: AppState = request.app.state.tandem
    ctx = base_context(request, state, None, "staff-error")
    resp = render(templates, request, "staff/error.html", lang, status, status=status, detail=detail, **ctx)
    resp.headers["Cache-Control"] = PRIVATE
    return resp


@dataclass(frozen=True, slots=True)
class StaffScreen:
    """One staff request as every staff handler needs it: who asks, the app, the session, the language.

    Folds the five dependencies each handler used to list, and the render call, into one parameter.
    """

    request: Request
    state: AppState
    user: User
    db: Session
    lang: Lang

    @property
    def staff(self) -> Staff:
        """The signed-in staff member as the advisor services see them."""
        return as_staff(self.user)

    def page(self, name: str, tab: str, status_code: int = 200, **ctx: Any) -> Response:
        """Render a staff template (:func:`staff_page`)."""
        return staff_page(self.request, self.state, self.user, self.lang, name, tab, status_code, **ctx)

    def error_status(self) -> int:
        """The status of a refused form post (:func:`error_status`)."""
        return error_status(self.request)


def advisor_screen(user: AdvisorUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep) -> StaffScreen:
    """The advisor pages' screen (role gate first)."""
    return StaffScreen(request=request, state=state, user=user, db=db, lang=lang)


def compliance_screen(
    user: ComplianceUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep
) -> StaffScreen:
    """The compliance pages' screen (role gate first)."""
    return StaffScreen(request=request, state=state, user=user, db=db, lang=lang)


def ops_screen(user: OpsStaffUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep) -> StaffScreen:
    """The operations staff pages' screen (role gate first)."""
    return StaffScreen(request=request, state=state, user=user, db=db, lang=lang)


AdvisorScreen = Annotated[StaffScreen, Depends(advisor_screen)]
ComplianceScreen = Annotated[StaffScreen, Depends(compliance_screen)]
OpsScreen = Annotated[StaffScreen, Depends(ops_screen)]
