"""Real news on the 资讯 tab, on the stock panel and from ``GET /api/v1/news``, over the bundled sample's slice.

The sample carries real East Money 快讯 items tagged against its own instruments (src/tandem/sample_data/
PROVENANCE.md): 贵州茅台 is named by one item, 平安银行 by none.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from pathlib import Path

import polars as pl

from tandem.core.i18n import translate
from tandem.marketdata.store import MarketStore

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HTML = {"Accept": "text/html"}
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"
MOUTAI_ITEM = "202602153651081679"  # 飞天热度压倒马年生肖酒 茅台春节行情为何分化？ (names 贵州茅台)


def test_the_sample_loads_the_news_slice(sample_store: MarketStore) -> None:
    news = pl.read_parquet(SAMPLE_DIR / "news.parquet")
    tables = sample_store.info()["tables"]
    assert isinstance(tables, dict)
    assert tables["news"] == news.height >= 40 and tables["news_mentions"] > 0
    stocks = set(sample_store.sql("SELECT key FROM news_mentions WHERE kind = 'stock'")["key"])
    universe = set(sample_store.instruments("stock")["code"])
    assert {"600519.SH", "000858.SZ"} <= stocks <= universe
    assert set(news["publisher"]) <= {"东方财富快讯", "东方财富上市公司快讯"}


def test_api_lists_real_items_newest_first_with_source_and_beijing_time(client: TestClient) -> None:
    r = client.get("/api/v1/news?limit=5")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=60"
    body = r.json()
    assert body["total"] >= 40 and len(body["items"]) == 5 and body["limit"] == 5
    stamps = [datetime.fromisoformat(i["published_at"]) for i in body["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert all(i["published_at"].endswith("+08:00") for i in body["items"])
    first = body["items"][0]
    assert first["publisher"] == "东方财富快讯" and first["url"].startswith("https://finance.eastmoney.com/a/")
    assert first["url"].endswith(f"/{first['id']}.html")
    page2 = client.get("/api/v1/news?limit=5&offset=5").json()
    assert page2["total"] == body["total"]
    assert not {i["id"] for i in page2["items"]} & {i["id"] for i in body["items"]}


def test_api_by_code_returns_the_items_that_name_the_stock(client: TestClient) -> None:
    for code in ("600519", "600519.SH", "sh.600519"):
        body = client.get(f"/api/v1/news?code={code}").json()
        assert [i["id"] for i in body["items"]] == [MOUTAI_ITEM] and body["total"] == 1, code
        item = body["items"][0]
        assert item["published_at"] == "2026-02-15T09:05:00+08:00"  # stamped 2026-02-16 by the scraper
        assert {"code": "600519.SH", "name": "贵州茅台"} in item["stocks"]
    assert client.get("/api/v1/news?code=000001.SZ").json() == {"items": [], "total": 0, "offset": 0, "limit": 20}


def test_api_rejects_bad_codes(client: TestClient) -> None:
    r = client.get("/api/v1/news?code=abc!")
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert "not a security code" in r.json()["detail"]
    r = client.get("/api/v1/news?code=600999.SH")
    assert r.status_code == 404 and "no instrument 600999.SH" in r.json()["detail"]
    assert client.get("/api/v1/news?limit=0").status_code == 422


def test_news_tab_lists_market_news_with_source_time_and_link(client: TestClient) -> None:
    r = client.get("/news", headers=HTML)
    assert r.status_code == 200
    assert 'id="market-news"' in r.text and translate("zh", "news.flash") in r.text and 'id="news-older"' in r.text
    latest = client.get("/api/v1/news?limit=1").json()["items"][0]
    assert f'data-news-id="{latest["id"]}"' in r.text and latest["title"] in r.text
    assert f'href="{latest["url"]}"' in r.text
    stamp = datetime.fromisoformat(latest["published_at"]).strftime("%Y-%m-%d %H:%M")
    assert f"{stamp} {translate('zh', 'news.beijing')}" in r.text
    assert len(re.findall(r'data-news-id="', r.text)) == 30 and 'id="news-newer"' not in r.text
    older = client.get("/news?news_offset=30", headers=HTML)
    shown = re.findall(r'data-news-id="(\d+)"', older.text)
    expected = [i["id"] for i in client.get("/api/v1/news?offset=30&limit=30").json()["items"]]
    assert shown == expected and 'id="news-newer"' in older.text and 'id="news-older"' not in older.text
    en = client.get("/news?lang=en", headers=HTML)
    assert translate("en", "news.flash") in en.text and "Beijing time" in en.text


def test_stock_panel_shows_related_news_only_for_a_mentioned_stock(client: TestClient) -> None:
    for url in ("/market/stock/600519.SH", "/market?code=600519.SH"):
        r = client.get(url, headers=HTML)
        assert r.status_code == 200
        assert 'id="related-news"' in r.text and translate("zh", "news.related") in r.text
        assert f'data-news-id="{MOUTAI_ITEM}"' in r.text and "东方财富上市公司快讯" in r.text
        assert "2026-02-15 09:05" in r.text
    other = client.get("/market/stock/000001.SZ", headers=HTML)
    assert other.status_code == 200 and "平安银行" in other.text
    assert 'id="related-news"' not in other.text and "data-news-id=" not in other.text
