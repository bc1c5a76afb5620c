"""Server-rendered pages of the 行情诊股 and 资讯 tabs and their htmx partials (量化, 财富, 我的: own route modules).

Handlers only gather view data (from the services) and render; every user-supplied string reaches the templates
as data and is escaped by Jinja's autoescape.

The landing state, search, quote and K-line and the feed's articles are public (:data:`PublicUser`): a visitor
without an account sees them, rate-limited per address, and in place of the diagnosis, the top scores, the watch
button, the watchlist and the personal feed a line saying why they need login, with sign-up and login buttons.
Those answers carry ``Cache-Control: public``; a signed-in user's carry ``private`` (:mod:`tandem.web.caching`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tandem.compliance.disclaimers import ai_content_label
from tandem.core.errors import UserError
from tandem.core.i18n import LANGS, Lang, pick_lang
from tandem.engagement import watchlist
from tandem.engagement.delivery.channels.inapp import notifications_for
from tandem.engagement.feed import build_feed, public_feed
from tandem.engagement.foryou import ForYouItem
from tandem.engagement.market_tab import for_you, index_chart_option, landing, radar, stock_panel
from tandem.identity import User, accounts
from tandem.marketdata.news.query import latest_news
from tandem.operations.server_events import record_watch
from tandem.web.caching import mark_cacheable
from tandem.web.deps import SessionDep, get_foryou, get_profiles
from tandem.web.pages.base import MemberPage, PageCall, PublicPage, VisitorPage, script_safe
from tandem.web.problems import status_of
from tandem.web.schemas import BarsPublic, InstrumentPublic
from tandem.web.state import AppState

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
NEWS_ON_TAB = 30
"""Market newsflash items on the 资讯 tab (newest first; ``GET /api/v1/news`` pages through the rest)."""


def _json(value: object) -> str:
    return script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def stock_context(state: AppState, code: str, user: User | None, db: SessionDep) -> dict[str, Any]:
    """Quote, chart data and (for a user) watch state of one stock (raises NotFoundError for unknown codes)."""
    p = stock_panel(state.store, db, code, user_id=user.id if user is not None else None)
    chart = BarsPublic.model_validate(p.bars).model_dump(mode="json")
    return {"quote": p.quote, "chart_json": _json(chart), "watched": p.watched, "news": p.news}


def home_context(state: AppState) -> dict[str, Any]:
    """The landing state (CSI 300, gainers, losers, top scores) or None when the store has no stock bars."""
    home = landing(state.home, state.store, state.diagnosis)
    chart = _json(index_chart_option(home.index)) if home is not None and home.index is not None else ""
    return {"home": home, "index_chart_json": chart}


def _public(resp: Response, p: PageCall[User | None]) -> Response:
    mark_cacheable(resp, p.request, anonymous=p.user is None)
    return resp


@router.get("/")
@router.get("/market")
def market_page(p: PublicPage, code: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """行情诊股 (also the app's front page ``/``): search, the landing state or one stock, and the watchlist."""
    user = p.user
    ctx: dict[str, Any] = {"error": None}
    ctx["watch"] = watchlist.watched_quotes(p.db, p.state.store, user_id=user.id) if user is not None else []
    if code:
        try:
            ctx.update(stock_context(p.state, code, user, p.db))
        except UserError as exc:
            ctx["error"] = str(exc)
    else:
        ctx.update(home_context(p.state))
    return _public(p.render("market.html", "market", **ctx), p)


@router.get("/market/search")
def market_search(p: PublicPage, q: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Htmx partial: the search hits for ``q``."""
    hits = [InstrumentPublic.of(i) for i in p.state.store.search(q[:40], limit=8)] if q.strip() else []
    return _public(p.render("partials/search_results.html", hits=hits, q=q), p)


@router.get("/market/stock/{code}")
def market_stock(code: str, p: PublicPage) -> Response:
    """Htmx partial: one stock's panel."""
    try:
        ctx = stock_context(p.state, code, p.user, p.db)
    except UserError as exc:
        status, _ = status_of(exc)
        return p.render("partials/error.html", status_code=status, error=str(exc))
    return _public(p.render("partials/stock_panel.html", "market", **ctx), p)


@router.post("/market/watch/{code}")
def toggle_watch(code: str, p: MemberPage, action: Annotated[str, Form(pattern="^(add|remove)$")]) -> Response:
    """htmx: add or remove a stock from the watchlist; returns the refreshed button."""
    watched = watchlist.set_watched(p.db, p.state.store, user_id=p.user.id, code=code, watched=action == "add")
    p.db.commit()
    record_watch(p.request.app.state.events, p.user.id, watched, added=action == "add")
    resp = p.render("partials/watch_button.html", code=watched, watched=action == "add")
    resp.headers["HX-Trigger"] = "watchlist-changed"
    return resp


@router.get("/market/watchlist")
def market_watchlist(p: MemberPage) -> Response:
    """Htmx partial: the watchlist with latest quotes."""
    return p.render("partials/watchlist.html", watch=watchlist.watched_quotes(p.db, p.state.store, user_id=p.user.id))


@router.get("/market/diagnosis/{code}")
def market_diagnosis(code: str, p: MemberPage) -> Response:
    """Htmx partial: radar of dimension scores, composite and rank, the three-minute brief."""
    try:
        diag = p.state.diagnosis.diagnose(code)
    except UserError as exc:
        return p.render("partials/error.html", error=str(exc))
    return p.render(
        "partials/diagnosis.html", diag=diag, i=LANGS.index(p.lang),
        radar_json=script_safe(json.dumps(radar(diag, p.lang), ensure_ascii=False)),
        ai_label=ai_content_label(p.lang) if diag.brief.ai_generated else None,
    )  # fmt: skip


@router.get("/news")
def news_page(p: PublicPage, news_offset: Annotated[int, Query(ge=0, le=10_000)] = 0) -> Response:
    """资讯: 为你推荐, my alerts and the chronological feed with the non-personalised switch.

    A visitor gets the articles and why to log in. Below them, 市场快讯: real news items newest first,
    :data:`NEWS_ON_TAB` a page (``news_offset`` pages back).
    """
    state, user, lang = p.state, p.user, p.lang
    ctx: dict[str, Any] = {"flash": latest_news(state.store, offset=news_offset, limit=NEWS_ON_TAB)}
    ctx |= {"flash_offset": news_offset, "flash_step": NEWS_ON_TAB}
    if user is None:
        ctx.update(items=public_feed(lang=lang, limit=50), alerts=[], foryou=[])
        return _public(p.render("news.html", "news", **ctx), p)
    ctx["items"] = build_feed(p.db, state.store, user=user, lang=lang, limit=50, changes=state.changes)
    ctx["alerts"] = notifications_for(state.sessions, client_id=str(user.id), limit=10)
    ctx["foryou"] = _for_you(p.request, state, user)
    return _public(p.render("news.html", "news", **ctx), p)


def _for_you(request: Request, state: AppState, user: User) -> list[ForYouItem]:
    profiles = get_profiles(request, state)
    return for_you(profiles, get_foryou(request, state, profiles), request.app.state.wealth, user)


@router.get("/news/algorithm")
def algorithm_page(p: VisitorPage) -> Response:
    """The published principles of the recommender (算法推荐管理规定 Art.16), readable before signing in."""
    return p.render("algorithm.html", "news")


@router.post("/news/settings")
def news_settings(p: MemberPage, non_personalised: Annotated[str | None, Form()] = None) -> Response:
    """htmx: store the non-personalised switch and return it."""
    accounts.set_non_personalised(p.db, user=p.user, value=non_personalised == "on")
    p.db.commit()
    return p.render("partials/feed_switch.html", user=p.user)


def lang_redirect(lang: Lang, to: str) -> Response:
    """Remember the language in a cookie and go back."""
    resp = RedirectResponse(to if to.startswith("/") and not to.startswith("//") else "/", status_code=303)
    resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return resp


@router.get("/lang/{lang}")
def set_lang(lang: str, next: Annotated[str, Query(max_length=200)] = "/market") -> Response:
    """Switch the interface language."""
    return lang_redirect(pick_lang(lang, None), next)
