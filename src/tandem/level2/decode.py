"""Level-2 CSV tables decoded by pyarrow's CSV reader straight into the engine's integer arrays.

The pandas reader (:mod:`tandem.level2.readers`, kept as the reference) parsed every column of a file into Python
objects and floats before the framers turned them into ticks and milliseconds, at ~0.2 M msg/s. Here pyarrow's
streaming CSV reader reads only the columns a layout needs, with their types given up front (no inference, no
intermediate DataFrame): integers natively, flags, codes and markets as dictionaries (a few Python values per
block, never per row), and prices and time stamps as strings that the numba kernels in
:mod:`tandem.level2._text_kernels` turn into exact ticks and milliseconds. A zip member is read as a stream, block
by block, never extracted. The output is the same :class:`~tandem.level2.schema.EventBatch` objects, bit for bit,
as the reference reader's (``tests/level2/test_decode.py`` proves it on every bundled and shared file).

Bad input stops the table with ``file:line: field: what is wrong`` (a :class:`~tandem.core.errors.ValidationFailed`)
before any batch is returned, so nothing half-read ever reaches the engine.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from tandem.core.errors import ValidationFailed
from tandem.level2._text_kernels import ms_from_text, ticks_from_text
from tandem.level2.sources import CsvTable, Format

Kind = Literal["int", "int_or_null", "float_or_null", "price", "time", "dict", "text"]
BLOCK_BYTES = 4 << 20  # large enough that per-block Python work (a few dictionary look-ups) is noise
_TYPES: dict[Kind, pa.DataType] = {
    "int": pa.int64(),
    "int_or_null": pa.int64(),
    "price": pa.string(),
    "time": pa.string(),
    "dict": pa.dictionary(pa.int32(), pa.string()),
    "text": pa.dictionary(pa.int32(), pa.string()),
    "float_or_null": pa.float64(),
}


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns one format needs and how each is read; ``date`` names the column whose first value is the day.

    ``text`` columns are read only so that pyarrow checks their UTF-8 (a GBK export shows up in the names first).
    """

    columns: dict[str, Kind]
    date: str | None = None
    text: tuple[str, ...] = ()


def _cols(spec: str) -> dict[str, Kind]:
    """``"Name:kind Name:kind …"`` as a column → kind mapping (one line per layout reads like its header)."""
    return {name: kind for name, kind in (item.split(":") for item in spec.split())}  # type: ignore[misc]


_INSIGHT_TEXT = ("Symbol",)
LAYOUTS: dict[Format, Layout] = {
    "sse_orders": Layout(
        _cols(
            "OrderChannel:int BizIndex:int OrderTime:time OrderType:dict OrderBSFlag:dict OrderPrice:price "
            "Balance:int OrderNO:int SecurityID:dict"
        )
    ),
    "sse_trades": Layout(
        _cols(
            "TradeChan:int BizIndex:int TradTime:time TradeBSFlag:dict TradPrice:price TradVolume:int "
            "TradeBuyNo:int TradeSellNo:int SecurityID:dict"
        )
    ),
    "dolphindb_trades": Layout(
        _cols(
            "ChannelNo:int BizIndex:int TradeTime:time TradeBSFlag:dict TradePrice:price TradeQty:int BuyNo:int "
            "SellNo:int SecurityID:dict"
        ),
        date="TradeTime",
    ),
    "insight_orders": Layout(
        _cols(
            "ChannelNo:int ApplSeqNum:int MDTime:time OrderType:int OrderBSFlag:int_or_null OrderPrice:price "
            "OrderQty:int OrderNO:int SecurityID:dict MDDate:dict"
        ),
        date="MDDate",
        text=_INSIGHT_TEXT,
    ),
    "insight_trades": Layout(
        _cols(
            "ChannelNo:int ApplSeqNum:int MDTime:time TradeBSFlag:int_or_null TradePrice:price TradeQty:int "
            "TradeBuyNo:int TradeSellNo:int SecurityID:dict MDDate:dict"
        ),
        date="MDDate",
        text=_INSIGHT_TEXT,
    ),
    "mixed_trades": Layout(
        _cols(
            "Market:dict ChannelNo:int BizIndex:int_or_null ApplSeqNum:int_or_null TradeTime:time ExecType:dict "
            "TradeBSFlag:dict TradePrice:price TradeQty:int BidApplSeqNum:int_or_null "
            "OfferApplSeqNum:int_or_null SecurityID:dict"
        ),
        date="TradeTime",
    ),
    "simple_trades": Layout(
        _cols("Market:dict TradeTime:time TradePrice:price TradeQty:int BuyNum:int SellNum:int SecurityID:dict"),
        date="TradeTime",
    ),
}
_WHAT: dict[Kind, str] = {
    "int": "is not a whole number",
    "int_or_null": "is not a whole number",
    "price": "is not a decimal price (digits with an optional '.', e.g. 1801.01)",
    "time": "is not a time of day (HH:MM:SS[.fff], optionally after YYYY.MM.DDT)",
    "dict": "is unreadable",
    "text": "is unreadable",
    "float_or_null": "is not a number",
}


@dataclass(slots=True)
class DictColumn:
    """A dictionary-encoded column over the whole table: ``ids`` per row into ``values`` (file spelling)."""

    values: list[str] = field(default_factory=list)
    ids: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))

    def lookup(self, mapping: Callable[[str], Any], dtype: type[np.generic]) -> npt.NDArray[Any]:
        """``mapping`` applied once per distinct value, then broadcast to the rows."""
        table = np.array([mapping(v) for v in self.values], dtype=dtype)
        return table[self.ids] if table.size else np.zeros(self.ids.shape, dtype=dtype)


@dataclass(slots=True)
class Columns:
    """One table's decoded columns: integers and text-derived integers (``num``), dictionaries, and null masks."""

    location: str
    rows: int
    num: dict[str, npt.NDArray[Any]]
    dicts: dict[str, DictColumn]
    nulls: dict[str, npt.NDArray[np.bool_]]
    first_date_text: str | None

    def fail(self, row: int, column: str, what: str) -> ValidationFailed:
        """The error for data row ``row`` (0-based; line = row + 2, the header is line 1)."""
        problem = f"{self.location}:{row + 2}: {column}: {what}"
        return ValidationFailed(problem, [problem])


def _problem(location: str, line: int | str, column: str, what: str) -> ValidationFailed:
    text = f"{location}:{line}: {column}: {what}"
    return ValidationFailed(text, [text])


def _text_buffers(arr: pa.Array) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]:
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


_ARROW_ROW = re.compile(r"Row #(\d+)")
_ARROW_COL = re.compile(r"In CSV column #(\d+)")
_ARROW_COUNT = re.compile(r"Expected (\d+) columns, got (\d+)")
_ARROW_VALUE = re.compile(r"invalid value '(.*)'")


def _arrow_problem(table: CsvTable, layout: Layout, exc: pa.ArrowInvalid) -> ValidationFailed:
    """Turn pyarrow's message (``In CSV column #7: Row #12: … invalid value 'x'``) into ``file:line: field: what``.

    pyarrow's ``Row #`` counts lines of the file with the header as line 1, which is the line we report.
    """
    msg = str(exc)
    row, col = _ARROW_ROW.search(msg), _ARROW_COL.search(msg)
    line = row.group(1) if row else "?"
    name = table.columns[int(col.group(1))] if col and int(col.group(1)) < len(table.columns) else "row"
    if "invalid UTF8" in msg:
        return _problem(
            table.location, _first_bad_utf8_line(table), name, "not UTF-8 text (a GBK export? save it as UTF-8)"
        )
    count = _ARROW_COUNT.search(msg)
    if count:
        return _problem(table.location, line, "row", f"expected {count.group(1)} fields, found {count.group(2)}")
    kind = layout.columns.get(name)
    value = _ARROW_VALUE.search(msg)
    shown = repr(value.group(1)) if value else f"value ({msg})"
    return _problem(table.location, line, name, f"{shown} {_WHAT[kind] if kind else 'is unreadable'}")


def _first_bad_utf8_line(table: CsvTable) -> int:
    """The line holding the first byte that is not UTF-8 (error path only: a plain Python scan is fine)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with table.open() as fh:
        for raw in fh:
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return line
            line += 1
    return line


def read_columns(table: CsvTable, layout: Layout) -> Columns:
    """Stream the table's needed columns block by block into NumPy arrays (prices in ticks, times in ms)."""
    missing = [c for c in layout.columns if c not in table.columns]
    if missing:  # the layout was recognised from its marker columns; the others must be there too
        raise _problem(table.location, 1, missing[0], f"missing from the header; the {table.fmt} layout needs it")
    to_file = {want: have for have, want in table.rename}
    text: dict[str, Kind] = {t: "text" for t in layout.text if t in table.columns}
    wanted: dict[str, Kind] = {**layout.columns, **text}
    file_cols = {to_file.get(c, c): c for c in wanted}
    convert = pacsv.ConvertOptions(
        include_columns=list(file_cols), column_types={f: _TYPES[wanted[c]] for f, c in file_cols.items()}
    )
    read = pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=False)
    parts: dict[str, list[npt.NDArray[Any]]] = {c: [] for c in wanted}
    nulls: dict[str, list[npt.NDArray[np.bool_]]] = {c: [] for c, k in wanted.items() if k.endswith("_or_null")}
    dicts = {c: DictColumn() for c, k in wanted.items() if k in ("dict", "text")}
    global_ids: dict[str, dict[str, int]] = {c: {} for c in dicts}
    rows, first_date = 0, None
    try:
        with table.open() as fh:
            reader = pacsv.open_csv(fh, read_options=read, convert_options=convert)
            for batch in reader:
                n = batch.num_rows
                for fcol, col in file_cols.items():
                    arr = batch.column(fcol)
                    kind = wanted[col]
                    if col == layout.date and first_date is None and n:
                        first_date = str(arr[0].as_py())
                    parts[col].append(_decode(table, col, kind, arr, rows, nulls, global_ids.get(col, {})))
                rows += n
    except pa.ArrowInvalid as exc:
        raise _arrow_problem(table, layout, exc) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _problem(
            table.location, rows + 2, "zip member", f"damaged or truncated after {rows} rows ({exc}); nothing was read"
        ) from exc
    num: dict[str, npt.NDArray[Any]] = {}
    for col, kind in wanted.items():
        joined = np.concatenate(parts[col]) if parts[col] else np.zeros(0, np.int64)
        if kind in ("dict", "text"):
            dicts[col] = DictColumn(list(global_ids[col]), joined.astype(np.int32, copy=False))
        else:
            num[col] = joined
    masks = {c: (np.concatenate(v) if v else np.zeros(0, bool)) for c, v in nulls.items()}
    return Columns(table.location, rows, num, dicts, masks, first_date)


def _decode(
    table: CsvTable,
    col: str,
    kind: Kind,
    arr: pa.Array,
    start: int,
    nulls: dict[str, list[npt.NDArray[np.bool_]]],
    ids: dict[str, int],
) -> npt.NDArray[Any]:
    """One block of one column to NumPy; ``start`` is the block's first data row (for the error's line)."""
    if kind in ("price", "time"):
        offsets, data = _text_buffers(arr)
        out: npt.NDArray[Any]
        if kind == "price":
            out = np.empty(len(arr), dtype=np.int64)
            bad = ticks_from_text(offsets, data, out)
        else:
            out = np.empty(len(arr), dtype=np.int32)
            bad = ms_from_text(offsets, data, out)
        if bad >= 0:
            value = arr[bad].as_py()
            raise _problem(table.location, start + bad + 2, col, f"{value!r} {_WHAT[kind]}")
        return out
    if kind in ("dict", "text"):
        remap = np.array([ids.setdefault(v, len(ids)) for v in arr.dictionary.to_pylist()], dtype=np.int32)
        idx = arr.indices.to_numpy(zero_copy_only=False)
        return remap[idx] if remap.size else np.zeros(len(arr), np.int32)
    dtype = np.float64 if kind == "float_or_null" else np.int64
    if arr.null_count:
        mask = arr.is_null().to_numpy(zero_copy_only=False)
        if kind == "int":
            raise _problem(table.location, start + int(np.argmax(mask)) + 2, col, "empty (a whole number is required)")
        nulls[col].append(mask)
        return np.asarray(arr.fill_null(0).to_numpy(), dtype=dtype)
    if kind != "int":
        nulls[col].append(np.zeros(len(arr), dtype=bool))
    return np.asarray(arr.to_numpy(), dtype=dtype)
