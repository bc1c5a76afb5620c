"""Which instruments a diagnosis covers: A-share stocks only, never funds, ETFs, indices or B shares.

Funds and ETFs have daily bars in the store like stocks, but no fundamentals, no industry and other limit rules,
so scoring them as stocks would put them into every market percentile and rank. The universe is the store's
instruments of kind ``stock`` on a stock board; codes that only have prices count as stocks when their code
pattern says so (the store names their kind ``stock`` and derives the board from the code).
"""

from __future__ import annotations

from tandem.core.errors import UserError
from tandem.core.models import BOARD_LABELS_ZH, Board, Instrument, InstrumentKind
from tandem.marketdata.store import MarketStore

STOCK_BOARDS = frozenset({Board.SSE_MAIN, Board.SZSE_MAIN, Board.CHINEXT, Board.STAR, Board.BSE})
"""Boards whose instruments are diagnosed (B shares trade in USD/HKD and are left out)."""


class NotAStockError(UserError):
    """The code names a fund, ETF, index or B share: diagnosis covers A-share stocks only."""


def is_diagnosable(inst: Instrument) -> bool:
    """True for an A-share stock on one of :data:`STOCK_BOARDS`."""
    return inst.kind is InstrumentKind.STOCK and inst.board in STOCK_BOARDS


def require_stock(inst: Instrument) -> None:
    """Raise :class:`NotAStockError` saying what the instrument is, unless it is a diagnosable stock."""
    if is_diagnosable(inst):
        return
    label = inst.code if not inst.name or inst.name == inst.code else f"{inst.code} {inst.name}"
    if inst.board is Board.FUND or inst.kind is InstrumentKind.FUND:
        what = "a fund/ETF"
    elif inst.board is Board.INDEX or inst.kind is InstrumentKind.INDEX:
        what = "an index"
    else:
        what = f"on board {BOARD_LABELS_ZH.get(inst.board, inst.board.value)} ({inst.board.value})"
    raise NotAStockError(
        f"{label} is {what}: diagnosis (个股诊断) covers A-share stocks only, not funds, ETFs or indices; "
        "pass a stock code such as 600519.SH"
    )


def stock_codes(store: MarketStore) -> list[str]:
    """Codes of every diagnosable stock the store knows (sorted)."""
    inst = store.instruments()
    boards = {b.value for b in STOCK_BOARDS}
    mask = (inst["kind"] == InstrumentKind.STOCK.value) & inst["board"].isin(boards)
    return sorted(str(c) for c in inst.loc[mask, "code"].unique())
