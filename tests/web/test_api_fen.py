"""Prices and CNY amounts leave the JSON API rounded to the fen (issue 20), while Python dumps keep full precision."""

from __future__ import annotations

import json

from pydantic import BaseModel

from tandem.web.money import Fen, FenList, FenListOptional, FenOptional
from tandem.web.schemas.quant import TradePublic
from tandem.web.schemas.wealth import SimHoldingPublic


def _fen_exact(values: list[float | None]) -> bool:
    return all(v is None or round(v, 2) == v for v in values)


def test_quote_and_bars_prices_are_in_fen(client, alice) -> None:
    q = client.get("/api/v1/stocks/600519/quote", headers=alice).json()
    prices = ["close", "preclose", "change", "open", "high", "low", "high_52w", "low_52w", "amount"]
    assert _fen_exact([q[k] for k in prices]), {k: q[k] for k in prices}
    assert q["change"] == round(q["close"] - q["preclose"], 2)
    body = client.get("/api/v1/stocks/600519/bars", params={"start": "2024-01-02"}, headers=alice).json()
    for key in ("open", "high", "low", "close", "ma5", "ma20", "ma60"):
        assert body[key] and _fen_exact(body[key]), key


class _Row(BaseModel):
    price: Fen
    maybe: FenOptional
    series: FenList
    gaps: FenListOptional


def test_rounding_happens_at_json_serialisation_in_one_place() -> None:
    row = _Row(price=-0.8300000000000001, maybe=None, series=[1.005000001, 2.0], gaps=[None, 3.14159])
    assert json.loads(row.model_dump_json()) == {
        "price": -0.83,
        "maybe": None,
        "series": [1.01, 2.0],
        "gaps": [None, 3.14],
    }
    assert row.model_dump()["price"] == -0.8300000000000001  # Python-side values are not altered


def test_backtest_trades_and_wealth_amounts_are_in_fen_but_navs_keep_their_precision() -> None:
    trade = TradePublic(date="2024-01-02", code="600519.SH", side="buy", qty=100.0, price=1685.0100000002, fee=5.000001)
    assert json.loads(trade.model_dump_json())["price"] == 1685.01 and json.loads(trade.model_dump_json())["fee"] == 5.0
    holding = SimHoldingPublic(
        code="000572", name="中银多策略混合A", risk_level="R3", asset_class="mixed", units=1234.5678, nav=1.2345,
        cost=1524.0003, value=1600.123456, above_level=False,
    )  # fmt: skip
    out = json.loads(holding.model_dump_json())
    assert out["cost"] == 1524.0 and out["value"] == 1600.12 and out["nav"] == 1.2345 and out["units"] == 1234.5678
