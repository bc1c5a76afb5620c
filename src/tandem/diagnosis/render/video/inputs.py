"""What a video reads from the store besides the diagnosis: adjusted OHLC bars and Level-2 daily flow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.scorers.market import MAIN_FORCE_CLASSES
from tandem.marketdata.store import MarketStore

HISTORY_DAYS = 400
"""Calendar days of bars read: enough for 120 candles plus the 60-day average before the first one."""


@dataclass(frozen=True, slots=True)
class VideoInputs:
    """Forward-adjusted daily bars (anchored at the data date, like the scorers) and main-force net per session."""

    bars: pd.DataFrame
    flow: pd.Series | None


def video_inputs(store: MarketStore, diag: Diagnosis) -> VideoInputs:
    """Read the bars and, when the store has Level-2 rows for the code, the daily main-force net inflow."""
    start = diag.data_date - timedelta(days=HISTORY_DAYS)
    bars = store.daily_bars(diag.code, start, diag.data_date, adjust="qfq")
    flow = None
    try:
        dim = diag.dimension("capital_flow")
    except KeyError:
        dim = None
    days = next((e for e in dim.evidence if e.key == "l2_days"), None) if dim is not None else None
    if dim is not None and not dim.is_proxy and days is not None:
        rows = store.capital_flow(diag.code, end=diag.data_date)
        main = rows[rows["class"].isin(MAIN_FORCE_CLASSES)]
        if len(main):
            flow = main.groupby("date")["net_amount"].sum().sort_index().tail(int(days.value))
    return VideoInputs(bars=bars, flow=flow)
