"""The 资讯 feed's diagnosis-change items: the service's scores of a watched stock on the two latest sessions."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import pandas as pd

from tandem.diagnosis.models import Diagnosis
from tandem.marketdata.store import MarketStore

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _last_two_sessions(store: MarketStore) -> tuple[date, date]:
    days = store.sql("SELECT DISTINCT date FROM daily_bars ORDER BY date DESC LIMIT 2")["date"]
    return pd.Timestamp(days.iloc[1]).date(), pd.Timestamp(days.iloc[0]).date()


def _largest_move(now: Diagnosis, before: Diagnosis) -> tuple[str, int]:
    pairs = [
        (a.label.render("zh"), a.score - b.score)
        for a, b in zip(now.dimensions, before.dimensions, strict=True)
        if a.score is not None and b.score is not None
    ]
    return max(pairs, key=lambda p: abs(p[1]))


def _feed(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/feed?limit=100", headers=headers)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def test_feed_has_the_diagnosis_change_of_a_watched_stock(
    client: TestClient, alice: dict[str, str], bob: dict[str, str], sample_store: MarketStore
) -> None:
    assert client.post("/api/v1/watchlist", json={"code": "600519"}, headers=alice).status_code == 201
    prev, last = _last_two_sessions(sample_store)
    svc = client.app.state.tandem.diagnosis  # type: ignore[attr-defined]
    now, before = svc.diagnose("600519.SH", last), svc.diagnose("600519.SH", prev)
    assert now.composite.score is not None and before.composite.score is not None
    label, dim_delta = _largest_move(now, before)
    assert dim_delta != 0

    items = _feed(client, alice)
    diag = [i for i in items if i["kind"] == "diagnosis"]
    assert [i["code"] for i in diag] == ["600519.SH"]
    delta = now.composite.score - before.composite.score
    assert diag[0]["title"] == (
        f"贵州茅台 综合评分 {before.composite.score} → {now.composite.score}（较上一交易日 {delta:+d}）"
    )
    assert diag[0]["body"].startswith(f"变化最大的维度：{label} {dim_delta:+d}。{prev} → {last}")
    assert diag[0]["at"].startswith(str(last))
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)  # chronological
    assert not [i for i in _feed(client, bob) if i["kind"] == "diagnosis"]  # only for the watcher

    en = client.get("/api/v1/feed?limit=100&lang=en", headers=alice).json()["items"]
    assert any(i["kind"] == "diagnosis" and f"({delta:+d} vs previous session)" in i["title"] for i in en)
    page = client.get("/news", headers={**alice, "Accept": "text/html"})
    assert "综合评分" in page.text and ">诊断<" in page.text

    # the non-personalised switch changes nothing in this plain chronological feed, diagnosis items included
    assert client.put("/api/v1/me/feed-settings", json={"non_personalised": True}, headers=alice).status_code == 200
    assert _feed(client, alice) == items
