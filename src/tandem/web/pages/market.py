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
from tandem.diagnosis.chart import chart_bars
from tandem.diagnosis.market_home import IndexCard, MarketHome
from tandem.engagement import watchlist
from tandem.engagement.delivery.channels.inapp import notifications_for
from tandem.engagement.feed import build_feed, public_feed
from tandem.engagement.foryou import ForYouItem, suitability_filter
from tandem.identity import User, accounts
from tandem.marketdata.news.query import latest_news
from tandem.marketdata.quote import quote
from tandem.wealth import client
from tandem.wealth.services import WealthServices
from tandem.web.caching import mark_cacheable
from tandem.web.deps import (
    CurrentUser,
    LangDep,
    MaybeUser,
    PublicUser,
    SessionDep,
    StateDep,
    get_foryou,
    get_profiles,
)
from tandem.web.pages.base import base_context, script_safe, templates
from tandem.web.problems import status_of
from tandem.web.schemas import BarsPublic, InstrumentPublic
from tandem.web.server_events import record_watch
from tandem.web.state import AppState
from tandem.web.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
NEWS_ON_STOCK = 10
"""Related news items on a stock's panel (newest first)."""
NEWS_ON_TAB = 30
"""Market newsflash items on the 资讯 tab (newest first; ``GET /api/v1/news`` pages through the rest)."""


def stock_context(state: AppState, code: str, user: User | None, db: SessionDep) -> dict[str, Any]:
    """Quote, chart data and (for a user) watch state of one stock (raises NotFoundError for unknown codes)."""
    q = quote(state.store, code)
    chart = BarsPublic.model_validate(chart_bars(state.store, q.code, adjust="qfq")).model_dump(mode="json")
    return {
        "quote": q,
        "chart_json": script_safe(json.dumps(chart, ensure_ascii=False, separators=(",", ":"))),
        "watched": user is not None and q.code in watchlist.watched_codes(db, user_id=user.id),
        "news": latest_news(state.store, code=q.code, limit=NEWS_ON_STOCK),
    }


def index_chart_json(card: IndexCard) -> str:
    """The ECharts option of the index card's close line (drawn by app.js like the other charts)."""
    colour = "#e03131" if card.change > 0 else "#13a05a" if card.change < 0 else "#1f4fd8"
    option = {
        "animation": False,
        "grid": {"left": 4, "right": 4, "top": 6, "bottom": 4},
        "tooltip": {"trigger": "axis", "confine": True},
        "xAxis": {"type": "category", "data": list(card.dates), "show": False, "boundaryGap": False},
        "yAxis": {"type": "value", "scale": True, "show": False},
        "series": [
            {
                "name": card.name,
                "type": "line",
                "data": list(card.closes),
                "showSymbol": False,
                "lineStyle": {"width": 1.5, "color": colour},
                "areaStyle": {"color": colour, "opacity": 0.08},
            }
        ],
    }
    return script_safe(json.dumps(option, ensure_ascii=False, separators=(",", ":")))


def home_context(state: AppState) -> dict[str, Any]:
    """The landing state (CSI 300, gainers, losers, top scores) or None when the store has no stock bars."""
    try:
        home: MarketHome | None = state.home.get(state.store, state.diagnosis)
    except UserError:
        home = None
    chart = index_chart_json(home.index) if home is not None and home.index is not None else ""
    return {"home": home, "index_chart_json": chart}


def _public(resp: Response, request: Request, user: User | None) -> Response:
    mark_cacheable(resp, request, anonymous=user is None)
    return resp


@router.get("/")
@router.get("/market")
def market_page(
    request: Request,
    user: PublicUser,
    state: StateDep,
    db: SessionDep,
    lang: LangDep,
    code: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """行情诊股 (also the app's front page ``/``): search, the landing state or one stock, and the watchlist."""
    ctx = base_context(request, state, user, "market")
    ctx["watch"] = watchlist.watched_quotes(db, state.store, user_id=user.id) if user is not None else []
    ctx["error"] = None
    if code:
        try:
            ctx.update(stock_context(state, code, user, db))
        except UserError as exc:
            ctx["error"] = str(exc)
    else:
        ctx.update(home_context(state))
    return _public(render(templates, request, "market.html", lang, **ctx), request, user)


@router.get("/market/search")
def market_search(
    request: Request, user: PublicUser, state: StateDep, lang: LangDep, q: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    """Htmx partial: the search hits for ``q``."""
    hits = [InstrumentPublic.of(i) for i in state.store.search(q[:40], limit=8)] if q.strip() else []
    return _public(render(templates, request, "partials/search_results.html", lang, hits=hits, q=q), request, user)


@router.get("/market/stock/{code}")
def market_stock(
    request: Request, code: str, user: PublicUser, state: StateDep, db: SessionDep, lang: LangDep
) -> Response:
    """Htmx partial: one stock's panel."""
    ctx = base_context(request, state, user, "market")
    try:
        ctx.update(stock_context(state, code, user, db))
    except UserError as exc:
        status, _ = status_of(exc)
        return render(templates, request, "partials/error.html", lang, status_code=status, error=str(exc))
    return _public(render(templates, request, "partials/stock_panel.html", lang, **ctx), request, user)


@router.post("/market/watch/{code}")
def toggle_watch(
    request: Request,
    code: str,
    user: CurrentUser,
    state: StateDep,
    db: SessionDep,
    lang: LangDep,
    action: Annotated[str, Form(pattern="^(add|remove)$")],
) -> Response:
    """htmx: add or remove a stock from the watchlist; returns the refreshed button."""
    watched = watchlist.set_watched(db, state.store, user_id=user.id, code=code, watched=action == "add")
    db.commit()
    record_watch(request, user.id, watched, added=action == "add")
    resp = render(templates, request, "partials/watch_button.html", lang, code=watched, watched=action == "add")
    resp.headers["HX-Trigger"] = "watchlist-changed"
    return resp


@router.get("/market/watchlist")
def market_watchlist(request: Request, user: CurrentUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """Htmx partial: the watchlist with latest quotes."""
    return render(
        templates,
        request,
        "partials/watchlist.html",
        lang,
        watch=watchlist.watched_quotes(db, state.store, user_id=user.id),
    )


@router.get("/market/diagnosis/{code}")
def market_diagnosis(request: Request, code: str, user: CurrentUser, state: StateDep, lang: LangDep) -> Response:
    """Htmx partial: radar of dimension scores, composite and rank, the three-minute brief."""
    try:
        diag = state.diagnosis.diagnose(code)
    except UserError as exc:
        return render(templates, request, "partials/error.html", lang, error=str(exc))
    i = LANGS.index(lang)
    scored = [d for d in diag.dimensions if d.score is not None]
    radar = {
        "name": diag.name,
        "labels": [d.label.render(lang) for d in scored],
        "scores": [d.score for d in scored],
    }
    return render(
        templates,
        request,
        "partials/diagnosis.html",
        lang,
        diag=diag,
        i=i,
        radar_json=script_safe(json.dumps(radar, ensure_ascii=False)),
        ai_label=ai_content_label(lang) if diag.brief.ai_generated else None,
    )


@router.get("/news")
def news_page(
    request: Request,
    user: PublicUser,
    state: StateDep,
    db: SessionDep,
    lang: LangDep,
    news_offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    """资讯: 为你推荐, my alerts and the chronological feed with the non-personalised switch.

    A visitor gets the articles and why to log in. Below them, 市场快讯: real news items newest first,
    :data:`NEWS_ON_TAB` a page (``news_offset`` pages back).
    """
    ctx = base_context(request, state, user, "news")
    ctx["flash"] = latest_news(state.store, offset=news_offset, limit=NEWS_ON_TAB)
    ctx["flash_offset"] = news_offset
    ctx["flash_step"] = NEWS_ON_TAB
    if user is None:
        ctx.update(items=public_feed(lang=lang, limit=50), alerts=[], foryou=[])
        return _public(render(templates, request, "news.html", lang, **ctx), request, user)
    ctx["items"] = build_feed(db, state.store, user=user, lang=lang, limit=50, changes=state.changes)
    ctx["alerts"] = notifications_for(state.sessions, client_id=str(user.id), limit=10)
    ctx["foryou"] = _for_you(request, state, user)
    return _public(render(templates, request, "news.html", lang, **ctx), request, user)


def _for_you(request: Request, state: AppState, user: User) -> list[ForYouItem]:
    """为你推荐: the profile is read only while personalisation is on (the switch turns profiling off here)."""
    profiles = get_profiles(request, state)
    builder = get_foryou(request, state, profiles)
    personalised = not user.non_personalised
    profile = profiles.profile(user.id, state=profiles.update()) if personalised else None
    wealth: WealthServices = request.app.state.wealth
    keep = suitability_filter(
        wealth.suitability, client_id=user.id, category=client.category_or_none(wealth, user_id=user.id)
    )
    return builder.for_client(profile, personalised=personalised, suitable=keep)


@router.get("/news/algorithm")
def algorithm_page(request: Request, user: MaybeUser, state: StateDep, lang: LangDep) -> Response:
    """The published principles of the recommender (算法推荐管理规定 Art.16), readable before signing in."""
    return render(templates, request, "algorithm.html", lang, **base_context(request, state, user, "news"))


@router.post("/news/settings")
def news_settings(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    lang: LangDep,
    non_personalised: Annotated[str | None, Form()] = None,
) -> Response:
    """htmx: store the non-personalised switch and return it."""
    accounts.set_non_personalised(db, user=user, value=non_personalised == "on")
    db.commit()
    return render(templates, request, "partials/feed_switch.html", lang, user=user)


def lang_redirect(lang: Lang, to: str) -> Response:
    """Remember the language in a cookie and go back."""
    resp = RedirectResponse(to if to.startswith("/") and not to.startswith("//") else "/", status_code=303)
    resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return resp


@router.get("/lang/{lang}")
def set_lang(lang: str, next: Annotated[str, Query(max_length=200)] = "/market") -> Response:
    """Switch the interface language."""
    return lang_redirect(pick_lang(lang, None), next)
