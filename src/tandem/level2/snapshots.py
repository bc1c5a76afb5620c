"""10-level snapshots: the exchange's own view of the book, read from three real layouts.

* ``sse_snapshots`` — SSE native 十档快照 (``UpdateTime``, ``InstruStatus``, ``BidPrice1..10``/``BidVolume1..10``);
* ``mdl_snapshots`` — the 30-stock SSE file (``DateTime``, ``InstrumentStatus``, ``BidPrice0..9``/``BidOrderQty0..9``,
  ``OfferPrice0..9``/``OfferOrderQty0..9``);
* ``insight_snapshots`` — HTSC Insight ticks for SZSE and STAR (``MDTime``, ``TradingPhaseCode``,
  ``BuyPrice1..10``/``BuyOrderQty1..10``, ``SellPrice..``; ``MaxPx``/``MinPx`` are the price limits).

Every layout becomes a :class:`SnapshotBatch` with (n, 10) int64 arrays: prices in ticks of 0.01 CNY, volumes in
shares, empty levels as price 0 / volume 0. Trading phases are normalised to SSE words: ``TRADE`` is continuous
trading, ``OCALL``/``CCALL`` the opening/closing call auctions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.level2.schema import I32, I64, parse_time_ms, to_ticks
from tandem.level2.sources import SNAPSHOT_FORMATS, CsvTable, csv_members

LEVELS = 10
_INSIGHT_PHASES = {0: "START", 1: "OCALL", 2: "PAUSE", 3: "TRADE", 4: "BREAK", 5: "CCALL", 6: "CLOSE"}


@dataclass(frozen=True, slots=True)
class SnapshotBatch:
    """Snapshots of one security in time order; level arrays are shaped (n, 10)."""

    code: str
    time_ms: I32
    phase: npt.NDArray[np.str_]
    bid_px: I64
    bid_vol: I64
    ask_px: I64
    ask_vol: I64
    trades: I64 | None = None
    total_bid: I64 | None = None
    total_ask: I64 | None = None
    wavg_bid: npt.NDArray[np.float64] | None = None
    wavg_ask: npt.NDArray[np.float64] | None = None

    def __len__(self) -> int:
        return int(self.time_ms.shape[0])

    def take(self, mask: npt.NDArray[np.bool_]) -> SnapshotBatch:
        """Rows where ``mask`` holds."""

        def opt(a: npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
            return None if a is None else a[mask]

        return SnapshotBatch(
            self.code, self.time_ms[mask], self.phase[mask],
            self.bid_px[mask], self.bid_vol[mask], self.ask_px[mask], self.ask_vol[mask],
            opt(self.trades), opt(self.total_bid), opt(self.total_ask), opt(self.wavg_bid), opt(self.wavg_ask),
        )  # fmt: skip

    @property
    def has_counters(self) -> bool:
        """Whether the exchange published cumulative trade count and total bid/ask volume (SSE native)."""
        return self.trades is not None and self.total_bid is not None and self.total_ask is not None


# cumulative trade count, total resting bid volume, total resting ask volume
_COUNTERS = {"sse_snapshots": ("TradNumber", "TotalBidVol", "TotalAskVol", "WAvgBidPri", "WAvgAskPri")}


def _counter(df: pd.DataFrame, column: str) -> npt.NDArray[Any]:
    values = pd.to_numeric(df[column], errors="coerce").fillna(-1)
    return values.to_numpy(dtype=np.float64 if column.startswith("WAvg") else np.int64)


def _levels(df: pd.DataFrame, prefix: str, start: int) -> npt.NDArray[np.float64]:
    names = [f"{prefix}{i}" for i in range(start, start + LEVELS)]
    out: npt.NDArray[np.float64] = df[names].apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(np.float64)
    return out


def _layout(table: CsvTable, df: pd.DataFrame) -> tuple[pd.Series, I32, npt.NDArray[np.str_], tuple[str, ...], int]:
    if table.fmt == "sse_snapshots":
        phase = df["InstruStatus"].astype(str).str.strip().to_numpy(dtype=str)
        return df["SecurityID"], parse_time_ms(df["UpdateTime"]), phase, ("Bid", "Ask", "Price", "Volume"), 1
    if table.fmt == "mdl_snapshots":
        phase = df["InstrumentStatus"].astype(str).str.strip().to_numpy(dtype=str)
        return df["SecurityID"], parse_time_ms(df["DateTime"]), phase, ("Bid", "Offer", "Price", "OrderQty"), 0
    code_col = "HTSCSecurityID" if "HTSCSecurityID" in df.columns else "SecurityID"
    codes = pd.to_numeric(df["TradingPhaseCode"], errors="coerce").fillna(-1).astype(int)
    phase = codes.map(lambda c: _INSIGHT_PHASES.get(c, f"P{c}")).to_numpy(dtype=str)
    return df[code_col], parse_time_ms(df["MDTime"]), phase, ("Buy", "Sell", "Price", "OrderQty"), 1


def read_snapshot_table(table: CsvTable) -> list[SnapshotBatch]:
    """One snapshot table as batches, one per security, each sorted by time (pandas: the reference reader)."""
    if table.fmt not in SNAPSHOT_FORMATS:
        raise UserError(f"{table.location}: is a {table.fmt} table, not 10-level snapshots")
    with table.open() as fh:
        df = pd.read_csv(fh, low_memory=False, encoding="utf-8-sig")
    codes, time_ms, phase, (bid, ask, px, vol), start = _layout(table, df)
    bid_px, ask_px = to_ticks(_levels(df, f"{bid}{px}", start)), to_ticks(_levels(df, f"{ask}{px}", start))
    bid_vol = _levels(df, f"{bid}{vol}", start).astype(np.int64)
    ask_vol = _levels(df, f"{ask}{vol}", start).astype(np.int64)
    bid_px[bid_vol == 0], ask_px[ask_vol == 0] = 0, 0
    counters = [_counter(df, c) for c in _COUNTERS.get(table.fmt, ())]
    norm = codes.astype(str).map({u: normalize_code(u) for u in codes.astype(str).unique()}).to_numpy()
    out = []
    for code in sorted(set(norm)):
        idx = np.flatnonzero(norm == code)
        idx = idx[np.argsort(time_ms[idx], kind="stable")]
        extra = [c[idx] for c in counters] if counters else [None] * 5
        out.append(
            SnapshotBatch(
                str(code), time_ms[idx], phase[idx], bid_px[idx], bid_vol[idx], ask_px[idx], ask_vol[idx], *extra
            )
        )
    return out


def read_snapshots(
    paths: Iterable[Path], reader: Callable[[CsvTable], list[SnapshotBatch]] | None = None
) -> dict[str, SnapshotBatch]:
    """All snapshot tables in ``paths`` (csv or zip; order/trade members are skipped), per security.

    ``reader`` decodes one table: by default the pyarrow decoder
    (:func:`tandem.level2.decode_snapshots.decode_snapshot_table`, imported here because it builds on this
    module's records); :func:`read_snapshot_table` (pandas) is the reference it is tested against.
    """
    if reader is None:
        from tandem.level2.decode_snapshots import decode_snapshot_table

        reader = decode_snapshot_table
    out: dict[str, SnapshotBatch] = {}
    for path in paths:
        for table in csv_members(Path(path)):
            if table.fmt in SNAPSHOT_FORMATS:
                for batch in reader(table):
                    out[batch.code] = batch
    if not out:
        raise UserError(f"{', '.join(map(str, paths))}: no 10-level snapshot table found")
    return out
