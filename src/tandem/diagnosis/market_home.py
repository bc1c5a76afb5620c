"""The 行情诊股 landing state: CSI 300 card, today's top gainers and losers, and the top composite scores.

Everything is as of the store's latest session of stocks (the data is historical, so the page names that day).
Gainers and losers come from the day's cross-section restricted to the diagnosis universe: instruments of kind
``stock`` on a stock board. Kind alone is not enough: ETFs that only have prices in the store are named kind
``stock`` with a fund board. Top scores are the diagnosis service's market table of that session, so they equal
what the stock panel shows. The result depends only on the store version and is cached per version.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.universe import stock_codes
from tandem.marketdata.store import MarketStore

INDEX_CODE = "000300.SH"
CHART_DAYS = 120
LIST_SIZE = 5


@dataclass(frozen=True, slots=True)
class Mover:
    """One stock's close and change on the day."""

    code: str
    name: str
    close: float
    change_pct: float


@dataclass(frozen=True, slots=True)
class TopScore:
    """One stock's composite diagnosis score and market rank."""

    code: str
    name: str
    score: int
    rank: int


@dataclass(frozen=True, slots=True)
class IndexCard:
    """An index's close on the day, its change against the previous session, and a short close line."""

    code: str
    name: str
    day: date
    close: float
    change: float
    change_pct: float
    dates: tuple[str, ...]
    closes: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class MarketHome:
    """What the landing page shows, all as of ``day``."""

    day: date
    index: IndexCard | None
    gainers: tuple[Mover, ...]
    losers: tuple[Mover, ...]
    top_scores: tuple[TopScore, ...]
    universe: int


def _names(store: MarketStore) -> dict[str, str]:
    inst = store.instruments()
    return dict(zip(inst["code"].astype(str), inst["name"].astype(str), strict=True))


def movers(store: MarketStore, day: date, n: int = LIST_SIZE) -> tuple[tuple[Mover, ...], tuple[Mover, ...]]:
    """The ``n`` largest gainers and losers among stocks traded on ``day`` (suspended stocks left out)."""
    cs = store.cross_section(day, ["close", "preclose", "suspended"])
    cs = cs[cs["code"].isin(stock_codes(store)) & ~cs["suspended"].astype(bool) & (cs["preclose"] > 0)]
    pct = (cs["close"] / cs["preclose"] - 1.0) * 100
    ranked = cs.assign(pct=pct).dropna(subset=["pct"]).sort_values(["pct", "code"], ascending=[False, True])
    names = _names(store)

    def rows(frame: pd.DataFrame) -> tuple[Mover, ...]:
        return tuple(
            Mover(str(c), names.get(str(c), str(c)), float(close), float(p))
            for c, close, p in zip(frame["code"], frame["close"], frame["pct"], strict=True)
        )

    gainers = ranked[ranked["pct"] > 0].head(n)
    losers = ranked[ranked["pct"] < 0].iloc[::-1].head(n)
    return rows(gainers), rows(losers)


def index_card(store: MarketStore, day: date, code: str = INDEX_CODE, days: int = CHART_DAYS) -> IndexCard | None:
    """The index's last close on or before ``day`` (None when the store has no bars of it)."""
    try:
        bars = store.index_bars(code, end=day)
    except UserError:
        return None
    if len(bars) < 2:
        return None
    tail = bars.tail(days)
    close, prev = float(tail["close"].iloc[-1]), float(tail["close"].iloc[-2])
    names = _names(store)
    return IndexCard(
        code=code,
        name=names.get(code, code),
        day=pd.Timestamp(tail["date"].iloc[-1]).date(),
        close=close,
        change=close - prev,
        change_pct=(close / prev - 1.0) * 100 if prev else 0.0,
        dates=tuple(pd.to_datetime(tail["date"]).dt.strftime("%Y-%m-%d")),
        closes=tuple(float(v) for v in np.round(tail["close"].to_numpy(dtype=np.float64), 2)),
    )


def top_scores(store: MarketStore, diagnosis: DiagnosisService, day: date, n: int = LIST_SIZE) -> list[TopScore]:
    """The ``n`` highest composite scores of ``day``'s market table (rounded as the diagnosis report rounds)."""
    comp = diagnosis.table(day).composite
    comp = comp[np.isfinite(comp["composite"].astype(float))]
    best = comp.sort_values(["composite"], ascending=False, kind="stable").head(n)
    names = _names(store)
    return [
        TopScore(str(c), names.get(str(c), str(c)), round(float(s)), int(r))
        for c, s, r in zip(best.index, best["composite"], best["rank"], strict=True)
    ]


def build_home(store: MarketStore, diagnosis: DiagnosisService, n: int = LIST_SIZE) -> MarketHome:
    """The landing state as of the latest session of stocks."""
    day = diagnosis.latest_day()
    gainers, losers = movers(store, day, n)
    table = diagnosis.table(day)
    return MarketHome(
        day=day,
        index=index_card(store, day),
        gainers=gainers,
        losers=losers,
        top_scores=tuple(top_scores(store, diagnosis, day, n)),
        universe=int(table.composite["composite"].notna().sum()),
    )


class HomeCache:
    """The landing state of the live store version (rebuilt after an import)."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._home: MarketHome | None = None
        self._lock = threading.Lock()

    def get(self, store: MarketStore, diagnosis: DiagnosisService) -> MarketHome:
        """The cached landing state, built on first use of each store version."""
        version = store.versioned.current_version() or ""
        with self._lock:
            if self._home is None or self._key != version:
                self._home = build_home(store, diagnosis)
                self._key = version
            return self._home
