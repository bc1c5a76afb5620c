"""The web composition root: ``create_app`` picks the store, the DB and the keys, and wires routes and middleware.

Nothing happens at import time; uvicorn calls ``create_app()`` in each worker (``tandem serve`` uses
``factory=True``), and each first brings the DB to the latest migration (serialised, see
:mod:`tandem.migrations.migrate`).
Tests pass their own settings and, optionally, a prepared store.
"""

from __future__ import annotations

import httpx
import structlog
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from starlette.middleware.gzip import GZipMiddleware

from tandem.advisor.wecom.client import off_reason, wecom_config
from tandem.advisor.wecom.delivery import WeComDelivery, wecom_delivery
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.logging import configure_logging
from tandem.core.settings import Settings, load_settings
from tandem.diagnosis.llm import rewriter_from_settings
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles
from tandem.engagement.delivery.channels.hub import MemoryNotificationHub, NotificationHub, RedisStreamHub
from tandem.engagement.event_factory import event_sink_from_settings
from tandem.engagement.ingest import EventIngestService
from tandem.engagement.score_changes import DiagnosisChanges
from tandem.identity import keys_for, redis_announcer, revocation_listener, watch_revocations
from tandem.marketdata.store import MarketStore
from tandem.marketdata.version_bus import version_listener
from tandem.migrations.migrate import migrate_app_db
from tandem.wealth.services import WealthServices
from tandem.web import operability, problems
from tandem.web.api import advisor as api_advisor
from tandem.web.api import alerts as api_alerts
from tandem.web.api import auth as api_auth
from tandem.web.api import backtests as api_backtests
from tandem.web.api import campaigns as api_campaigns
from tandem.web.api import compliance as api_compliance
from tandem.web.api import events as api_events
from tandem.web.api import feed as api_feed
from tandem.web.api import l2_stream as api_l2
from tandem.web.api import market as api_market
from tandem.web.api import news as api_news
from tandem.web.api import notifications as api_notifications
from tandem.web.api import operations as api_operations
from tandem.web.api import profile as api_profile
from tandem.web.api import screens as api_screens
from tandem.web.api import stocks as api_stocks
from tandem.web.api import users as api_users
from tandem.web.api import videos as api_videos
from tandem.web.api import watchlist as api_watchlist
from tandem.web.api import wealth as api_wealth
from tandem.web.fast_path import MarketFastPath
from tandem.web.lifespan import job_service, jobs_lifespan
from tandem.web.middleware import BodySizeLimit, SecurityHeaders
from tandem.web.pages import account as page_account
from tandem.web.pages import advisor as page_advisor
from tandem.web.pages import compliance as page_compliance
from tandem.web.pages import learning as page_learning
from tandem.web.pages import level2 as page_level2
from tandem.web.pages import market as page_market
from tandem.web.pages import operations as page_operations
from tandem.web.pages import quant as page_quant
from tandem.web.pages import referral as page_referral
from tandem.web.pages import wealth as page_wealth
from tandem.web.pages import workload as page_workload
from tandem.web.pages.staff_common import staff_error_page
from tandem.web.ratelimit import SlidingWindowLimiter
from tandem.web.response_cache import GZIP_LEVEL, GZIP_MINIMUM_SIZE
from tandem.web.schemas import Problem
from tandem.web.state import AppState
from tandem.web.static_files import CachedStaticFiles, cjk_font_path, font_response, missing_vendor_files
from tandem.web.templating import STATIC_DIR

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, *, store: MarketStore | None = None) -> FastAPI:
    """Build the FastAPI app: pages, ``/api/v1``, problem+json errors, gzip, size limits, security headers."""
    s = settings or load_settings()
    configure_logging(s.log_level)
    s.home.mkdir(parents=True, exist_ok=True)
    migrate_app_db(s)
    engine = make_engine(s.sqlalchemy_url)
    vendor_missing = missing_vendor_files(STATIC_DIR)
    if vendor_missing:
        log.error("web.vendor_missing", files=vendor_missing, fix="run scripts/vendor_js.sh (make does) and restart")
    market = store or MarketStore.open(s.market_dir)
    redis_hub = RedisStreamHub.from_url(s.redis_url) if s.redis_url else None
    hub: NotificationHub = redis_hub if redis_hub is not None else MemoryNotificationHub()
    diagnosis = DiagnosisService(
        market,
        rewriter=rewriter_from_settings(s.llm_base_url, s.llm_api_key, s.llm_model),
        table_files=TableFiles.under(s.home),
    )
    state = AppState(
        settings=s,
        store=market,
        sessions=make_sessionmaker(engine),
        keys=keys_for(s),
        static_dir=STATIC_DIR,
        vendor_missing=vendor_missing,
        login_limiter=SlidingWindowLimiter(limit=20, window=60.0),
        public_limiter=SlidingWindowLimiter(limit=s.public_rate_limit, window=60.0),
        secure_cookies=s.host not in ("127.0.0.1", "localhost", "::1"),
        diagnosis=diagnosis,
        changes=DiagnosisChanges(diagnosis),
        hub=hub,
    )
    watch_revocations(state.sessions, state.bearer, announce=redis_announcer(s.redis_url) if s.redis_url else None)
    listeners = (
        [revocation_listener(s.redis_url, state.bearer), version_listener(s.redis_url, market)] if s.redis_url else []
    )
    app = FastAPI(
        title="Tandem API",
        version="1.0",
        summary="A-share market data, diagnosis, backtests and fund advisory for retail investors.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=jobs_lifespan(
            jobs := job_service(state.sessions, market.root),
            wake=(s.redis_url, redis_hub.wake_channel, state.waiters) if s.redis_url and redis_hub else None,
            listeners=listeners,
        ),
    )
    app.state.backtest_jobs = jobs
    app.state.tandem = state
    app.state.wealth = WealthServices(sessions=state.sessions, store=market, fund_master=s.fund_master)
    app.state.events = EventIngestService(sink=event_sink_from_settings(s))
    app.state.wecom = _wecom(s, state)
    problems.install(app, pages=staff_error_page)
    app.add_middleware(MarketFastPath)  # innermost: inside the timing middleware, ahead of the router
    operability.install(app, state)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["health"], summary="Liveness check")
    def healthz() -> dict[str, str]:
        """Answers 200 while the process serves requests."""
        return {"status": "ok"}

    font_path = cjk_font_path(STATIC_DIR)

    @app.get("/fonts/tandem-cjk", include_in_schema=False)
    def cjk_font() -> Response:
        """The CJK web font for devices without a Chinese system font (see static_files)."""
        return font_response(font_path)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI served from the vendored assets (no CDN)."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Tandem API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    for router in (
        api_auth.router,
        api_users.router,
        api_stocks.router,
        api_market.router,
        api_news.router,
        api_videos.router,
        api_watchlist.router,
        api_feed.router,
        api_events.router,
        api_notifications.router,
        api_profile.router,
        api_wealth.router,
        api_screens.router,
        api_backtests.router,
        api_l2.router,
        api_advisor.router,
        api_compliance.router,
        api_operations.router,
        api_campaigns.router,
        api_alerts.router,
        page_level2.router,
        page_quant.router,
        page_wealth.router,
        page_account.router,
        page_learning.router,
        page_market.router,
        page_operations.router,
        page_workload.router,
        page_advisor.router,
        page_compliance.router,
        page_referral.router,
    ):
        app.include_router(router)
    _add_problem_schema(app)
    return app


def _wecom(s: Settings, state: AppState) -> WeComDelivery | None:
    """The WeCom delivery when ``TANDEM_WECOM_*`` is complete; else None, logged with what is missing."""
    if wecom_config(s) is None:
        log.info("wecom.off", reason=off_reason(s))
        return None
    return wecom_delivery(s, state.sessions, httpx.Client(timeout=10.0))  # process-lifetime client


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        comps["Problem"] = Problem.model_json_schema()
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
