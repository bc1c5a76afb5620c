"""What Level-2 has for one stock: a recorded day to replay (if any) and the latest day of daily capital flow.

The flow comes from the store's capital-flow table (``eastmoney`` thresholds preferred when a day has several
sets); 主力 net is the sum of the main-force classes. Recorded days are found by :func:`tandem.level2.replay.find_day`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tandem.level2.replay import SAMPLE_L2_DIR, find_day
from tandem.level2.thresholds import CLASSES, MAIN_FORCE_CLASSES, THRESHOLD_SETS
from tandem.marketdata.quote import instrument
from tandem.marketdata.store import MarketStore


@dataclass(frozen=True, slots=True)
class FlowClass:
    """Daily capital flow of one order-size class (CNY); its name is the catalogue's ``l2.<cls>``."""

    cls: str
    buy_amount: float
    sell_amount: float
    net_amount: float


@dataclass(frozen=True, slots=True)
class Level2Overview:
    """A recorded day to replay and/or the latest daily capital flow of one stock."""

    code: str
    name: str
    replay_date: str | None
    flow_date: str | None
    threshold_set: str | None
    method: str
    daily_flow: list[FlowClass]
    main_net: float | None


def recorded_dirs(home: Path) -> list[Path]:
    """Where recorded days are looked up: the data home's ``level2/`` first, then the bundled sample."""
    return [home / "level2", SAMPLE_L2_DIR]


def _flow_class(cls: str, r: pd.Series) -> FlowClass:
    return FlowClass(
        cls=cls, buy_amount=float(r["buy_amount"]), sell_amount=float(r["sell_amount"]),
        net_amount=float(r["net_amount"]),
    )  # fmt: skip


def level2_overview(store: MarketStore, *, code: str, dirs: list[Path]) -> Level2Overview:
    """The recorded day (if any) and the latest day of daily capital flow in the store (if any)."""
    inst = instrument(store, code)
    flow = store.capital_flow(inst.code)
    day = find_day(dirs, inst.code)
    rows: list[FlowClass] = []
    flow_date = ts_name = None
    if len(flow):
        last = flow[flow["date"] == flow["date"].max()]
        ts_name = "eastmoney" if (last["threshold_set"] == "eastmoney").any() else str(last["threshold_set"].iloc[0])
        last = last[last["threshold_set"] == ts_name].set_index("class").reindex(list(CLASSES)).dropna(how="all")
        flow_date = str(pd.Timestamp(flow["date"].max()).date())
        rows = [_flow_class(str(c), r) for c, r in last.iterrows()]
    main = sum(r.net_amount for r in rows if r.cls in MAIN_FORCE_CLASSES) if rows else None
    ts = THRESHOLD_SETS.get(ts_name or "eastmoney", THRESHOLD_SETS["eastmoney"])
    return Level2Overview(
        code=inst.code, name=inst.name, replay_date=day.date if day else None, flow_date=flow_date,
        threshold_set=ts.name, method=f"主力 = 超大单 + 大单; {ts.name}: {ts.source}", daily_flow=rows, main_net=main,
    )  # fmt: skip
