"""``/r/<code>``: public referral landings, the visitor cookie, and sign-ups stitched to their landings."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from tandem.core.settings import Settings
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.models import Campaign
from tandem.operations.referrals import create_link
from tandem.operations.scan import BEIJING, EventScan, Period
from tandem.operations.visitors import VISITOR_COOKIE, VISITOR_ID_FLOOR
from tandem.web.ratelimit import SlidingWindowLimiter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "Correct-horse-42"


def _link(app: FastAPI, source: str, partner: str = "direct", campaign: str = "direct") -> str:
    with app.state.tandem.sessions() as db:
        code = create_link(db, source=source, partner=partner, campaign=campaign).code
        db.commit()
    return code


def _events(settings: Settings) -> list[tuple[int, str, dict[str, object]]]:
    root = event_store_root(settings)
    if not root.exists():
        return []
    frame = ParquetEventStore(root, durable=False).read()
    return [(r["client_id"], r["type"], json.loads(r["properties"])) for r in frame.iter_rows(named=True)]


def _today() -> Period:
    day = (datetime.now(UTC) + BEIJING).date()
    return Period(day - timedelta(days=1), day)


def test_a_visitor_lands_twice_signs_up_and_the_funnel_counts_one_person(
    app: FastAPI, client: TestClient, web_settings: Settings
) -> None:
    wechat, video = _link(app, "wechat", "ths"), _link(app, "video")
    page = client.get(f"/r/{wechat}?utm_source=wechat&utm_content=ths")
    assert page.status_code == 200 and "欢迎来到 Tandem" in page.text
    assert "合作平台不会获得您的任何个人信息" in page.text and page.headers["cache-control"] == "no-store"
    visitor = int(page.cookies[VISITOR_COOKIE])
    assert visitor >= VISITOR_ID_FLOOR
    assert client.get(f"/r/{video}?lang=en").status_code == 200  # same browser: a second touch, same visitor
    landings = [e for e in _events(web_settings) if e[1] == "landing"]
    assert [c for c, _, _ in landings] == [visitor, visitor]
    assert {p["source"] for _, _, p in landings} == {"wechat", "video"}

    signed = client.post(
        "/signup", data={"username": "newbie@example.com", "password": PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert VISITOR_COOKIE in signed.headers["set-cookie"] and 'tandem_visitor=""' in signed.headers["set-cookie"]
    after = _events(web_settings)
    identify = [e for e in after if e[1] == "identify"]
    user_id = identify[0][0]
    assert identify == [(user_id, "identify", {"visitor": visitor})] and user_id < VISITOR_ID_FLOOR
    assert (user_id, "sign_up", {}) in after
    steps = {s.step: s.clients for s in funnel(EventScan(event_store_root(web_settings)), FunnelQuery(_today())).steps}
    assert steps["landing"] == 1 and steps["sign_up"] == 1


def test_bad_unknown_and_ended_links_say_why_and_record_nothing(
    app: FastAPI, client: TestClient, web_settings: Settings
) -> None:
    code = _link(app, "wechat", "ths")
    tampered = client.get(f"/r/{code}?utm_content=xueqiu")
    assert tampered.status_code == 400 and "utm_content" in tampered.text and "xueqiu" in tampered.text
    assert client.get(f"/r/{code}?ref=spam").status_code == 400
    assert client.get("/r/abcdef123456").status_code == 404
    assert client.get("/r/..%2Fetc").status_code in (400, 404)
    now = datetime.now(UTC)
    with app.state.tandem.sessions() as db:
        db.add(Campaign(code="etf-week", name="ETF 周", channel="wecom", target_step="first_deposit",
                        content_id="c1", content_version=1, audience="{}", control_share=0.1, seed=1,
                        starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=1)))  # fmt: skip
        db.commit()
    ended = _link(app, "search", campaign="etf-week")
    gone = client.get(f"/r/{ended}")
    assert gone.status_code == 410 and "ended" in gone.text
    assert _events(web_settings) == [] and VISITOR_COOKIE not in client.cookies


def test_landings_are_rate_limited_per_address(app: FastAPI, client: TestClient) -> None:
    app.state.tandem.landing_limiter = SlidingWindowLimiter(limit=3, window=60.0)
    code = _link(app, "offline_qr")
    assert [client.get(f"/r/{code}").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"/r/{code}")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "访问过于频繁" in refused.text


def test_a_signed_in_client_landing_counts_as_the_client_and_gets_no_visitor_cookie(
    app: FastAPI, client: TestClient, web_settings: Settings
) -> None:
    client.post("/signup", data={"username": "old@example.com", "password": PASSWORD})
    code = _link(app, "search")
    page = client.get(f"/r/{code}")
    assert page.status_code == 200 and "您已登录" in page.text and VISITOR_COOKIE not in page.cookies
    user_id = next(c for c, kind, _ in _events(web_settings) if kind == "sign_up")
    assert (user_id, "landing") in [(c, k) for c, k, _ in _events(web_settings)]
