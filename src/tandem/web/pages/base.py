"""What every HTML page shares: the one template environment, the base context, JSON safe inside ``<script>``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tandem.identity import User, csrf_token
from tandem.web.deps import SESSION_COOKIE
from tandem.web.state import AppState
from tandem.web.templating import make_templates

templates = make_templates()


def base_context(request: Request, state: AppState, user: User | None, tab: str) -> dict[str, Any]:
    """What every page needs: the user, active tab, CSRF token for htmx, vendor banner."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return {
        "user": user,
        "tab": tab,
        "csrf": csrf_token(state.keys.csrf, cookie) if cookie else "",
        "vendor_missing": state.vendor_missing,
        "path": request.url.path,
    }


def script_safe(text: str) -> str:
    """JSON that cannot close the ``<script>`` element it is embedded in."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
