"""Market pages without an account: public quotes, K-line, search, landing state and articles; the rest says why.

A visitor reads market data (rate-limited per client address, answers cacheable by shared caches); diagnosis,
scores, the watchlist, the personal feed, quant and wealth need an account and say so with a sign-up button.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest
from fastapi import FastAPI

from tandem.core.i18n import translate
from tandem.web.ratelimit import SlidingWindowLimiter

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HTML = {"Accept": "text/html"}
PUBLIC = "public, max-age=60"
PRIVATE = "private, no-cache"
NOTE = "alice-private-note-7f3"
PUBLIC_PAGES = ("/", "/market", "/market?code=600519.SH", "/market/search?q=gzmt", "/market/stock/600519.SH", "/news")
PUBLIC_API = (
    "/api/v1/stocks?q=600519",
    "/api/v1/stocks/600519.SH/quote",
    "/api/v1/stocks/600519.SH/bars?start=2024-01-02",
    "/api/v1/market/home",
    "/api/v1/news?code=600519",
)


def _vary(r: Any) -> set[str]:
    return {v.strip().lower() for v in r.headers.get("vary", "").split(",") if v.strip()}


def _assert_public(r: Any) -> None:
    assert r.status_code == 200, (r.url, r.status_code, r.text[:300])
    assert r.headers["cache-control"] == PUBLIC, r.url
    assert {"authorization", "cookie"} <= _vary(r), r.url
    assert "set-cookie" not in r.headers, r.url


@pytest.fixture
def watching_alice(client: TestClient, alice: dict[str, str]) -> dict[str, str]:
    """Alice, who watches 600519 with a private note (which no visitor may ever see)."""
    r = client.post("/api/v1/watchlist", headers=alice, json={"code": "600519", "note": NOTE})
    assert r.status_code == 201, r.text
    return alice


def test_curl_of_the_front_page_is_the_market_landing(client: TestClient) -> None:
    r = client.get("/", headers=HTML, follow_redirects=False)
    _assert_public(r)
    assert 'id="market-home"' in r.text and 'id="gainers"' in r.text and 'class="card index-card"' in r.text
    assert 'id="q"' in r.text  # the search box
    assert 'id="top-scores"' not in r.text  # the scores are the diagnosis: login only
    assert 'data-need="scores"' in r.text and 'data-need="watchlist"' in r.text
    assert translate("zh", "login.why.scores") in r.text
    assert 'href="/signup?next=' in r.text and 'class="tabbar"' in r.text


def test_every_public_page_and_endpoint_answers_a_visitor_without_personal_data(
    client: TestClient, watching_alice: dict[str, str]
) -> None:
    for url in PUBLIC_PAGES + PUBLIC_API:
        r = client.get(url, headers=HTML if not url.startswith("/api/") else {}, follow_redirects=False)
        _assert_public(r)
        assert NOTE not in r.text and "alice" not in r.text.lower(), url
        assert "data-uid=" not in r.text and "X-CSRF-Token" not in r.text, url
    home = client.get("/api/v1/market/home").json()
    assert home["top_scores"] is None and home["gainers"] and home["index"]["closes"]
    assert client.get("/api/v1/stocks/600519.SH/quote").json()["code"] == "600519.SH"
    assert client.get("/api/v1/stocks?q=gzmt").json()["items"][0]["code"] == "600519.SH"


def test_stock_page_shows_quote_and_kline_and_why_diagnosis_needs_login(client: TestClient) -> None:
    for url in ("/market?code=600519.SH", "/market/stock/600519.SH"):
        r = client.get(url, headers=HTML)
        _assert_public(r)
        assert "贵州茅台" in r.text and 'class="kline-data"' in r.text and '"dates":[' in r.text
        assert 'data-need="diagnosis"' in r.text and translate("zh", "login.why.diagnosis") in r.text
        assert "/market/diagnosis/" not in r.text and "/market/l2/" not in r.text  # never loaded for a visitor
        assert 'id="watch-btn"' not in r.text and 'id="watch-login"' in r.text
        assert "/signup?next=/market%3Fcode%3D600519.SH" in r.text
    en = client.get("/market?code=600519.SH&lang=en", headers=HTML)
    assert translate("en", "login.why.diagnosis").replace("'", "&#39;") in en.text


def test_signed_in_answers_are_private_and_keep_the_personal_parts(
    client: TestClient, watching_alice: dict[str, str]
) -> None:
    page = client.get("/market?code=600519.SH", headers={**watching_alice, **HTML})
    assert page.status_code == 200 and page.headers["cache-control"] == PRIVATE
    assert {"authorization", "cookie"} <= _vary(page)
    assert NOTE in page.text and 'id="watch-btn"' in page.text and "/market/diagnosis/600519.SH" in page.text
    assert 'data-need="' not in page.text
    landing = client.get("/", headers={**watching_alice, **HTML})
    assert landing.headers["cache-control"] == PRIVATE and 'id="top-scores"' in landing.text
    for url in PUBLIC_API:
        r = client.get(url, headers=watching_alice)
        assert r.status_code == 200 and r.headers["cache-control"] == PRIVATE, url
    assert len(client.get("/api/v1/market/home", headers=watching_alice).json()["top_scores"]) == 5


def test_a_stale_session_cookie_gets_the_visitor_page_but_never_a_shared_cache_entry(client: TestClient) -> None:
    client.cookies.set("tandem_session", "expired-or-forged")
    try:
        for url in ("/market", "/api/v1/stocks/600519.SH/quote"):
            r = client.get(url, headers=HTML if url == "/market" else {})
            assert r.status_code == 200 and r.headers["cache-control"] == PRIVATE, url
        assert 'data-need="scores"' in client.get("/market", headers=HTML).text
    finally:
        client.cookies.clear()


def test_personal_routes_still_refuse_a_visitor(client: TestClient) -> None:
    for url in (
        "/api/v1/stocks/600519.SH/diagnosis",
        "/api/v1/watchlist",
        "/api/v1/feed",
        "/api/v1/me",
        "/api/v1/stocks/600519.SH/l2/stream",
    ):
        r = client.get(url)
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json"), url
    for url in ("/market/diagnosis/600519.SH", "/market/watchlist", "/market/l2/600519.SH", "/me"):
        r = client.get(url, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), url
    r = client.post("/market/watch/600519.SH", data={"action": "add"}, follow_redirects=False)
    assert r.status_code == 401
    r = client.post("/news/settings", data={"non_personalised": "on"}, follow_redirects=False)
    assert r.status_code == 401
    r = client.post("/quant/screen", data={"expression": "close > 0"}, follow_redirects=False)
    assert r.status_code == 401


@pytest.mark.parametrize("tab", ["quant", "wealth"])
def test_tabs_that_need_login_say_why_instead_of_redirecting(client: TestClient, tab: str) -> None:
    r = client.get(f"/{tab}", headers=HTML, follow_redirects=False)
    assert r.status_code == 200 and r.headers["cache-control"] == PRIVATE
    assert 'id="login-needed-page"' in r.text and f'data-need="{tab}"' in r.text
    assert translate("zh", f"login.why.{tab}") in r.text
    assert f'href="/signup?next=/{tab}"' in r.text and f'href="/login?next=/{tab}"' in r.text
    assert 'class="tabbar"' in r.text
    en = client.get(f"/{tab}?lang=en", headers=HTML)
    assert translate("en", f"login.why.{tab}") in en.text and "Sign up" in en.text


def test_news_for_a_visitor_has_the_articles_and_no_feed_switch(client: TestClient) -> None:
    r = client.get("/news", headers=HTML)
    _assert_public(r)
    assert "什么是前复权？" in r.text and 'id="feed-switch"' not in r.text
    assert 'data-need="feed"' in r.text and 'href="/news/algorithm"' in r.text


def test_sign_up_from_a_stock_returns_to_it(client: TestClient) -> None:
    form = client.get("/signup?next=/market%3Fcode%3D600519.SH", headers=HTML)
    assert 'name="next" value="/market?code=600519.SH"' in form.text
    body = {"username": "visitor@example.com", "password": "Visitor-pass-1", "next": "/market?code=600519.SH"}
    r = client.post("/signup", data=body, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/market?code=600519.SH"
    page = client.get("/market?code=600519.SH", headers=HTML)
    assert page.headers["cache-control"] == PRIVATE and 'id="watch-btn"' in page.text
    client.cookies.clear()
    other = {"username": "visitor2@example.com", "password": "Visitor-pass-1", "next": "//evil.example"}
    r = client.post("/signup", data=other, follow_redirects=False)
    assert r.headers["location"] == "/market"  # never off-site
    client.cookies.clear()
    r = client.post("/signup", data={"username": "visitor3@example.com", "password": "Visitor-pass-1"})
    assert r.url.path == "/wealth"  # no next: the questionnaire, as before


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_visitors_are_rate_limited_per_address_and_recover(app: FastAPI, alice: dict[str, str]) -> None:
    clock = _Clock()
    app.state.tandem.public_limiter = SlidingWindowLimiter(limit=3, window=60.0, clock=clock)
    with (
        TestClient(app, raise_server_exceptions=False, client=("203.0.113.7", 5000)) as one,
        TestClient(app, raise_server_exceptions=False, client=("198.51.100.9", 5000)) as two,
    ):
        for url in ("/api/v1/stocks/600519.SH/quote", "/market/search?q=gzmt", "/api/v1/market/home"):
            assert one.get(url).status_code == 200
        for url in ("/api/v1/stocks/600519.SH/quote", "/market"):
            r = one.get(url, headers=HTML)
            assert r.status_code == 429, url
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers["retry-after"] == "61" and "public" not in r.headers.get("cache-control", "")
            body = r.json()
            assert body["status"] == 429 and "wait 61 s" in body["detail"]
        assert two.get("/api/v1/stocks/600519.SH/quote").status_code == 200  # another address has its own budget
        for _ in range(5):  # a signed-in caller is not counted against the address
            assert one.get("/api/v1/stocks/600519.SH/quote", headers=alice).status_code == 200
        clock.now += 30
        r = one.get("/api/v1/stocks/600519.SH/quote")
        assert r.status_code == 429 and r.headers["retry-after"] == "31"
        clock.now += 31
        assert one.get("/api/v1/stocks/600519.SH/quote").status_code == 200  # the window has passed


def test_the_rate_limit_is_a_setting(tmp_path: Any, sample_store: Any) -> None:
    from tandem.core.settings import Settings
    from tandem.web.app import create_app

    app = create_app(Settings(home=tmp_path, secret_key="x" * 40, public_rate_limit=7), store=sample_store)
    assert app.state.tandem.public_limiter.limit == 7 and app.state.tandem.public_limiter.window == 60.0


def test_openapi_documents_the_429_of_public_endpoints_only(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    public = {"/api/v1/stocks", "/api/v1/stocks/{code}/quote", "/api/v1/stocks/{code}/bars", "/api/v1/market/home"}
    for path in public:
        assert "429" in paths[path]["get"]["responses"], path
        assert "Retry-After" in paths[path]["get"]["responses"]["429"]["headers"]
    assert "429" not in paths["/api/v1/stocks/{code}/diagnosis"]["get"]["responses"]


def test_login_reasons_exist_in_both_languages() -> None:
    for need in ("diagnosis", "scores", "watchlist", "feed", "quant", "wealth"):
        key = f"login.why.{need}"
        zh, en = translate("zh", key), translate("en", key)
        assert zh != key and en != key and zh != en
        assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en)
