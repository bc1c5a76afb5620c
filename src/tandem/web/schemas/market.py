"""Schemas of the public market landing state (``GET /api/v1/market/home``), mapped from ``diagnosis.market_home``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from tandem.diagnosis.market_home import IndexCard, MarketHome
from tandem.web.money import Fen


class MoverPublic(BaseModel):
    """One stock's close and change on the day (raw prices)."""

    code: str
    name: str
    close: Fen
    change_pct: float


class TopScorePublic(BaseModel):
    """One stock's composite diagnosis score (0–100) and market rank."""

    code: str
    name: str
    score: int
    rank: int


class IndexCardPublic(BaseModel):
    """The index's close on the day, its change against the previous session and its recent closes."""

    code: str
    name: str
    day: date
    close: float
    change: float
    change_pct: float
    dates: list[date]
    closes: list[float]

    @classmethod
    def of(cls, card: IndexCard) -> IndexCardPublic:
        """The API shape of an index card."""
        return cls(
            code=card.code,
            name=card.name,
            day=card.day,
            close=round(card.close, 2),
            change=round(card.change, 2),
            change_pct=card.change_pct,
            dates=[date.fromisoformat(d) for d in card.dates],
            closes=list(card.closes),
        )


class MarketHomePublic(BaseModel):
    """The 行情诊股 landing state as of ``day``, the store's latest session of stocks (historical, not live)."""

    day: date
    index: IndexCardPublic | None
    gainers: list[MoverPublic]
    losers: list[MoverPublic]
    top_scores: list[TopScorePublic] | None = Field(
        description="The highest diagnosis composite scores; null without login (diagnosis needs an account)"
    )
    universe: int = Field(ge=0, description="How many stocks have a composite score that day")

    @classmethod
    def of(cls, home: MarketHome, *, with_scores: bool) -> MarketHomePublic:
        """The API shape of the landing state; ``with_scores`` only for a signed-in caller."""

        def movers(rows: tuple[object, ...]) -> list[MoverPublic]:
            return [MoverPublic.model_validate(m, from_attributes=True) for m in rows]

        return cls(
            day=home.day,
            index=IndexCardPublic.of(home.index) if home.index is not None else None,
            gainers=movers(home.gainers),
            losers=movers(home.losers),
            top_scores=[TopScorePublic.model_validate(s, from_attributes=True) for s in home.top_scores]
            if with_scores
            else None,
            universe=home.universe,
        )
