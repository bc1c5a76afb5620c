"""The ASGI fast path answers cache hits with the route's exact bytes and headers, and falls through otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore
from tandem.web.api import stocks
from tandem.web.app import create_app
from tandem.web.fast_path import MarketFastPath
from tandem.web.ratelimit import SlidingWindowLimiter

QUOTE = "/api/v1/stocks/600519.SH/quote"
BARS = "/api/v1/stocks/600519.SH/bars?start=2024-04-01"
DIAGNOSIS = "/api/v1/stocks/600519.SH/diagnosis"
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"


def _fast_path(client: TestClient, app: FastAPI) -> MarketFastPath:
    client.get("/livez")  # builds the middleware stack
    node: Any = app.middleware_stack
    while not isinstance(node, MarketFastPath):
        node = node.app
    return node


def _raw(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    with client.stream("GET", url, headers=headers) as r:
        return r.status_code, r.headers.multi_items(), b"".join(r.iter_raw())


def _fast_then_route(
    client: TestClient, fast: MarketFastPath, monkeypatch: pytest.MonkeyPatch, url: str, headers: dict[str, str]
) -> tuple[tuple[int, list[tuple[str, str]], bytes], tuple[int, list[tuple[str, str]], bytes], list[bool]]:
    """The answer with the fast path on (and whether it answered), then the normal route's answer."""
    real: Callable[..., Any] = fast.answer
    served: list[bool] = []

    def spy(scope: Any) -> Any:
        out = real(scope)
        served.append(out is not None)
        return out

    monkeypatch.setattr(fast, "answer", spy)
    via_fast = _raw(client, url, headers)
    monkeypatch.setattr(fast, "answer", lambda scope: None)
    via_route = _raw(client, url, headers)
    monkeypatch.setattr(fast, "answer", real)
    return via_fast, via_route, served


@pytest.mark.parametrize(
    ("url", "extra", "signed_in"),
    [
        (QUOTE, {}, False),
        (QUOTE, {"cookie": "lang=en"}, False),
        (QUOTE, {}, True),
        ("/api/v1/stocks/sh600519/quote", {"accept-encoding": "gzip"}, True),
        (BARS, {"accept-encoding": "identity"}, False),
        (BARS, {"accept-encoding": "gzip"}, False),
        (BARS, {"accept-encoding": "gzip, br"}, True),
        ("/api/v1/stocks/600519.SH/bars?adjust=none&start=2024-06-03&end=2024-06-28", {}, True),
        ("/api/v1/stocks/600519/bars", {"accept-encoding": "gzip"}, True),
        (DIAGNOSIS, {}, True),
        (DIAGNOSIS, {"accept-encoding": "gzip"}, True),
        (DIAGNOSIS + "?as_of=2024-06-28", {"accept-encoding": "gzip", "cookie": "lang=zh"}, True),
    ],
)
def test_hits_are_byte_identical_to_the_route(client, app, alice, monkeypatch, url, extra, signed_in) -> None:
    headers = {**(alice if signed_in else {}), **extra}
    assert client.get(url, headers=headers).status_code == 200  # the route builds and keeps the body
    client.get(url, headers=headers)  # re-remembers the token if building took longer than the memo's 5 s
    fast = _fast_path(client, app)
    via_fast, via_route, served = _fast_then_route(client, fast, monkeypatch, url, headers)
    assert served == [True], "a cached answer is served by the fast path"
    assert via_fast == via_route
    status, hdrs, body = via_fast
    assert status == 200 and body
    names = [k for k, _ in hdrs]
    assert "content-security-policy" in names and "content-length" in names
    assert dict(hdrs)["content-length"] == str(len(body))
    if "gzip" in headers.get("accept-encoding", "") and len(body) > 400:
        assert dict(hdrs)["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (QUOTE + "?lang=en", {}),  # a parameter the route does not take
        ("/api/v1/stocks/600519.SH/bars?adjust=bogus", {}),  # 422 from the route
        ("/api/v1/stocks/600519.SH/bars?start=2024-6-3", {}),  # a spelling only pydantic decides on
        ("/api/v1/stocks/600519.SH/bars?start=2024-04-01&start=2024-05-01", {}),
        ("/api/v1/stocks/600519.SH/bars?end=", {}),
        ("/api/v1/stocks/600519.SH/quote", {"authorization": "Basic abc"}),
        ("/api/v1/stocks/600519.SH/quote", {"authorization": "Bearer not-a-token"}),
        ("/api/v1/stocks/600519.SH/quote", {"cookie": "tandem_session=stale"}),
        (DIAGNOSIS, {}),  # a visitor: 401 from the route
        ("/api/v1/stocks/NOPE99/quote", {}),
        ("/api/v1/stocks/" + "9" * 21 + "/quote", {}),
    ],
)
def test_anything_unusual_falls_through_to_the_route(client, app, alice, monkeypatch, url, headers) -> None:
    for warm in (QUOTE, BARS, DIAGNOSIS, "/api/v1/stocks/600519.SH/bars"):
        client.get(warm, headers=alice)
    fast = _fast_path(client, app)
    via_fast, via_route, served = _fast_then_route(client, fast, monkeypatch, url, headers)
    assert served == [False]
    assert via_fast[0] == via_route[0]


def test_a_revoked_token_gets_the_routes_401(client, app, alice, monkeypatch) -> None:
    for url in (QUOTE, BARS, DIAGNOSIS):
        assert client.get(url, headers=alice).status_code == 200
    fast = _fast_path(client, app)
    assert client.post("/api/v1/auth/logout", headers=alice).status_code == 204
    for url in (QUOTE, BARS, DIAGNOSIS):
        via_fast, via_route, served = _fast_then_route(client, fast, monkeypatch, url, alice)
        assert served == [False]
        assert via_fast[0] == via_route[0] == 401


def test_a_visitor_over_the_rate_limit_gets_the_routes_429(client, app, monkeypatch) -> None:
    assert client.get(QUOTE).status_code == 200
    fast = _fast_path(client, app)
    monkeypatch.setattr(app.state.tandem, "public_limiter", SlidingWindowLimiter(limit=1, window=60.0))
    via_fast, _, served = _fast_then_route(client, fast, monkeypatch, QUOTE, {})
    assert served == [True] and via_fast[0] == 200, "the one allowed request"
    again, route_again, served = _fast_then_route(client, fast, monkeypatch, QUOTE, {})
    assert served == [False] and again[0] == route_again[0] == 429


def test_a_new_store_version_is_seen(web_settings, tmp_path, monkeypatch) -> None:
    store = _own_store(tmp_path)
    calls: list[str] = []
    real = stocks.quote

    def counting(store, code):  # type: ignore[no-untyped-def]
        calls.append(code)
        return real(store, code)

    monkeypatch.setattr(stocks, "quote", counting)
    app = create_app(web_settings, store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get(QUOTE).status_code == 200
        fast = _fast_path(client, app)
        _, _, served = _fast_then_route(client, fast, monkeypatch, QUOTE, {})
        assert served == [True] and calls == ["600519.SH"]
        with store.versioned.transaction() as tx:  # an import: any change makes a new version
            funds = tx.table("funds")
            tx.replace("funds", funds.head(len(funds) - 1))
        after, route_after, served = _fast_then_route(client, fast, monkeypatch, QUOTE, {})
        assert served == [False], "the old version's instrument and body are not used"
        assert calls == ["600519.SH", "600519.SH"], "the route rebuilt the body for the new version"
        assert after == route_after and after[0] == 200
        _, _, served = _fast_then_route(client, fast, monkeypatch, QUOTE, {})
        assert served == [True] and len(calls) == 2, "then the new version's body is served"


def _own_store(tmp_path: Path) -> MarketStore:
    """A store of the bundled sample this test may write a new version into (the shared one is read-only)."""
    root = tmp_path / "market"
    import_paths(root, [SAMPLE_DIR])
    return MarketStore.open(root)


def _count(client: TestClient, route: str) -> float:
    text = client.get("/metrics").text
    pattern = (
        rf'tandem_http_request_duration_seconds_count{{method="GET",route="{re.escape(route)}",status="200"}} (\S+)'
    )
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_fast_answers_are_counted_under_the_route_template(client, app, alice, monkeypatch) -> None:
    app.state.tandem.settings.metrics_scrape_hosts.append("testclient")
    client.get(BARS, headers=alice)
    client.get(BARS, headers=alice)  # re-remembers the token if building took longer than the memo's 5 s
    fast = _fast_path(client, app)
    before = _count(client, "/api/v1/stocks/{code}/bars")
    real = fast.answer
    served: list[bool] = []

    def spy(scope: Any) -> Any:
        out = real(scope)
        served.append(out is not None)
        return out

    monkeypatch.setattr(fast, "answer", spy)
    for _ in range(3):
        assert client.get(BARS, headers=alice).status_code == 200
    assert served.count(True) == 3
    assert _count(client, "/api/v1/stocks/{code}/bars") == before + 3
