"""Open Level-2 CSV files directly, or CSV members of a zip archive, and tell which format each one is.

Data vendors ship day files as zips (``20230201.zip`` holds ``entrust.csv``, ``trade.csv`` and
``snapshot.csv``); extracting them into the working tree is neither needed nor wanted, so every reader goes
through :func:`csv_members`, which yields each CSV table with its header, read straight from the archive.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from tandem.core.errors import UserError

Format = Literal[
    "sse_orders",
    "sse_trades",
    "insight_orders",
    "insight_trades",
    "mixed_trades",
    "simple_trades",
    "sse_snapshots",
    "mdl_snapshots",
    "insight_snapshots",
]

# A format is recognised when all of its marker columns are in the header (checked in this order).
_MARKERS: list[tuple[Format, frozenset[str]]] = [
    ("sse_orders", frozenset({"OrderChannel", "OrderType", "OrderNO", "Balance", "OrderBSFlag", "BizIndex"})),
    ("sse_trades", frozenset({"TradeChan", "TradPrice", "TradVolume", "TradeBuyNo", "TradeSellNo", "BizIndex"})),
    ("insight_orders", frozenset({"MDTime", "OrderType", "OrderQty", "OrderBSFlag", "ApplSeqNum", "OrderNO"})),
    ("insight_trades", frozenset({"MDTime", "TradeBuyNo", "TradeSellNo", "TradeBSFlag", "TradeQty", "ApplSeqNum"})),
    ("mixed_trades", frozenset({"ApplSeqNum", "BidApplSeqNum", "OfferApplSeqNum", "ExecType", "Market"})),
    ("simple_trades", frozenset({"TradeTime", "TradePrice", "TradeQty", "BuyNum", "SellNum"})),
    ("sse_snapshots", frozenset({"UpdateTime", "InstruStatus", "BidPrice1", "BidVolume1", "AskPrice10"})),
    ("mdl_snapshots", frozenset({"DateTime", "InstrumentStatus", "BidPrice0", "BidOrderQty0", "OfferPrice9"})),
    ("insight_snapshots", frozenset({"MDTime", "TradingPhaseCode", "BuyPrice1", "BuyOrderQty1", "SellPrice10"})),
]

EVENT_FORMATS: frozenset[Format] = frozenset(
    {"sse_orders", "sse_trades", "insight_orders", "insight_trades", "mixed_trades", "simple_trades"}
)
SNAPSHOT_FORMATS: frozenset[Format] = frozenset({"sse_snapshots", "mdl_snapshots", "insight_snapshots"})
_DATE_RE = re.compile(r"(20\d{2})(\d{2})(\d{2})")


@dataclass(frozen=True, slots=True)
class CsvTable:
    """One CSV table found in a path: where it is, what format it has, and how to open it."""

    location: str
    fmt: Format
    columns: tuple[str, ...]
    opener: Callable[[], IO[bytes]]

    def open(self) -> IO[bytes]:
        """A fresh binary stream over the whole CSV (header included)."""
        return self.opener()


def detect_format(columns: tuple[str, ...]) -> Format | None:
    """The format whose marker columns are all present, or ``None``."""
    have = set(columns)
    for fmt, markers in _MARKERS:
        if markers <= have:
            return fmt
    return None


def _header(stream: IO[bytes]) -> tuple[str, ...]:
    line = stream.readline().decode("utf-8-sig", errors="replace").strip()
    return tuple(c.strip().strip('"') for c in line.split(","))


def csv_members(path: Path) -> Iterator[CsvTable]:
    """Every recognised CSV table in ``path`` (a ``.csv`` file or a ``.zip`` of CSVs), in name order.

    Raises :class:`UserError` when the path is missing or holds no recognised table.
    """
    if not path.exists():
        raise UserError(f"{path}: no such file; pass the path of a Level-2 .csv or .zip file")
    found = False
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if n.lower().endswith(".csv"))
            for name in names:
                with zf.open(name) as fh:
                    cols = _header(fh)
                fmt = detect_format(cols)
                if fmt is None:
                    continue
                found = True
                yield CsvTable(f"{path}::{name}", fmt, cols, _zip_opener(path, name))
    else:
        with path.open("rb") as fh:
            cols = _header(fh)
        fmt = detect_format(cols)
        if fmt is not None:
            found = True
            yield CsvTable(str(path), fmt, cols, lambda: path.open("rb"))
    if not found:
        raise UserError(
            f"{path}: no recognised Level-2 table (SSE entrust/trade/snapshot, HTSC Insight orders/trades/ticks, "
            "SZSE trade or simple trade CSV); check the file or its header line"
        )


def _zip_opener(path: Path, name: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        with zipfile.ZipFile(path) as zf:
            return io.BytesIO(zf.read(name))

    return opener


def date_from_location(location: str) -> int | None:
    """A ``YYYYMMDD`` trading date embedded in a file or member name (``20230201.zip``), or ``None``."""
    m = _DATE_RE.search(Path(location.split("::")[-1]).name) or _DATE_RE.search(location)
    if m is None:
        return None
    return int(m.group(0))
