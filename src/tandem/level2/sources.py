"""Open Level-2 CSV files directly, or CSV members of a zip archive, and tell which format each one is.

Data vendors ship day files as zips (``20230201.zip`` holds ``entrust.csv``, ``trade.csv`` and
``snapshot.csv``); extracting them into the working tree is neither needed nor wanted, so every reader goes
through :func:`csv_members`, which yields each CSV table with its header, read straight from the archive.
"""

from __future__ import annotations

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
    "dolphindb_trades",
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
    (
        "dolphindb_trades",
        frozenset(
            {"TradeTime", "TradePrice", "TradeQty", "BuyNo", "SellNo", "TradeIndex", "ChannelNo", "TradeBSFlag"}
            | {"BizIndex"}
        ),
    ),
    ("insight_orders", frozenset({"MDTime", "OrderType", "OrderQty", "OrderBSFlag", "ApplSeqNum", "OrderNO"})),
    ("insight_trades", frozenset({"MDTime", "TradeBuyNo", "TradeSellNo", "TradeBSFlag", "TradeQty", "ApplSeqNum"})),
    ("mixed_trades", frozenset({"ApplSeqNum", "BidApplSeqNum", "OfferApplSeqNum", "ExecType", "Market"})),
    ("simple_trades", frozenset({"TradeTime", "TradePrice", "TradeQty", "BuyNum", "SellNum"})),
    ("sse_snapshots", frozenset({"UpdateTime", "InstruStatus", "BidPrice1", "BidVolume1", "AskPrice10"})),
    ("mdl_snapshots", frozenset({"DateTime", "InstrumentStatus", "BidPrice0", "BidOrderQty0", "OfferPrice9"})),
    ("insight_snapshots", frozenset({"MDTime", "TradingPhaseCode", "BuyPrice1", "BuyOrderQty1", "SellPrice10"})),
]

# What each layout is, for the messages that list them (the vendor and the table).
LAYOUT_NAMES: dict[Format, str] = {
    "sse_orders": "exchange-native SSE 逐笔委托 (entrust.csv)",
    "sse_trades": "exchange-native SSE 逐笔成交 (trade.csv)",
    "dolphindb_trades": "DolphinDB SSE trade table (TSDB tick: SecurityID, TradeTime 2021.01.04T09:25:00.630, …)",
    "insight_orders": "HTSC Insight 逐笔委托 export",
    "insight_trades": "HTSC Insight 逐笔成交 export",
    "mixed_trades": "SH/SZ trade table with ExecType (DolphinDB tradeData / SZSE native)",
    "simple_trades": "simple trade table (SecurityID, Market, TradeTime, …, BuyNum, SellNum)",
    "sse_snapshots": "exchange-native SSE 10-level snapshots",
    "mdl_snapshots": "MDL 10-level snapshots",
    "insight_snapshots": "HTSC Insight ticks (snapshots)",
}
LAYOUTS: tuple[Format, ...] = tuple(fmt for fmt, _ in _MARKERS)

EVENT_FORMATS: frozenset[Format] = frozenset(
    {
        "sse_orders",
        "sse_trades",
        "dolphindb_trades",
        "insight_orders",
        "insight_trades",
        "mixed_trades",
        "simple_trades",
    }
)
EVENT_LAYOUTS: tuple[Format, ...] = tuple(fmt for fmt in LAYOUTS if fmt in EVENT_FORMATS)
SNAPSHOT_FORMATS: frozenset[Format] = frozenset({"sse_snapshots", "mdl_snapshots", "insight_snapshots"})
_DATE_RE = re.compile(r"(20\d{2})(\d{2})(\d{2})")


@dataclass(frozen=True, slots=True)
class CsvTable:
    """One CSV table found in a path: where it is, what format it has, and how to open it.

    ``rename`` maps the file's column names to the layout's (from an explicit column mapping); readers apply it
    right after parsing.
    """

    location: str
    fmt: Format
    columns: tuple[str, ...]
    opener: Callable[[], IO[bytes]]
    rename: tuple[tuple[str, str], ...] = ()

    def open(self) -> IO[bytes]:
        """A fresh binary stream over the whole CSV (header included)."""
        return self.opener()


@dataclass(frozen=True, slots=True)
class LayoutChoice:
    """How to read tables whose header the detector does not know: a forced layout and/or renamed columns.

    ``columns`` maps a layout column to the file's column (``TradPrice=Price``): the file's ``Price`` is read as
    ``TradPrice``. Either part may be empty.
    """

    layout: Format | None = None
    columns: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def parse(layout: str | None, columns: str | None, allowed: tuple[Format, ...] | None = None) -> LayoutChoice:
        """From the CLI's ``--layout NAME`` and ``--columns LAYOUT_COL=FILE_COL,…``; refuses unknown names.

        ``allowed`` narrows the layouts a command accepts (the 逐笔 commands take order and trade layouts only).
        """
        names = allowed or LAYOUTS
        if layout is not None and layout not in names:
            raise UserError(f"--layout {layout!r} is not a known layout here; use one of {', '.join(names)}")
        pairs: list[tuple[str, str]] = []
        for item in (columns or "").split(","):
            if not item.strip():
                continue
            want, sep, have = item.partition("=")
            if not sep or not want.strip() or not have.strip():
                raise UserError(
                    f"--columns item {item.strip()!r}: write LAYOUT_COLUMN=FILE_COLUMN, e.g. TradPrice=Price"
                )
            pairs.append((want.strip(), have.strip()))
        return LayoutChoice(layout, tuple(pairs))  # type: ignore[arg-type]

    def apply(self, location: str, header: tuple[str, ...]) -> tuple[Format | None, tuple[str, ...], dict[str, str]]:
        """The format, the header as the layout names it, and the file → layout renames for one table."""
        missing = [have for _, have in self.columns if have not in header]
        if missing:
            raise UserError(f"{location}: --columns names {missing} but the header has {', '.join(header)}")
        rename = {have: want for want, have in self.columns}
        cols = tuple(rename.get(c, c) for c in header)
        if self.layout is None:
            return detect_format(cols), cols, rename
        need = dict(_MARKERS)[self.layout] - set(cols)
        if need:
            raise UserError(
                f"{location}: --layout {self.layout} needs columns {sorted(need)} that the header lacks; header "
                f"found: {', '.join(header)}; map them with --columns LAYOUT_COLUMN=FILE_COLUMN"
            )
        return self.layout, cols, rename


def detect_format(columns: tuple[str, ...]) -> Format | None:
    """The format whose marker columns are all present, or ``None``."""
    have = set(columns)
    for fmt, markers in _MARKERS:
        if markers <= have:
            return fmt
    return None


def describe_layouts(header: tuple[str, ...]) -> str:
    """The header found and, per known layout, the columns it expects that the header lacks (for error messages)."""
    have = set(header)
    lines = [f"header found: {', '.join(header) or '(empty)'}", "known layouts and the columns each expects:"]
    for fmt, markers in _MARKERS:
        missing = sorted(markers - have)
        lines.append(f"  {fmt} — {LAYOUT_NAMES[fmt]}: {', '.join(sorted(markers))} (missing: {', '.join(missing)})")
    lines.append("name the layout with --layout and map differing names with --columns LAYOUT_COLUMN=FILE_COLUMN")
    return "\n".join(lines)


def _header(stream: IO[bytes]) -> tuple[str, ...]:
    line = stream.readline().decode("utf-8-sig", errors="replace").strip()
    return tuple(c.strip().strip('"') for c in line.split(","))


def csv_members(path: Path, choice: LayoutChoice | None = None) -> Iterator[CsvTable]:
    """Every recognised CSV table in ``path`` (a ``.csv`` file or a ``.zip`` of CSVs), in name order.

    ``choice`` forces a layout and/or renames columns (see :class:`LayoutChoice`). Raises :class:`UserError` when
    the path is missing or holds no recognised table; the message shows the header found and what each layout
    expects.
    """
    if not path.exists():
        raise UserError(f"{path}: no such file; pass the path of a Level-2 .csv or .zip file")
    pick = choice or LayoutChoice()
    headers: list[tuple[str, ...]] = []
    found = False
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if n.lower().endswith(".csv"))
            for name in names:
                with zf.open(name) as fh:
                    header = _header(fh)
                headers.append(header)
                try:  # a forced layout applies to the members that have its columns (a zip holds several tables)
                    fmt, cols, rename = pick.apply(f"{path}::{name}", header)
                except UserError:
                    continue
                if fmt is None:
                    continue
                found = True
                yield CsvTable(f"{path}::{name}", fmt, cols, _zip_opener(path, name), tuple(rename.items()))
    else:
        with path.open("rb") as fh:
            header = _header(fh)
        headers.append(header)
        fmt, cols, rename = pick.apply(str(path), header)
        if fmt is not None:
            found = True
            yield CsvTable(str(path), fmt, cols, lambda: path.open("rb"), tuple(rename.items()))
    if not found:
        shown = "\n".join(describe_layouts(h) for h in headers[:3]) or describe_layouts(())
        raise UserError(f"{path}: no recognised Level-2 table\n{shown}")


def _zip_opener(path: Path, name: str) -> Callable[[], IO[bytes]]:
    """A stream that inflates the member as it is read: nothing is extracted, the member is never held whole.

    Closing the archive right away is safe: the member stream holds its own reference to the file and closes it
    when it is closed itself. Its CRC check runs at the end of the member, so a damaged one fails when read.
    """

    def opener() -> IO[bytes]:
        with zipfile.ZipFile(path) as zf:
            return zf.open(name)

    return opener


def date_from_location(location: str) -> int | None:
    """A ``YYYYMMDD`` trading date embedded in a file or member name (``20230201.zip``), or ``None``."""
    m = _DATE_RE.search(Path(location.split("::")[-1]).name) or _DATE_RE.search(location)
    if m is None:
        return None
    return int(m.group(0))
