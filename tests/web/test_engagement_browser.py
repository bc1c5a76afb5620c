"""A new client's first week, in Debian's chromium (headless, Playwright): the 资讯 tab and the pushes change with
what they do, the live toast arrives over SSE, the tags show on 我的 and one is deleted, and the non-personalised
switch turns all of it off (the generic order, no push from inferred interests).

The server side of "a new session was imported" is driven from here, as the import job would: the session's real
bars and diagnosis tables (the sample's latest session, a market-wide sell-off with ChiNext movers), the session
triggers, the delivery policy and one dispatcher round through the in-app channel and the app's own hub. Earlier
days of the week are the client's own behaviour events, sent with those days' client times.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tandem.core.settings import Settings
from tandem.engagement import watchlist
from tandem.engagement.delivery.channels.inapp import InAppChannel
from tandem.engagement.delivery.dispatcher import Dispatcher
from tandem.engagement.delivery.models import PushDecisionRow
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.records import ClientContext, Reason
from tandem.engagement.delivery.service import PushService
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.profile_service import ProfileService
from tandem.engagement.triggers.bars import session_bars
from tandem.engagement.triggers.interests import stock_tags
from tandem.engagement.triggers.movers import detect_movers
from tandem.engagement.triggers.pipeline import InterestInputs, push_session
from tandem.engagement.triggers.records import ClientBook
from tandem.identity import User
from tandem.marketdata.store import MarketStore
from tandem.wealth import client as wealth_client
from tandem.web.app import create_app
from tandem.web.state import LiveStreamConfig

pytestmark = pytest.mark.browser
C3 = {"age": "b", "income": "b", "assets": "b", "debts": "b", "experience": "b", "horizon": "b",
      "loss_tolerance": "b", "purpose": "b"}  # fmt: skip
NO_QUIET = QuietHours(dtime(0), dtime(0), ZoneInfo("Asia/Shanghai"))  # start == end: never quiet, whenever CI runs


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> Iterator[tuple[str, FastAPI]]:
    """The real app under uvicorn (lifespan on), kept reachable so the test can run the session's push pipeline."""
    import uvicorn

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (make test does this as root)")
    home: Path = tmp_path_factory.mktemp("engage-live")
    app = create_app(Settings(home=home, secret_key="engage-browser-secret-0123456789abcdef"), store=sample_store)
    app.state.tandem.live = LiveStreamConfig(heartbeat=5, poll=2, lifetime=120)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def live_url(live: tuple[str, FastAPI]) -> str:
    """This module's server (the shared browser fixtures use it)."""
    return live[0]


def run_session(app: FastAPI, day: date) -> dict[str, str]:
    """What the import job does once ``day`` landed: the session pipeline, then one dispatcher round.

    Returns this run's decision per push category (``accepted``, or the refusal's reason).
    """
    state, wealth = app.state.tandem, app.state.wealth
    profiles: ProfileService = app.state.profiles
    with state.sessions() as db:
        users = list(db.scalars(select(User).where(User.role == "investor")))
        books = [ClientBook(str(u.id), watchlist=frozenset(watchlist.watched_codes(db, user_id=u.id))) for u in users]
        seen = db.scalar(select(func.max(PushDecisionRow.id))) or 0
    folded = profiles.update()
    contexts = {
        str(u.id): ClientContext(
            str(u.id), wealth_client.category_or_none(wealth, user_id=u.id), personalised=not u.non_personalised
        )
        for u in users
    }
    interests = InterestInputs(
        profiles={str(u.id): profiles.profile(u.id, state=folded) for u in users},
        stock_tags=stock_tags(profiles.catalogue),
    )
    policy = DeliveryPolicy(config=PolicyConfig(NO_QUIET, 6, {"inapp": 6}), suitability=wealth.suitability)
    with state.sessions() as db:
        push_session(
            db, push=PushService(policy=policy), diagnosis=state.diagnosis, day=day, books=books, alerts=(),
            clients=contexts, now=datetime.now(UTC), min_delta=0, interests=interests,
        )  # fmt: skip
        db.commit()
    channel = InAppChannel(sessions=state.sessions, hub=state.hub)  # the app's hub: wakes this worker's streams
    Dispatcher(sessions=state.sessions, channels={"inapp": channel}).run_once()
    with state.sessions() as db:
        rows = db.scalars(select(PushDecisionRow).where(PushDecisionRow.id > seen)).all()
        return {r.category: (r.outcome if r.outcome == "accepted" else r.reason) for r in rows}


def _foryou(page: Any) -> tuple[str, list[str]]:
    page.wait_for_selector("#foryou li")
    mode = page.get_attribute("#foryou", "data-mode")
    return mode, page.eval_on_selector_all("#foryou li", "els => els.map(e => e.dataset.candidate)")


def _post_events(page: Any, live_url: str, events: list[dict[str, Any]]) -> None:
    csrf = page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    resp = page.request.post(f"{live_url}/api/v1/events", data={"events": events}, headers={"X-CSRF-Token": csrf})
    assert resp.status == 202, resp.text()


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_first_week_changes_the_feed_and_pushes_and_the_switch_turns_it_off(
    phone_page: Any, signup: Callable[..., None], live: tuple[str, FastAPI], snap: Callable[..., None]
) -> None:
    live_url, app = live
    store: MarketStore = app.state.tandem.store
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    day = date.fromisoformat(str(store.info()["last_date"]))
    movers = {m.code for m in detect_movers(session_bars(store, day))}
    stocks = store.instruments("stock")
    chinext = sorted(stocks[stocks["board"] == "CHINEXT"]["code"], key=lambda c: (c in movers, c))
    assert len(chinext) >= 4 and len(movers & set(chinext[1:])) >= 1  # ChiNext stocks she does not follow moved

    # day 0: sign up and answer the questionnaire; 资讯 shows everyone's order
    signup(page, "first.week@example.com", display_name="新客户")
    for qid, key in C3.items():
        page.click(f"#q-{qid} .opt:has(input[value='{key}'])")
    page.click("#q-submit")
    page.wait_for_selector(".level-badge[data-level='C3']")
    uid = int(page.evaluate("() => document.body.dataset.uid"))
    page.goto(f"{live_url}/news")
    generic_mode, generic = _foryou(page)
    assert generic_mode == "non_personalised" and "还不了解你的兴趣" in page.inner_text("#foryou")

    # days 1–5: the client keeps opening ChiNext stocks and their briefs (the app's events, sent on those days)
    week = []
    for d in range(5, 0, -1):
        when = (datetime.now(UTC) - timedelta(days=d)).isoformat()
        for code in chinext[1:4]:
            for kind, props in (("stock_view", {}), ("brief_read", {"dwell_ms": 60_000 + d * 1000})):
                week.append({"event_id": str(uuid.uuid4()), "client_id": uid, "type": kind, "object_id": code,
                             "client_time": when, "session_id": f"day-{d}", "channel": "web",
                             "properties": props})  # fmt: skip
    _post_events(page, live_url, week)

    # today, in the page: search, open a stock in the htmx panel, watch it
    page.goto(f"{live_url}/market")
    code = chinext[0]
    page.fill("#q", code[:6])
    page.click(f"a[data-code='{code}']")
    page.wait_for_selector(f".quote[data-code='{code}']")
    page.click("#watch-btn")
    page.wait_for_selector("#watch-btn:has-text('删自选')")
    events = ParquetEventStore(event_store_root(app.state.tandem.settings))

    def stored(kind: str, obj: str | None = None) -> Any:
        frame = events.read(client_ids=[uid])
        return frame.filter((frame["type"] == kind) & ((frame["object_id"] == obj) if obj else True))

    page.wait_for_selector(f".brief-card[data-track-brief='{code}'] .brief", timeout=60_000)
    page.locator(".brief-card").scroll_into_view_if_needed()
    page.wait_for_timeout(2500)  # reading the 个股三分钟; leaving the page sends the time it was on screen
    page.goto(f"{live_url}/news")
    _wait_for(lambda: stored("brief_read", code).height == 1, "the brief's reading time")
    dwell = stored("brief_read", code)["properties"].str.json_path_match("$.dwell_ms").cast(int)[0]
    assert 2000 <= dwell < 60_000
    _wait_for(lambda: stored("stock_view", code).height >= 1, "the htmx panel's stock_view")
    _wait_for(lambda: stored("search").height >= 1, "the settled search")
    assert stored("stock_view", code)["channel"].to_list()[0] == "web"
    assert stored("watchlist_add", code).height == 1

    # 资讯 now follows the week: ChiNext briefs, each saying why
    page.reload()
    mode, mine = _foryou(page)
    assert mode == "personalised" and mine != generic
    chinext_briefs = {f"brief:{c}" for c in stocks[stocks["board"] == "CHINEXT"]["code"]}
    assert all(c.startswith("brief:") for c in mine) and sum(c in chinext_briefs for c in mine) >= 4
    # mostly ChiNext; a stock of another board can join through a theme (板块) the viewed stocks share
    shown = page.inner_text("#foryou")
    assert "你常看「创业板」的内容" in shown and shown.count("为什么推荐：你常看「") == len(mine)

    # the session lands while 资讯 is open: the pushes arrive live, as toasts and a badge on the tab
    page.wait_for_timeout(500)  # the page's EventSource is connected
    decided = run_session(app, day)
    assert decided == {"diagnosis_change": "accepted", "recommendation": "accepted"}
    page.wait_for_selector(".toast:nth-child(2)", timeout=10_000)
    toasts = page.inner_text("#toasts")
    assert "诊断评分" in toasts and "你关注的创业板" in toasts
    assert page.inner_text(".tabbar a[data-tab='news'] .badge") == "2"
    snap(page, "news_push.png", "为你推荐")
    page.click(".toast:has-text('你关注的创业板') .toast-dismiss")
    page.click(".toast:has-text('诊断评分') .toast-open")
    page.wait_for_url(re.compile(r".*/news\?note=\d+#note-\d+$"))
    alerts = page.inner_text(".alerts")
    assert "诊断评分" in alerts and "你关注的创业板" in alerts
    _wait_for(lambda: stored("push_open").height == 1 and stored("push_dismiss").height == 1, "push open/dismiss")

    # 我的: the tags, each with why; delete one, and it stays deleted
    page.goto(f"{live_url}/me")
    page.wait_for_selector(".tags-panel li[data-tag='board:CHINEXT']")
    assert "浏览" in page.inner_text(".tags-panel li[data-tag='board:CHINEXT'] .why")
    victim = page.eval_on_selector_all(".tags-panel li[data-tag^='industry:']", "els => els[0].dataset.tag")
    page.click(f".tags-panel li[data-tag='{victim}'] .tag-delete")
    page.wait_for_selector(f".tags-panel li[data-tag='{victim}']", state="detached")
    page.reload()
    page.wait_for_selector(".tags-panel li[data-tag='board:CHINEXT']")
    assert page.locator(f".tags-panel li[data-tag='{victim}']").count() == 0

    # the switch: everyone's order again, and pushes from inferred interests are refused
    page.goto(f"{live_url}/news")
    page.click("#feed-switch label")
    page.wait_for_selector("#feed-switch input:checked")
    page.reload()
    assert _foryou(page) == ("non_personalised", generic)
    assert "个性化推荐已关闭" in page.inner_text("#foryou")
    before = page.locator(".alerts li").count()
    again = run_session(app, day)
    assert again == {"recommendation": Reason.PERSONALISATION_OFF.value, "diagnosis_change": Reason.DUPLICATE.value}
    page.wait_for_timeout(1500)
    assert page.locator(".toast").count() == 0
    page.reload()
    assert page.locator(".alerts li").count() == before
    assert not errors, errors
