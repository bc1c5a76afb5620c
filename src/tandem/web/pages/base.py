"""What every HTML page shares: the one template environment, the base context, JSON safe inside ``<script>``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from tandem.core.i18n import Lang
from tandem.engagement.delivery.channels.inapp import latest_notification_id
from tandem.identity import User, csrf_token
from tandem.web.caching import PRIVATE
from tandem.web.deps import SESSION_COOKIE
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
