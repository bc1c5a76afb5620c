"""The 行情诊股 landing state: CSI 300 card, gainers/losers from the real cross-section, top composite scores."""

from __future__ import annotations

import re
import warnings
from datetime import date

import pandas as pd

from tandem.core.models import InstrumentKind
from tandem.diagnosis.market_home import movers
from tandem.diagnosis.universe import STOCK_BOARDS
from tandem.marketdata.store import MarketStore

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _codes(page: str, list_id: str) -> list[str]:
    block = page.split(f'id="{list_id}"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'data-code="([^"]+)"', block)


def _stock_moves(store: MarketStore, day: date) -> pd.Series:
    """Percent change of every A-share stock traded on ``day``, straight from the cross-section."""
    cs = store.cross_section(day)
    inst = store.instruments()
    stocks = inst[(inst["kind"] == InstrumentKind.STOCK.value) & inst["board"].isin([b.value for b in STOCK_BOARDS])]
    cs = cs[cs["code"].isin(stocks["code"]) & ~cs["suspended"].astype(bool)]
    return ((cs["close"] / cs["preclose"] - 1) * 100).set_axis(cs["code"])


def test_landing_page_lists_real_movers_index_and_scores(
    client: TestClient, alice: dict[str, str], sample_store: MarketStore
) -> None:
    page = client.get("/market", headers={**alice, "Accept": "text/html"})
    assert page.status_code == 200
    day = pd.Timestamp(sample_store.sql("SELECT max(date) AS d FROM daily_bars")["d"].iloc[0]).date()
    assert f'data-day="{day}"' in page.text and f"数据日期 {day}" in page.text

    moves = _stock_moves(sample_store, day)
    gainers, losers = _codes(page.text, "gainers"), _codes(page.text, "losers")
    assert gainers == list(moves[moves > 0].sort_values(ascending=False).index[:5])
    assert losers == list(moves[moves < 0].sort_values().index[:5])
    names = sample_store.instruments().set_index("code")["name"]
    for code in gainers + losers:
        assert f"{names[code]}<small>{code}</small>" in page.text
        assert f"{moves[code]:+.2f}%" in page.text
        assert f'hx-get="/market/stock/{code}" hx-target="#stock-panel"' in page.text  # clicks through like search

    idx = sample_store.index_bars("000300.SH", end=day)
    assert 'data-index="000300.SH"' in page.text and f"{idx['close'].iloc[-1]:.2f}" in page.text
    change = idx["close"].iloc[-1] - idx["close"].iloc[-2]
    assert f"{change:+.2f}" in page.text and 'class="chart-option"' in page.text

    svc = client.app.state.tandem.diagnosis  # type: ignore[attr-defined]
    top = _codes(page.text, "top-scores")
    assert len(top) == 5
    scores = [svc.diagnose(code).composite.score for code in top]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == max(s for s in svc.table().composite["composite"].dropna().round())

    en = client.get("/market?lang=en", headers={**alice, "Accept": "text/html"})
    assert "Gainers" in en.text and f"Data date {day}" in en.text


def test_movers_leave_out_etfs_that_would_rank(sample_store: MarketStore) -> None:
    day = date(2023, 6, 8)  # the last day of the sample's ETF prices
    cs = sample_store.cross_section(day)
    inst = sample_store.instruments().set_index("code")
    pct = ((cs["close"] / cs["preclose"] - 1) * 100).set_axis(cs["code"])
    etfs = {c for c in cs["code"] if inst.at[c, "board"] == "FUND"}
    n = 6  # 513100.SH (-2.09%) is the sixth raw loser since the ST history slice brought in 000617.SZ (-3.50%)
    raw_losers = list(pct.sort_values().index[:n])
    assert etfs & set(raw_losers)  # without the filter an ETF would be among the six losers
    gainers, losers = movers(sample_store, day, n)
    listed = [m.code for m in gainers + losers]
    assert not etfs & set(listed)
    assert [m.code for m in losers] == [c for c in pct.sort_values().index if c not in etfs][:n]
    assert all(inst.at[c, "kind"] == "stock" for c in listed)


def test_stock_page_keeps_the_stock_panel_not_the_landing_state(client: TestClient, alice: dict[str, str]) -> None:
    page = client.get("/market?code=600519.SH", headers={**alice, "Accept": "text/html"})
    assert page.status_code == 200 and 'class="card quote"' in page.text and 'id="market-home"' not in page.text
