"""Readers for the real tick-by-tick formats, each normalised to :class:`~tandem.level2.schema.EventBatch`.

:func:`read_events` decodes with :func:`tandem.level2.decode_events.decode_table` (pyarrow, ~5-10x faster); the
pandas framers below are the reference that decoder is proven bit-identical against, kept for that.

Supported (see ``PROVENANCE.md`` section level2):

* ``sse_orders`` / ``sse_trades`` — SSE native 逐笔委托 / 逐笔成交 (``OrderType`` A/D, BS flags B/S/N,
  ``BizIndex`` orders orders and trades jointly inside a channel);
* ``dolphindb_trades`` — DolphinDB's SSE trade table (``SecurityID, TradeTime, TradePrice, TradeQty, TradeAmount,
  BuyNo, SellNo, TradeIndex, ChannelNo, TradeBSFlag, BizIndex``; time stamps ``2021.01.04T09:25:00.630``), the same
  fields as the native trade file under DolphinDB's names;
* ``insight_orders`` / ``insight_trades`` — HTSC Insight export of SSE data (``OrderType`` 2 = new limit
  order, 10 = cancel; flags 1 buy / 2 sell / 0 unknown; ``ApplSeqNum`` is the joint sequence);
* ``mixed_trades`` — one SH/SZ trade schema; SZSE rows use ``ExecType`` F (fill) / 4 (cancel) and
  ``ApplSeqNum``, SSE rows use ``TradeBSFlag`` and ``BizIndex``;
* ``simple_trades`` — ``SecurityID,Market,TradeTime,TradePrice,TradeQty,TradeAmount,BuyNum,SellNum``
  (no flag and no sequence: the file order is the sequence, the aggressor comes from the order numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.level2.decode_events import decode_table
from tandem.level2.schema import (
    ADD,
    BUY,
    CANCEL,
    SELL,
    TRADE,
    EventBatch,
    Rules,
    concat,
    format_time_ms,
    make_batch,
    parse_time_ms,
    to_ticks,
)
from tandem.level2.sources import EVENT_FORMATS, CsvTable, LayoutChoice, csv_members, date_from_location

# The closing call auction starts at 14:57 on both exchanges and its trades print at 15:00:00; a day whose last
# event is earlier than this is a partial file (cut at a time, or a recording that stopped).
FULL_DAY_FROM_MS = (14 * 3600 + 57 * 60) * 1000


def _flag_side(flags: pd.Series[Any], buy: tuple[str, ...], sell: tuple[str, ...]) -> np.ndarray[Any, Any]:
    s = flags.astype(str).str.strip()
    return np.where(s.isin(buy), BUY, np.where(s.isin(sell), SELL, 0)).astype(np.int8)


def _codes(df: pd.DataFrame, column: str, market: pd.Series[Any] | None = None) -> pd.Series[Any]:
    raw = df[column].astype(str)
    if market is not None:
        raw = raw.str.zfill(6) + "." + market.astype(str)
    uniq = {u: normalize_code(u) for u in raw.unique()}
    return raw.map(uniq)


def _date_col(values: pd.Series[Any]) -> int | None:
    if values.empty:
        return None
    text = str(values.iloc[0]).replace(".", "").replace("-", "")[:8]
    return int(text) if text.isdigit() else None


def _frame_sse_orders(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    kind = np.where(df["OrderType"].astype(str).str.strip() == "D", CANCEL, ADD)
    cols = {
        "channel": df["OrderChannel"], "seq": df["BizIndex"], "time_ms": parse_time_ms(df["OrderTime"]),
        "kind": kind, "side": _flag_side(df["OrderBSFlag"], ("B",), ("S",)),
        "price": to_ticks(df["OrderPrice"]), "qty": df["Balance"], "order_no": df["OrderNO"],
    }  # fmt: skip
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID")), "SSE"


def _frame_sse_trades(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    cols = {
        "channel": df["TradeChan"], "seq": df["BizIndex"], "time_ms": parse_time_ms(df["TradTime"]),
        "kind": TRADE, "side": _flag_side(df["TradeBSFlag"], ("B",), ("S",)), "price": to_ticks(df["TradPrice"]),
        "qty": df["TradVolume"], "buy_no": df["TradeBuyNo"], "sell_no": df["TradeSellNo"],
    }  # fmt: skip
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID")), "SSE"


def _frame_dolphindb_trades(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    cols = {
        "channel": df["ChannelNo"], "seq": df["BizIndex"], "time_ms": parse_time_ms(df["TradeTime"]),
        "kind": TRADE, "side": _flag_side(df["TradeBSFlag"], ("B",), ("S",)), "price": to_ticks(df["TradePrice"]),
        "qty": df["TradeQty"], "buy_no": df["BuyNo"], "sell_no": df["SellNo"],
    }  # fmt: skip
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID")), "SSE"


def _frame_insight_orders(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    otype = df["OrderType"].astype(int)
    unknown = sorted(set(otype.unique()) - {2, 10})
    if unknown:
        raise UserError(f"Insight orders: OrderType {unknown} not understood (expected 2 = new order, 10 = cancel)")
    cols = {
        "channel": df["ChannelNo"], "seq": df["ApplSeqNum"], "time_ms": parse_time_ms(df["MDTime"]),
        "kind": np.where(otype == 10, CANCEL, ADD), "side": _flag_side(df["OrderBSFlag"], ("1",), ("2",)),
        "price": to_ticks(df["OrderPrice"]), "qty": df["OrderQty"], "order_no": df["OrderNO"],
    }  # fmt: skip
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID")), "SSE"


def _frame_insight_trades(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    cols = {
        "channel": df["ChannelNo"], "seq": df["ApplSeqNum"], "time_ms": parse_time_ms(df["MDTime"]),
        "kind": TRADE, "side": _flag_side(df["TradeBSFlag"], ("1",), ("2",)), "price": to_ticks(df["TradePrice"]),
        "qty": df["TradeQty"], "buy_no": df["TradeBuyNo"], "sell_no": df["TradeSellNo"],
    }  # fmt: skip
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID")), "SSE"


def _frame_mixed_trades(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    market = df["Market"].astype(str).str.strip()
    is_sh = (market == "SH").to_numpy()
    if is_sh.any() and not is_sh.all():
        raise UserError("mixed trade file holds SH and SZ rows together; read_events splits them by security")
    bid = df["BidApplSeqNum"].fillna(0).astype(np.int64)
    ask = df["OfferApplSeqNum"].fillna(0).astype(np.int64)
    cancel = (df["ExecType"].astype(str).str.strip() == "4").to_numpy()
    side = _flag_side(df["TradeBSFlag"], ("B",), ("S",)) if is_sh.all() else np.zeros(len(df), np.int8)
    side = np.where(cancel, np.where(bid > 0, BUY, SELL), side).astype(np.int8)
    seq = df["BizIndex"] if is_sh.all() else df["ApplSeqNum"]
    cols = {
        "channel": df["ChannelNo"], "seq": seq, "time_ms": parse_time_ms(df["TradeTime"]),
        "kind": np.where(cancel, CANCEL, TRADE), "side": side, "price": to_ticks(df["TradePrice"]),
        "qty": df["TradeQty"], "order_no": np.where(cancel, np.maximum(bid, ask), 0), "buy_no": bid, "sell_no": ask,
    }  # fmt: skip
    rules: Rules = "SSE" if is_sh.all() else "SZSE"
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID", market)), rules


def _frame_simple_trades(df: pd.DataFrame) -> tuple[pd.DataFrame, Rules]:
    market = df["Market"].astype(str).str.replace("XSHG", "SH").str.replace("XSHE", "SZ")
    cols = {
        "channel": 0, "seq": np.arange(1, len(df) + 1), "time_ms": parse_time_ms(df["TradeTime"]),
        "kind": TRADE, "side": 0, "price": to_ticks(df["TradePrice"]), "qty": df["TradeQty"],
        "buy_no": df["BuyNum"], "sell_no": df["SellNum"],
    }  # fmt: skip
    rules: Rules = "SSE" if (market == "SH").all() else "SZSE"
    return pd.DataFrame(cols).assign(code=_codes(df, "SecurityID", market)), rules


_FRAMERS = {
    "sse_orders": _frame_sse_orders,
    "sse_trades": _frame_sse_trades,
    "dolphindb_trades": _frame_dolphindb_trades,
    "insight_orders": _frame_insight_orders,
    "insight_trades": _frame_insight_trades,
    "mixed_trades": _frame_mixed_trades,
    "simple_trades": _frame_simple_trades,
}
_DATE_COLUMNS = {
    "insight_orders": "MDDate",
    "insight_trades": "MDDate",
    "mixed_trades": "TradeTime",
    "dolphindb_trades": "TradeTime",
}


def read_table(table: CsvTable, date: int | None = None) -> list[EventBatch]:
    """One CSV table as batches, one per security (the mixed SH/SZ file yields one per market too).

    The pandas reference reader: :func:`tandem.level2.decode_events.decode_table` must give the same batches.
    """
    if table.fmt not in EVENT_FORMATS:
        raise UserError(f"{table.location}: is a {table.fmt} table, not orders or trades")
    with table.open() as fh:
        raw = pd.read_csv(fh, low_memory=False, encoding="utf-8-sig")
    if table.rename:
        raw = raw.rename(columns=dict(table.rename))
    if "TradeTime" in raw.columns and table.fmt == "simple_trades":
        date = date or _date_col(raw["TradeTime"])
    date = date or (_date_col(raw[_DATE_COLUMNS[table.fmt]]) if table.fmt in _DATE_COLUMNS else None)
    date = date or date_from_location(table.location)
    out: list[EventBatch] = []
    groups = [raw] if table.fmt != "mixed_trades" else [g for _, g in raw.groupby("Market", sort=True)]
    for group in groups:
        frame, rules = _FRAMERS[table.fmt](group.reset_index(drop=True))
        for code, part in frame.groupby("code", sort=True):
            cols = {c: part[c].to_numpy() for c in part.columns if c != "code"}
            out.append(make_batch(str(code), rules, date, cols))
    return out


TableReader = Callable[[CsvTable, "int | None"], list[EventBatch]]


def read_events(
    paths: Iterable[Path],
    date: int | None = None,
    choice: LayoutChoice | None = None,
    reader: TableReader = decode_table,
) -> dict[str, EventBatch]:
    """All order and trade tables in ``paths`` merged per security, sorted by ``(channel, seq)``.

    Snapshot tables inside the same zip are skipped, so ``20230201.zip`` can be passed as is. ``choice`` names the
    layout and/or maps columns for files the detector does not recognise. A security whose events stop before the
    closing auction is read like any other; :func:`coverage_warnings` says so. ``reader`` decodes one table: the
    pyarrow decoder by default; :func:`read_table` (pandas, ~10x slower) is the reference it is tested against.
    """
    per_code: dict[str, list[EventBatch]] = {}
    for path in paths:
        for table in csv_members(Path(path), choice):
            if table.fmt not in EVENT_FORMATS:
                continue
            for batch in reader(table, date):
                per_code.setdefault(batch.code, []).append(batch)
    if not per_code:
        names = ", ".join(str(p) for p in paths)
        raise UserError(f"{names}: no order or trade table found; pass 逐笔委托/逐笔成交 files or their zip")
    return {code: concat(batches) for code, batches in sorted(per_code.items())}


def coverage_warnings(events: dict[str, EventBatch]) -> list[str]:
    """One warning per security whose events end before the closing auction (the file covers part of a day).

    The figures computed from such a file are correct up to its last event; the warning names that time so a
    reader does not take a morning's capital flow for the day's. Returned, not logged: the caller decides where
    it goes (the CLI prints it on stderr, keeping ``--format json`` output clean).
    """
    out: list[str] = []
    for code, batch in events.items():
        if len(batch) == 0:
            continue
        last = int(np.max(batch.time_ms))
        if last < FULL_DAY_FROM_MS:
            day = f" {batch.date}" if batch.date else ""
            out.append(
                f"{code}{day}: the files cover only part of the day — last event at {format_time_ms(last)} (a full "
                "session runs to 15:00:00); figures are up to that time"
            )
    return out
