"""The engagement half of the pages: the tags panel on 我的, 为你推荐 on 资讯 and its switch, and the behaviour events
the pages record (server side: watchlist, backtest, plan; client side: the markers events.js reads in every panel).

The browser journey through the same pages is ``test_engagement_browser.py``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app

CHINEXT = ["300014.SZ", "300015.SZ", "300033.SZ"]


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return int(client.get("/api/v1/me", headers=headers).json()["id"])


def _event(uid: int, kind: str, obj: str | None, *, days_ago: float = 0, **props: Any) -> dict[str, Any]:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return {"event_id": str(uuid.uuid4()), "client_id": uid, "type": kind, "object_id": obj,
            "client_time": when.isoformat(), "session_id": "s-test", "channel": "web", "properties": props}  # fmt: skip


def _browse_chinext(client: TestClient, headers: dict[str, str], uid: int, *, days_ago: float = 0) -> None:
    batch = [_event(uid, "stock_view", c, days_ago=days_ago) for c in CHINEXT]
    batch.append(_event(uid, "watchlist_add", CHINEXT[0], days_ago=days_ago))
    batch.append(_event(uid, "brief_read", CHINEXT[1], days_ago=days_ago, dwell_ms=95_000))
    assert client.post("/api/v1/events", json={"events": batch}, headers=headers).status_code == 202


def _stored(app: FastAPI, uid: int) -> pl.DataFrame:
    return ParquetEventStore(event_store_root(app.state.tandem.settings)).read(client_ids=[uid])


def _tag_keys(html: str) -> list[str]:
    return re.findall(r'<li data-tag="([^"]+)">', html)


def _foryou(html: str) -> tuple[str | None, list[str]]:
    pattern = r'<section class="card foryou" id="foryou"[^>]*data-mode="([a-z_]+)">(.*?)</section>'
    section = re.search(pattern, html, re.S)
    if section is None:
        return None, []
    return section.group(1), re.findall(r'data-candidate="([^"]+)"', section.group(2))


def test_tags_panel_shows_why_lines_and_deletions_hold(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    uid = _me(client, alice)
    assert 'hx-get="/me/tags"' in client.get("/me", headers=alice).text
    empty = client.get("/me/tags", headers=alice)
    assert empty.status_code == 200 and "还没有兴趣标签" in empty.text and _tag_keys(empty.text) == []
    _browse_chinext(client, alice, uid, days_ago=2)
    panel = client.get("/me/tags", headers=alice).text
    keys = _tag_keys(panel)
    assert keys[0] == "board:CHINEXT" and "product:stock" in keys
    row = panel[panel.index('data-tag="board:CHINEXT"') :].split("</li>")[0]
    assert "创业板" in row and "浏览 3 次" in row and "加自选 1 次" in row and "读个股三分钟 1 次" in row
    assert 'hx-delete="/api/v1/me/tags/board%3ACHINEXT"' in row
    english = client.get("/me/tags?lang=en", headers=alice).text
    assert "3 × viewed" in english and "Delete all" in english
    assert _tag_keys(client.get("/me/tags", headers=bob).text) == []  # only my own tags

    assert client.delete("/api/v1/me/tags/board%3ACHINEXT", headers=alice).status_code == 204
    after = client.get("/me/tags", headers=alice).text
    assert "board:CHINEXT" not in _tag_keys(after) and "industry:锂电池" in _tag_keys(after)
    # acts from before the deletion (a late batch, a rebuild) never bring it back, nor are they cited for it
    _browse_chinext(client, alice, uid, days_ago=3)
    assert "board:CHINEXT" not in _tag_keys(client.get("/me/tags", headers=alice).text)
    api = client.get("/api/v1/me/tags", headers=alice).json()["tags"]
    assert {t["key"] for t in api} == set(_tag_keys(client.get("/me/tags", headers=alice).text))
    assert all(t["why"].startswith("依据：") for t in api)

    assert client.delete("/api/v1/me/tags", headers=alice).status_code == 204
    assert _tag_keys(client.get("/me/tags", headers=alice).text) == []


def test_for_you_follows_the_tags_and_the_switch_gives_everyone_one_order(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    uid = _me(client, alice)
    mode, fresh = _foryou(client.get("/news", headers=alice).text)
    assert mode == "non_personalised" and len(fresh) == 6
    _, everyone = _foryou(client.get("/news", headers=bob).text)
    assert fresh == everyone  # a new client gets the order every client gets
    assert not any(c.startswith(("fund:", "strategy:")) for c in fresh)  # no products without an assessment

    _browse_chinext(client, alice, uid)
    page = client.get("/news", headers=alice).text
    mode, mine = _foryou(page)
    assert mode == "personalised" and mine != fresh
    assert all(c.startswith("brief:300") for c in mine)  # ChiNext briefs: the board she keeps looking at
    assert "你常看「创业板」的内容" in page and 'data-rec="300' in page

    assert client.post("/news/settings", headers=alice, data={"non_personalised": "on"}).status_code == 200
    page = client.get("/news", headers=alice).text
    assert _foryou(page) == ("non_personalised", everyone)
    assert "个性化推荐已关闭" in page and "你常看" not in page
    client.post("/news/settings", headers=alice, data={})
    assert _foryou(client.get("/news", headers=alice).text)[0] == "personalised"


def test_pages_record_watchlist_backtest_and_plan_events(
    app: FastAPI, client: TestClient, alice: dict[str, str]
) -> None:
    uid = _me(client, alice)
    assert client.post("/market/watch/300014", headers=alice, data={"action": "add"}).status_code == 200
    assert client.post("/market/watch/300014.SZ", headers=alice, data={"action": "remove"}).status_code == 200
    assert client.post("/market/watch/999999", headers=alice, data={"action": "add"}).status_code == 404
    run = client.post("/quant/backtests", headers=alice, data={"name": "低估值", "universe": "600519.SH 000001.SZ",
                                                              "start": "2024-01-02", "end": "2024-06-28"})  # fmt: skip
    assert run.status_code == 200 and "card error" not in run.text
    answers = {"age": "b", "income": "b", "assets": "b", "debts": "b", "experience": "b", "horizon": "b",
               "loss_tolerance": "b", "purpose": "b"}  # fmt: skip
    client.post("/wealth/assess", headers=alice, data={f"q_{k}": v for k, v in answers.items()})
    plan = client.post("/wealth/plan", headers=alice, data={"amount": "100000", "strategy": "balanced", "horizon": "3"})
    plan_id = int(re.search(r'data-plan-id="(\d+)"', plan.text).group(1))  # type: ignore[union-attr]
    client.post(f"/wealth/plans/{plan_id}/accept", headers=alice)
    events = _stored(app, uid)
    kinds = list(zip(events["type"], events["object_id"], strict=True))
    assert [k for k in kinds if k[0].startswith("watchlist")] == [
        ("watchlist_add", "300014.SZ"),
        ("watchlist_remove", "300014.SZ"),
    ]  # the refused add of an unknown code records nothing
    runs = events.filter(pl.col("type") == "backtest_run")
    assert runs.height == 1 and '"strategy":"低估值"' in runs["properties"][0]
    plans = events.filter(pl.col("type").is_in(["plan_view", "plan_accept"]))
    assert plans["type"].to_list() == ["plan_view", "plan_accept"]
    assert set(plans["object_id"]) == {"strategy:balanced"} and f'"plan_id":{plan_id}' in plans["properties"][0]


def test_panels_carry_what_events_js_reports(client: TestClient, alice: dict[str, str]) -> None:
    panel = client.get("/market/stock/300014", headers=alice).text  # the htmx swap a search hit makes
    assert 'data-track-stock="300014.SZ"' in panel
    full = client.get("/market?code=300014", headers=alice).text
    assert 'data-track-stock="300014.SZ"' in full and "/static/js/events.js" in full
    assert 'data-track-brief="300014.SZ"' in client.get("/market/diagnosis/300014.SZ", headers=alice).text
    hits = client.get("/market/search?q=亿纬", headers=alice).text
    assert 'data-search-query="亿纬"' in hits
    news = client.get("/news", headers=alice).text
    assert 'id="toasts"' in news and "/static/js/notify.js" in news and 'data-open="查看"' in news


def test_visitors_get_no_live_stream_script(sample_store: MarketStore, web_settings: Any) -> None:
    with TestClient(create_app(web_settings, store=sample_store)) as anon:
        page = anon.get("/news").text
    assert "notify.js" not in page and 'id="toasts"' not in page and 'id="foryou"' not in page
