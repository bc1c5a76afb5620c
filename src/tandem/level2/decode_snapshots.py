"""10-level snapshot tables decoded by pyarrow into :class:`~tandem.level2.snapshots.SnapshotBatch` objects.

The same streaming path as the order and trade decoder (:mod:`tandem.level2.decode`): only the level, time,
phase, code and counter columns are read, prices become exact ticks in the numba kernel. It restates
:func:`tandem.level2.snapshots.read_snapshot_table` (the pandas reference): an empty level is price 0 / volume 0,
a price whose volume is 0 is 0, a missing counter is -1, Insight phase codes become SSE words, each security's
rows are sorted by time (stable). Where the reference silently read a malformed number as empty, this refuses it
with ``file:line: field: what is wrong``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.level2.decode import Kind, Layout, read_columns
from tandem.level2.snapshots import _COUNTERS, _INSIGHT_PHASES, LEVELS, SnapshotBatch
from tandem.level2.sources import SNAPSHOT_FORMATS, CsvTable

# per format: code, time and phase columns, then (bid, ask, price, volume) prefixes and the first level's number
_NAMES = {
    "sse_snapshots": ("UpdateTime", "InstruStatus", ("Bid", "Ask", "Price", "Volume"), 1),
    "mdl_snapshots": ("DateTime", "InstrumentStatus", ("Bid", "Offer", "Price", "OrderQty"), 0),
    "insight_snapshots": ("MDTime", "TradingPhaseCode", ("Buy", "Sell", "Price", "OrderQty"), 1),
}


def _layout(table: CsvTable) -> tuple[Layout, str]:
    time_col, phase_col, (bid, ask, px, vol), start = _NAMES[table.fmt]
    code_col = (
        "HTSCSecurityID" if table.fmt == "insight_snapshots" and "HTSCSecurityID" in table.columns else "SecurityID"
    )
    cols: dict[str, Kind] = {code_col: "dict", time_col: "time"}
    cols[phase_col] = "int_or_null" if table.fmt == "insight_snapshots" else "dict"
    for side in (bid, ask):
        for i in range(start, start + LEVELS):
            cols[f"{side}{px}{i}"] = "price"
            cols[f"{side}{vol}{i}"] = "int_or_null"
    for c in _COUNTERS.get(table.fmt, ()):
        cols[c] = "float_or_null" if c.startswith("WAvg") else "int_or_null"
    return Layout(cols), code_col


def _levels(num: dict[str, npt.NDArray[np.int64]], prefix: str, start: int) -> npt.NDArray[np.int64]:
    return np.column_stack([num[f"{prefix}{i}"] for i in range(start, start + LEVELS)]).astype(np.int64)


def decode_snapshot_table(table: CsvTable) -> list[SnapshotBatch]:
    """One snapshot table as batches, one per security, each sorted by time (as the pandas reader gives them)."""
    if table.fmt not in SNAPSHOT_FORMATS:
        raise UserError(f"{table.location}: is a {table.fmt} table, not 10-level snapshots")
    layout, code_col = _layout(table)
    c = read_columns(table, layout)
    time_col, phase_col, (bid, ask, px, vol), start = _NAMES[table.fmt]
    if table.fmt == "insight_snapshots":
        codes = np.where(c.nulls[phase_col], -1, c.num[phase_col])
        names = {int(k): _INSIGHT_PHASES.get(int(k), f"P{int(k)}") for k in np.unique(codes)}
        phase = np.array([names[int(k)] for k in np.unique(codes)], dtype=str)[np.unique(codes, return_inverse=True)[1]]
    else:
        phase = c.dicts[phase_col].lookup(str.strip, np.str_) if c.rows else np.zeros(0, dtype=str)
    bid_px, ask_px = _levels(c.num, f"{bid}{px}", start), _levels(c.num, f"{ask}{px}", start)
    bid_vol, ask_vol = _levels(c.num, f"{bid}{vol}", start), _levels(c.num, f"{ask}{vol}", start)
    bid_px[bid_vol == 0], ask_px[ask_vol == 0] = 0, 0
    counters = [np.where(c.nulls[n], -1, c.num[n]) for n in _COUNTERS.get(table.fmt, ())]
    d = c.dicts[code_col]
    normal = [normalize_code(v) for v in d.values]
    out: list[SnapshotBatch] = []
    time_ms = c.num[time_col]
    for code in sorted(set(normal)):
        ids = [i for i, n in enumerate(normal) if n == code]
        idx = np.flatnonzero(np.isin(d.ids, ids))
        idx = idx[np.argsort(time_ms[idx], kind="stable")]
        extra = [k[idx] for k in counters] if counters else [None] * 5
        out.append(
            SnapshotBatch(code, time_ms[idx], phase[idx], bid_px[idx], bid_vol[idx], ask_px[idx], ask_vol[idx], *extra)
        )
    return out
