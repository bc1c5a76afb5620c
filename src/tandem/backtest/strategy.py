"""Event-driven strategies: a :class:`Strategy` with ``on_bar(ctx)`` driven bar by bar through the core.

Each session ``t`` runs: the core's ``new_day`` (T+1 unlock, ex-date credits) → fills of orders placed on
the previous bar for the next open → ``strategy.on_bar(ctx)`` (ctx sees history up to and including day t's
close) → fills of orders placed for today's close → close-of-day valuation. The fill and rule functions are
the very ones the vectorized path uses (:mod:`tandem.backtest._core`), so both styles obey the same rules.
Orders that a rule blocks are not retried: the strategy sees its position next bar and decides again.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.market import MarketData
from tandem.core.errors import UserError, ValidationFailed

FloatArray = npt.NDArray[np.float64]
At = Literal["next_open", "close"]
_FIELDS = ("open", "high", "low", "close", "preclose", "volume")


class Strategy:
    """Base class of path-dependent strategies: override :meth:`on_bar` (and optionally :meth:`on_start`).

    Parameters belong in ``__init__`` as plain attributes; state you keep between bars lives on ``self``.
    """

    name: str = "strategy"

    def on_start(self, ctx: Context) -> None:
        """Called once before the first bar; ``ctx.market`` then holds the first session only (no look-ahead)."""

    def on_bar(self, ctx: Context) -> None:
        """Called after each session's close; place orders with ``ctx.order_*``."""
        raise UserError(f"{type(self).__name__} must override on_bar(ctx)")


class LookAheadError(UserError):
    """A strategy read a row after its decision bar."""


class Context:
    """What a strategy sees on bar ``i``: history up to today, its portfolio, and the order functions.

    ``ctx.market`` is the market *as known at bar i's close* (:meth:`MarketData.until`): its arrays end at row
    ``i``, so a strategy cannot read a later price by construction; trying to (``ctx.market.close[i + 1]``) raises
    :class:`LookAheadError` naming the bar and its date. The engine keeps the whole market to itself.
    """

    def __init__(self, market: MarketData, config: ExecutionConfig) -> None:
        self._market = market
        self._view: MarketData | None = None
        self._view_row = -1
        self.config = config
        self.i = 0
        self._index = {c: j for j, c in enumerate(market.codes)}
        n = len(market.codes)
        self.pos = np.zeros(n)
        self.locked = np.zeros(n)
        self.cash_arr = np.array([config.initial_cash])
        self.last_px = np.full(n, np.nan)
        self.open_w = np.full(n, np.nan)
        self.open_q = np.zeros(n)
        self.close_w = np.full(n, np.nan)
        self.close_q = np.zeros(n)

    # ---------------------------------------------------------------- what the strategy reads
    @property
    def market(self) -> MarketData:
        """The market up to and including today's row (read-only views; later rows do not exist in it)."""
        if self._view is None or self._view_row != self.i:
            self._view, self._view_row = self._market.until(self.i), self.i
        return self._view

    def look_ahead_error(self, exc: IndexError) -> LookAheadError:
        """The error for an index past today's row: names the bar, its date and what is visible."""
        return LookAheadError(
            f"bar {self.today} (row {self.i}): the strategy read past its decision bar ({exc}); ctx.market and "
            f"ctx.history hold rows 0..{self.i} only ({self._market.day(0)} … {self.today}), later rows are not "
            "visible (no look-ahead); index from the end (close[-1] is today) or keep state on self"
        )

    @property
    def today(self) -> date:
        """The current session."""
        return self._market.day(self.i)

    @property
    def codes(self) -> tuple[str, ...]:
        """The universe, in column order of every array."""
        return self._market.codes

    @property
    def cash(self) -> float:
        """Cash now."""
        return float(self.cash_arr[0])

    @property
    def equity(self) -> float:
        """Cash plus positions at today's close (last traded close for suspended codes)."""
        held = self.pos != 0
        return self.cash + float(np.sum(self.pos[held] * np.nan_to_num(self.last_px[held])))

    def history(self, field: str = "close", window: int | None = None, *, adjusted: bool = False) -> FloatArray:
        """Rows up to and including today (days × codes); the last ``window`` rows if given.

        Raw prices by default (what orders fill at). ``adjusted=True`` gives prices forward-adjusted *as of today*
        (前复权 to today's level): earlier rows are scaled by the distributions that went ex up to today, so a
        bonus issue does not look like a crash; only factors known by today are used. Volume is never adjusted.
        """
        if field not in _FIELDS:
            raise UserError(f"unknown field {field!r} in ctx.history; use one of {', '.join(_FIELDS)}")
        m = self._market
        arr: FloatArray = getattr(m, field)
        lo = 0 if window is None else max(0, self.i + 1 - window)
        rows = arr[lo : self.i + 1]
        if adjusted and field != "volume":
            rows = rows * (m.adj_cum[lo : self.i + 1] / m.adj_cum[self.i])
        else:
            rows = rows.view()
            rows.flags.writeable = False
        return rows

    def position(self, code: str) -> float:
        """Shares held of ``code``."""
        return float(self.pos[self._col(code)])

    def positions(self) -> dict[str, float]:
        """Non-zero holdings, code → shares."""
        return {self._market.codes[j]: float(self.pos[j]) for j in np.flatnonzero(self.pos)}

    def tradable(self, code: str) -> bool:
        """Whether ``code`` has a normal bar today (listed, not suspended)."""
        return bool(self._market.tradable[self.i, self._col(code)])

    # ---------------------------------------------------------------- orders
    def order_target_percent(self, code: str, pct: float, at: At | None = None) -> None:
        """Move ``code`` to ``pct`` of equity (0 closes it) at the next fill (or ``at``)."""
        j = self._col(code)
        if not math.isfinite(pct) or pct < 0 or pct > 1:
            raise ValidationFailed(
                f"bar {self.today}: order_target_percent({code!r}, {pct}) needs a finite fraction within 0..1"
            )
        w, q = self._book(at)
        w[j], q[j] = pct, 0.0

    def order_shares(self, code: str, qty: float, at: At | None = None) -> None:
        """Buy (``qty`` > 0) or sell (``qty`` < 0) shares; lots and T+1 apply at the fill."""
        j = self._col(code)
        if not math.isfinite(qty):
            raise ValidationFailed(f"bar {self.today}: order_shares({code!r}, {qty}) needs a finite quantity")
        w, q = self._book(at)
        w[j] = np.nan
        q[j] += qty

    def _book(self, at: At | None) -> tuple[FloatArray, FloatArray]:
        when = at or self.config.fill_at
        if when not in ("next_open", "close"):
            raise ValidationFailed(f"bar {self.today}: at must be 'next_open' or 'close', not {when!r}")
        return (self.close_w, self.close_q) if when == "close" else (self.open_w, self.open_q)

    def _col(self, code: str) -> int:
        j = self._index.get(code)
        if j is None:
            sample = ", ".join(self._market.codes[:5])
            raise UserError(
                f"bar {self.today}: unknown code {code!r}; the backtest universe has {len(self._market.codes)} "
                f"codes (e.g. {sample}); add it to the universe or fix the spelling"
            )
        return j
