"""Decoded columns (:mod:`tandem.level2.decode`) framed into :class:`~tandem.level2.schema.EventBatch` objects.

Each framer restates, on NumPy arrays, exactly what its pandas counterpart in :mod:`tandem.level2.readers` does
(the reference): the same kinds, sides, sequence columns, per-source quirks (SSE ``OrderType`` D = cancel;
Insight ``OrderType`` 2/10 and flags 1/2; SZSE cancels as ``ExecType 4`` executions whose order is the non-zero
side; the simple layout's file order as its sequence) and the same grouping: markets in sorted order, then
securities by normalised code. Python runs once per distinct code or flag, never per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.level2.decode import LAYOUTS, Columns, read_columns
from tandem.level2.schema import ADD, BUY, CANCEL, SELL, TRADE, EventBatch, Rules, make_batch
from tandem.level2.sources import EVENT_FORMATS, CsvTable, date_from_location

Arr = npt.NDArray[Any]
Group = tuple[Rules, dict[str, Arr], Arr, list[str]]
"""One market's rows: its rules, the event columns, each row's code id and the normalised code of every id."""


def _side(c: Columns, column: str, buy: str, sell: str) -> npt.NDArray[np.int8]:
    def one(v: str) -> int:
        s = v.strip()
        return BUY if s == buy else SELL if s == sell else 0

    return c.dicts[column].lookup(one, np.int8)


def _int_side(c: Columns, column: str) -> npt.NDArray[np.int8]:
    """Insight flags 1 buy / 2 sell / anything else (0, empty) unknown."""
    v = c.num[column]
    return np.where(v == 1, BUY, np.where(v == 2, SELL, 0)).astype(np.int8)


def _codes(c: Columns, rows: Arr | None = None, market: tuple[Arr, list[str]] | None = None) -> tuple[Arr, list[str]]:
    """Each row's code id and the normalised codes; ``market`` (an id per row and the names) adds the suffix.

    Normalising runs once per distinct (SecurityID, market) pair; two spellings of one code share an id, as the
    reference's ``groupby`` on the normalised code merges them.
    """
    d = c.dicts["SecurityID"]
    ids = (d.ids if rows is None else d.ids[rows]).astype(np.int64)
    if market is None:
        combo, raw = ids, [v.strip() for v in d.values]
    else:
        m_ids, m_vals = market
        combo = ids * len(m_vals) + m_ids
        raw = [d.values[k // len(m_vals)].strip().zfill(6) + "." + m_vals[k % len(m_vals)].strip()
               for k in range(len(d.values) * len(m_vals))]  # fmt: skip
    used = np.flatnonzero(np.bincount(combo, minlength=len(raw))) if combo.size else np.zeros(0, np.int64)
    normal = {int(k): normalize_code(raw[k]) for k in used}
    names = sorted(set(normal.values()))
    index = {name: i for i, name in enumerate(names)}
    table = np.zeros(len(raw), dtype=np.int32)
    for k, name in normal.items():
        table[k] = index[name]
    return table[combo], names


def _sse_orders(c: Columns) -> list[Group]:
    kind = c.dicts["OrderType"].lookup(lambda v: CANCEL if v.strip() == "D" else ADD, np.int8)
    cols = {
        "channel": c.num["OrderChannel"], "seq": c.num["BizIndex"], "time_ms": c.num["OrderTime"], "kind": kind,
        "side": _side(c, "OrderBSFlag", "B", "S"), "price": c.num["OrderPrice"], "qty": c.num["Balance"],
        "order_no": c.num["OrderNO"],
    }  # fmt: skip
    return [("SSE", cols, *_codes(c))]


def _sse_trades(c: Columns) -> list[Group]:
    cols = {
        "channel": c.num["TradeChan"], "seq": c.num["BizIndex"], "time_ms": c.num["TradTime"],
        "kind": np.full(c.rows, TRADE, np.int8), "side": _side(c, "TradeBSFlag", "B", "S"),
        "price": c.num["TradPrice"], "qty": c.num["TradVolume"], "buy_no": c.num["TradeBuyNo"],
        "sell_no": c.num["TradeSellNo"],
    }  # fmt: skip
    return [("SSE", cols, *_codes(c))]


def _dolphindb_trades(c: Columns) -> list[Group]:
    cols = {
        "channel": c.num["ChannelNo"], "seq": c.num["BizIndex"], "time_ms": c.num["TradeTime"],
        "kind": np.full(c.rows, TRADE, np.int8), "side": _side(c, "TradeBSFlag", "B", "S"),
        "price": c.num["TradePrice"], "qty": c.num["TradeQty"], "buy_no": c.num["BuyNo"], "sell_no": c.num["SellNo"],
    }  # fmt: skip
    return [("SSE", cols, *_codes(c))]


def _insight_orders(c: Columns) -> list[Group]:
    otype = c.num["OrderType"]
    bad = np.flatnonzero((otype != 2) & (otype != 10))
    if bad.size:
        unknown = sorted({int(v) for v in np.unique(otype[bad])})
        raise c.fail(int(bad[0]), "OrderType", f"{unknown} not understood (expected 2 = new order, 10 = cancel)")
    cols = {
        "channel": c.num["ChannelNo"], "seq": c.num["ApplSeqNum"], "time_ms": c.num["MDTime"],
        "kind": np.where(otype == 10, CANCEL, ADD).astype(np.int8), "side": _int_side(c, "OrderBSFlag"),
        "price": c.num["OrderPrice"], "qty": c.num["OrderQty"], "order_no": c.num["OrderNO"],
    }  # fmt: skip
    return [("SSE", cols, *_codes(c))]


def _insight_trades(c: Columns) -> list[Group]:
    cols = {
        "channel": c.num["ChannelNo"], "seq": c.num["ApplSeqNum"], "time_ms": c.num["MDTime"],
        "kind": np.full(c.rows, TRADE, np.int8), "side": _int_side(c, "TradeBSFlag"), "price": c.num["TradePrice"],
        "qty": c.num["TradeQty"], "buy_no": c.num["TradeBuyNo"], "sell_no": c.num["TradeSellNo"],
    }  # fmt: skip
    return [("SSE", cols, *_codes(c))]


def _mixed_trades(c: Columns) -> list[Group]:
    market = c.dicts["Market"]
    names = [v.strip() for v in market.values]
    out: list[Group] = []
    for raw_id in sorted(range(len(market.values)), key=lambda i: market.values[i]):
        rows = np.flatnonzero(market.ids == raw_id)
        if rows.size == 0:
            continue
        is_sh = names[raw_id] == "SH"
        seq_col = "BizIndex" if is_sh else "ApplSeqNum"
        missing = np.flatnonzero(c.nulls[seq_col][rows])
        if missing.size:
            raise c.fail(int(rows[missing[0]]), seq_col, f"empty on a {names[raw_id]} row (its sequence number)")
        bid, ask = c.num["BidApplSeqNum"][rows], c.num["OfferApplSeqNum"][rows]
        cancel = c.dicts["ExecType"].lookup(lambda v: v.strip() == "4", np.bool_)[rows]
        side = _side(c, "TradeBSFlag", "B", "S")[rows] if is_sh else np.zeros(rows.size, np.int8)
        side = np.where(cancel, np.where(bid > 0, BUY, SELL), side).astype(np.int8)
        cols = {
            "channel": c.num["ChannelNo"][rows], "seq": c.num[seq_col][rows], "time_ms": c.num["TradeTime"][rows],
            "kind": np.where(cancel, CANCEL, TRADE).astype(np.int8), "side": side, "price": c.num["TradePrice"][rows],
            "qty": c.num["TradeQty"][rows], "order_no": np.where(cancel, np.maximum(bid, ask), 0), "buy_no": bid,
            "sell_no": ask,
        }  # fmt: skip
        out.append(
            ("SSE" if is_sh else "SZSE", cols, *_codes(c, rows, (np.zeros(rows.size, np.int64), [names[raw_id]])))
        )
    return out


def _simple_trades(c: Columns) -> list[Group]:
    mk = c.dicts["Market"]
    market = [v.replace("XSHG", "SH").replace("XSHE", "SZ") for v in mk.values]
    used = {market[i] for i in np.flatnonzero(np.bincount(mk.ids, minlength=len(market)))}
    rules: Rules = "SSE" if used <= {"SH"} else "SZSE"
    cols: dict[str, Arr] = {
        "channel": np.zeros(c.rows, np.int32), "seq": np.arange(1, c.rows + 1), "time_ms": c.num["TradeTime"],
        "kind": np.full(c.rows, TRADE, np.int8), "side": np.zeros(c.rows, np.int8), "price": c.num["TradePrice"],
        "qty": c.num["TradeQty"], "buy_no": c.num["BuyNum"], "sell_no": c.num["SellNum"],
    }  # fmt: skip
    return [(rules, cols, *_codes(c, None, (mk.ids.astype(np.int64), market)))]


_FRAMERS: dict[str, Callable[[Columns], list[Group]]] = {
    "sse_orders": _sse_orders,
    "sse_trades": _sse_trades,
    "dolphindb_trades": _dolphindb_trades,
    "insight_orders": _insight_orders,
    "insight_trades": _insight_trades,
    "mixed_trades": _mixed_trades,
    "simple_trades": _simple_trades,
}


def _date_text(text: str | None) -> int | None:
    """The reference's ``_date_col``: the first value without ``.``/``-``, its first 8 characters if digits."""
    if text is None:
        return None
    head = text.replace(".", "").replace("-", "")[:8]
    return int(head) if head.isdigit() else None


def decode_table(table: CsvTable, date: int | None = None) -> list[EventBatch]:
    """One CSV table as batches, one per security (markets first), like :func:`tandem.level2.readers.read_table`."""
    if table.fmt not in EVENT_FORMATS:
        raise UserError(f"{table.location}: is a {table.fmt} table, not orders or trades")
    layout = LAYOUTS[table.fmt]
    cols = read_columns(table, layout)
    date = date or _date_text(cols.first_date_text) or date_from_location(table.location)
    out: list[EventBatch] = []
    for rules, group, code_ids, names in _FRAMERS[table.fmt](cols):
        if len(names) == 1:
            out.append(make_batch(names[0], rules, date, group))
            continue
        for k, name in enumerate(names):
            rows = np.flatnonzero(code_ids == k)
            out.append(make_batch(name, rules, date, {n: (a[rows] if a.ndim else a) for n, a in group.items()}))
    return out
