"""``/r/<code>``: the public landing page a referral link or its QR code opens (开户导流).

Anyone may open it — it is the first thing a partner platform's audience sees. The link is checked and the
landing recorded (:mod:`tandem.operations.referrals`) under the visitor's id, kept in a cookie so a later landing
on another link is a second touch of the same visitor; signing up from here stitches those landings to the new
account (:mod:`tandem.operations.visitors`). A malformed or tampered link answers 400, an unknown one 404 and an
ended campaign 410, each with a page that says what is wrong and where to go instead, and none records anything.
Landings are rate-limited per address so a script cannot inflate a partner's figures.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tandem.core.errors import NotFoundError, UserError
from tandem.operations import referrals
from tandem.operations.errors import CampaignEndedError, ReferralParamsError
from tandem.operations.visitors import VISITOR_COOKIE, VISITOR_COOKIE_MAX_AGE, new_visitor_id, visitor_from_cookie
from tandem.web.deps import LangDep, MaybeUser, SessionDep, StateDep
from tandem.web.pages.base import base_context, templates
from tandem.web.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/r/{code}")
def landing(request: Request, code: str, state: StateDep, db: SessionDep, user: MaybeUser, lang: LangDep) -> Response:
    """Record the landing and show the welcome page with sign-up (or, for a client, the way back to the app)."""
    ctx = base_context(request, state, user, "landing")
    host = request.client.host if request.client else "unknown"
    wait = state.landing_limiter.hit(f"ip:{host}")
    if wait > 0:
        resp = render(templates, request, "landing_error.html", lang, 429, error="landing.too_many", problems=[], **ctx)
        resp.headers["Retry-After"] = str(int(wait) + 1)
        return resp
    visitor = visitor_from_cookie(request.cookies.get(VISITOR_COOKIE))
    who = user.id if user is not None else visitor or new_visitor_id()
    query = dict(request.query_params.items())
    query.pop("lang", None)  # the language switch is the app's own parameter, not the link's
    try:
        landed = referrals.record_landing(db, request.app.state.events, code=code, query=query, visitor_id=who)
    except UserError as exc:
        status = _status(exc)
        problems = exc.problems if isinstance(exc, ReferralParamsError) else []
        return render(templates, request, "landing_error.html", lang, status, error=str(exc), problems=problems, **ctx)
    resp = render(templates, request, "landing.html", lang, link=landed.properties, **ctx)
    if user is None:
        resp.set_cookie(
            VISITOR_COOKIE,
            str(who),
            max_age=VISITOR_COOKIE_MAX_AGE,
            httponly=True,
            secure=state.secure_cookies,
            samesite="lax",
            path="/",
        )
    resp.headers["Cache-Control"] = "no-store"  # every open is a landing; a cached page would not be counted
    return resp


def _status(exc: UserError) -> int:
    if isinstance(exc, CampaignEndedError):
        return 410
    if isinstance(exc, NotFoundError):
        return 404
    return 400
