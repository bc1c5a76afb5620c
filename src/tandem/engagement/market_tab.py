"""What the 行情诊股 and 资讯 tabs show, gathered from the quote, the chart, the watchlist, the news and the profile.

The pages (:mod:`tandem.web.pages.market`) parse the request and render; which records a stock's panel, the
landing state, the diagnosis radar and 为你推荐 are made of is decided here, so the same view can be served to a
page or a client that is not the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tandem.core.errors import UserError
from tandem.core.i18n import Lang
from tandem.diagnosis.chart import ChartBars, chart_bars
from tandem.diagnosis.market_home import HomeCache, IndexCard, MarketHome
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.service import DiagnosisService
from tandem.engagement import watchlist
from tandem.engagement.foryou import ForYou, ForYouItem, suitability_filter
from tandem.engagement.profile_service import ProfileService
from tandem.identity import User
from tandem.marketdata.news.query import NewsPage, latest_news
from tandem.marketdata.quote import Quote, quote
from tandem.marketdata.store import MarketStore
from tandem.wealth import client
from tandem.wealth.services import WealthServices

NEWS_ON_STOCK = 10
"""Related news items on a stock's panel (newest first)."""


@dataclass(frozen=True, slots=True)
class StockPanel:
    """One stock's panel: its quote, chart bars (qfq, with MAs), whether the user watches it, related news."""

    quote: Quote
    bars: ChartBars
    watched: bool
    news: NewsPage


def stock_panel(store: MarketStore, db: Session, code: str, *, user_id: int | None) -> StockPanel:
    """The panel of ``code`` (NotFoundError for an unknown code); ``user_id`` None: a visitor, who watches nothing."""
    q = quote(store, code)
    return StockPanel(
        quote=q,
        bars=chart_bars(store, q.code, adjust="qfq"),
        watched=user_id is not None and q.code in watchlist.watched_codes(db, user_id=user_id),
        news=latest_news(store, code=q.code, limit=NEWS_ON_STOCK),
    )


def index_chart_option(card: IndexCard) -> dict[str, Any]:
    """The ECharts option of the index card's close line (red up, green down, blue flat: the A-share colours)."""
    colour = "#e03131" if card.change > 0 else "#13a05a" if card.change < 0 else "#1f4fd8"
    return {
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


def landing(home: HomeCache, store: MarketStore, diagnosis: DiagnosisService) -> MarketHome | None:
    """The landing state (CSI 300, gainers, losers, top scores) or None when the store has no stock bars."""
    try:
        return home.get(store, diagnosis)
    except UserError:
        return None


def radar(diag: Diagnosis, lang: Lang) -> dict[str, Any]:
    """The radar chart's data: the scored dimensions' names in ``lang`` and their scores."""
    scored = [d for d in diag.dimensions if d.score is not None]
    return {
        "name": diag.name,
        "labels": [d.label.render(lang) for d in scored],
        "scores": [d.score for d in scored],
    }


def for_you(profiles: ProfileService, builder: ForYou, wealth: WealthServices, user: User) -> list[ForYouItem]:
    """为你推荐: the profile is read only while personalisation is on (the switch turns profiling off here)."""
    personalised = not user.non_personalised
    profile = profiles.profile(user.id, state=profiles.update()) if personalised else None
    keep = suitability_filter(
        wealth.suitability, client_id=user.id, category=client.category_or_none(wealth, user_id=user.id)
    )
    return builder.for_client(profile, personalised=personalised, suitable=keep)
