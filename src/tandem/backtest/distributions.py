"""The form of each ex-date distribution (bonus shares and cash per share) read from the raw bars.

The adjustment factor tells the *value* of a distribution, not its form, so a 10转8派25.2 (300750.SZ,
2023-04-26: 8 bonus shares and 25.20 yuan per 10 held) valued by the ratio alone came out as 730 shares and
136.30 yuan per 900 held. The raw bars state more: the exchange's ex-rights reference price (``preclose`` on the
ex-date) is ``P = round((C - d) / (1 + s), 2)`` for the previous close ``C``, bonus shares ``s`` and cash ``d``
per share. Bonus issues are declared in whole shares per 10 held (s = k/10), so for each candidate ``k`` the
cash is ``C - P * (1 + s)``; the form taken is the **largest** ``k`` whose cash is not negative, with the cash
rounded to the fen. For 300750 that gives s = 0.8, d = 2.52: 720 shares + 2,268 yuan per 900 held.

Where this is approximate (documented for users in ``examples/README.md``):

* it assumes the cash is less than one tenth of ``P`` per share (else one more bonus share per 10 would also fit);
  a large special dividend with a small bonus would be read as one more bonus share per 10;
* where the data's reference price disagrees with the previous close (see :data:`CASH_SLACK`) the bonus is kept
  and the cash that the disagreement hides is not credited;
* cash is known to the fen per share (exchanges quote it per 10 shares to the fen, i.e. to 0.001 per share);
* fractional bonus shares are dropped (the depository allots them by its 零碎股 rule, not in cash);
* rights issues (配股) and dividend tax are not modelled; funds (splits of any ratio) keep the value-based credit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.backtest._core import BONUS_THRESHOLD

FloatArray = npt.NDArray[np.float64]


MAX_TENTHS = 30  # at most 30 bonus shares per 10 held; a fit only at this cap is ambiguous and left unknown
_HALF_FEN = 0.005
# The reference price does not always match the previous close to the fen: 300015.SZ on 2021-06-24 (close 85.83,
# reference 66.08) and 300308.SZ on 2024-06-06 (166.96, 119.64) leave 10转3 and 10转4 with slightly negative cash.
# A step whose cash is negative by less than this share of the close is taken, with zero cash.
CASH_SLACK = 0.005


def infer_distributions(
    prev_close: npt.ArrayLike, preclose: npt.ArrayLike, ratio: npt.ArrayLike, is_fund: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Bonus shares and cash per share held on each ex-date (NaN bonus where the form is not inferred).

    ``prev_close`` is the last raw close before each row, ``preclose`` the exchange's reference price of the row,
    ``ratio`` the adjustment ratio ``adj_factor[t] / adj_factor[t-1]`` and ``is_fund`` one flag per column.
    Rows with a ratio below :data:`BONUS_THRESHOLD` are left NaN (the core credits their value as cash).
    """
    c = np.asarray(prev_close, dtype=np.float64)
    p = np.asarray(preclose, dtype=np.float64)
    r = np.asarray(ratio, dtype=np.float64)
    fund = np.broadcast_to(np.asarray(is_fund, dtype=bool), c.shape)
    bonus = np.full(c.shape, np.nan)
    cash = np.zeros(c.shape)
    rows, cols = np.nonzero((r >= BONUS_THRESHOLD) & np.isfinite(c) & np.isfinite(p) & (p > 0) & ~fund)
    if rows.size == 0:  # ex-dates are rare: work only on their cells, not on the whole panel
        return bonus, cash
    ci, pi = c[rows, cols], p[rows, cols]
    best = np.zeros(rows.shape, dtype=np.int64)
    for k in range(1, MAX_TENTHS + 1):
        upper_cash = ci - (pi - _HALF_FEN) * (1.0 + k / 10.0)  # the most cash that still rounds to P
        best[upper_cash >= -CASH_SLACK * ci] = k
    found = best < MAX_TENTHS
    s = best / 10.0
    d = np.maximum(np.floor((ci - pi * (1.0 + s)) * 100.0 + 0.5) / 100.0, 0.0)
    bonus[rows[found], cols[found]] = s[found]
    cash[rows[found], cols[found]] = d[found]
    return bonus, cash


def previous_close(close: npt.ArrayLike) -> FloatArray:
    """The last finite close before each row of a days × codes panel (NaN before the first)."""
    c = np.asarray(close, dtype=np.float64)
    return pd.DataFrame(c).ffill().shift(1).to_numpy(dtype=np.float64)
