"""The one typed columnar event schema every Level-2 reader produces.

Exchanges and vendors disagree on field names, flags and sequence semantics; the engine only ever sees
:class:`EventBatch`, a struct of NumPy arrays (convertible to an Arrow table / Parquet file with
:meth:`EventBatch.to_arrow`). Columns, one row per exchange message:

============  ========  =============================================================================
column        type      meaning
============  ========  =============================================================================
code          string    normalised security code, e.g. ``600519.SH`` (one value per batch)
channel       int32     exchange channel (SSE ``OrderChannel``/``TradeChan``, SZSE ``ChannelNo``)
seq           int64     sequence number inside the channel that orders orders *and* trades jointly
                        (SSE ``BizIndex``; SZSE/Insight ``ApplSeqNum``; file row number if absent)
time_ms       int32     exchange timestamp, milliseconds since midnight (China time)
kind          int8      ``ADD`` 0 = new order, ``CANCEL`` 1 = cancel, ``TRADE`` 2 = execution
side          int8      ``BUY`` 1, ``SELL`` -1, ``UNKNOWN`` 0 (orders/cancels: order side; trades:
                        aggressor side from the BS flag, 0 when the feed says N or has no flag)
price         int64     price in ticks of 0.01 CNY (``round(price * 100)``), 0 for market/cancel rows
qty           int64     shares: order quantity (SSE: *remaining* after immediate matching), cancelled
                        quantity, or traded quantity
order_no      int64     order number for ADD/CANCEL rows, 0 for trades
buy_no        int64     buy order number of a trade (SZSE cancels: the cancelled buy order), else 0
sell_no       int64     sell order number of a trade (SZSE cancels: the cancelled sell order), else 0
============  ========  =============================================================================

Rows are sorted by ``(channel, seq)``. ``rules`` on the batch says which exchange's book rules apply
(``SSE``: aggressive orders are published after their trades with the residual quantity; ``SZSE``: orders
carry the full quantity and cancels arrive as executions with ``ExecType 4``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

ADD, CANCEL, TRADE = 0, 1, 2
BUY, SELL, UNKNOWN = 1, -1, 0
Rules = Literal["SSE", "SZSE"]

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

EVENT_COLUMNS: dict[str, type[np.integer[Any]]] = {
    "channel": np.int32,
    "seq": np.int64,
    "time_ms": np.int32,
    "kind": np.int8,
    "side": np.int8,
    "price": np.int64,
    "qty": np.int64,
    "order_no": np.int64,
    "buy_no": np.int64,
    "sell_no": np.int64,
}


def to_ticks(price: npt.ArrayLike) -> I64:
    """CNY prices (floats with binary artefacts such as 1801.00999999) to exact int64 ticks of 0.01."""
    arr = np.asarray(price, dtype=np.float64)
    return np.rint(np.nan_to_num(arr, nan=0.0) * 100.0).astype(np.int64)


def parse_time_ms(text: Any) -> I32:
    """``HH:MM:SS[.mmm]`` or ``YYYY.MM.DDTHH:MM:SS.mmm`` strings (array) to milliseconds since midnight."""
    import pandas as pd

    s = pd.Series(np.asarray(text, dtype=object)).astype(str)
    if s.empty:
        return np.zeros(0, dtype=np.int32)
    if s.str.contains("T", regex=False).any():
        s = s.str.rsplit("T", n=1).str[-1]
    td = pd.to_timedelta(s)
    return (td.to_numpy().astype("timedelta64[ms]").astype(np.int64)).astype(np.int32)


def format_time_ms(ms: int) -> str:
    """Milliseconds since midnight to ``HH:MM:SS.mmm``."""
    h, rem = divmod(int(ms), 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{milli:03d}"


@dataclass(frozen=True, slots=True)
class EventBatch:
    """Events of one security, sorted by ``(channel, seq)``; see the module docstring for the columns."""

    code: str
    rules: Rules
    date: int | None
    channel: I32
    seq: I64
    time_ms: I32
    kind: I8
    side: I8
    price: I64
    qty: I64
    order_no: I64
    buy_no: I64
    sell_no: I64

    def __len__(self) -> int:
        return int(self.seq.shape[0])

    @property
    def n_orders(self) -> int:
        """Number of ADD and CANCEL rows."""
        return int(np.count_nonzero(self.kind != TRADE))

    @property
    def n_trades(self) -> int:
        """Number of TRADE rows (SZSE cancels excluded: they are CANCEL rows)."""
        return int(np.count_nonzero(self.kind == TRADE))

    def take(self, index: npt.NDArray[np.intp] | slice) -> EventBatch:
        """Rows selected by an index array or slice, as a new batch."""
        cols = {name: getattr(self, name)[index] for name in EVENT_COLUMNS}
        return EventBatch(code=self.code, rules=self.rules, date=self.date, **cols)

    def to_arrow(self) -> Any:
        """The batch as a ``pyarrow.Table`` (write it with ``pyarrow.parquet.write_table``)."""
        import pyarrow as pa

        data: dict[str, Any] = {"code": pa.array([self.code] * len(self), pa.dictionary(pa.int8(), pa.string()))}
        data.update({name: pa.array(getattr(self, name)) for name in EVENT_COLUMNS})
        meta = {"rules": self.rules, "date": str(self.date or "")}
        return pa.table(data).replace_schema_metadata(meta)


def _sorted(channel: I32, seq: I64) -> bool:
    """Rows already in ``(channel, seq)`` order (ties allowed: a stable sort would leave them as they are)."""
    d_ch = np.diff(channel)
    return bool(np.all((d_ch > 0) | ((d_ch == 0) & (np.diff(seq) >= 0))))


def make_batch(code: str, rules: Rules, date: int | None, columns: Mapping[str, npt.ArrayLike]) -> EventBatch:
    """Build a batch from raw columns: cast to the schema dtypes and sort by ``(channel, seq)`` (stable)."""
    n = len(np.asarray(columns["seq"]))
    cast = {
        name: np.asarray(columns[name], dtype=dt) if name in columns else np.zeros(n, dtype=dt)
        for name, dt in EVENT_COLUMNS.items()
    }
    if n > 1 and not _sorted(cast["channel"], cast["seq"]):  # files come sorted: skip the O(n log n) sort then
        order = np.lexsort((cast["seq"], cast["channel"]))
        cast = {name: arr[order] for name, arr in cast.items()}
    return EventBatch(code=code, rules=rules, date=date, **cast)  # type: ignore[arg-type]


def concat(batches: list[EventBatch]) -> EventBatch:
    """Merge batches of the same security (e.g. orders and trades) into one sorted batch."""
    if not batches:
        raise ValueError("concat needs at least one batch")
    first = batches[0]
    cols = {name: np.concatenate([getattr(b, name) for b in batches]) for name in EVENT_COLUMNS}
    date = next((b.date for b in batches if b.date is not None), None)
    return make_batch(first.code, first.rules, date, cols)  # type: ignore[arg-type]
